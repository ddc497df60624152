#!/bin/bash
# bench/reliefd-look.sh [N]: CPU of one nova-reliefd look at N agents
# (default 5,000) on a fixture tree in $TMPDIR (cgroupfs files are made by
# the kernel on read, which the fixture does not reproduce exactly: read
# the figures as the daemon's own cost). Run from a configured build
# directory:
#     ../bench/reliefd-look.sh 5000
# Goal (issue 11): one look <= 20 ms of CPU at 5,000 agents. Printed beside
# the figures, never asserted.
set -eu
n=${1:-5000}
make -s bench/reliefd-look-bench >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
line=$(NOVA_AGENTS_WORKSPACES=$dir ./bench/reliefd-look-bench "$dir" "$n" 2>&1 | tail -n 1)
echo "$line"
set -- $line
awk -v n="$n" -v idle="$6" -v sampled="$8" 'BEGIN {
	printf "at %d agents: a quiet look %.2f ms CPU (goal <= 20 ms); one that reads every agent %.2f ms = %.0fx\n",
		n, idle, sampled, idle > 0 ? sampled / idle : 0 }'
