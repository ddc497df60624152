#!/bin/sh
# novactl top's one frame (not a terminal) on a fixture cgroup tree: it needs
# no systemd (cgroupfs, meminfo and the admission file only), so it runs on
# any build host. Agents in memory order, --sort, the gauge's threshold
# lines, no colour without a terminal, and bad options. Speaks TAP.
set -u
bin=${top_builddir:?run through make check}/helpers/novactl/novactl
src=${top_srcdir:?run through make check}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/novactl-top.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
NOVACTL_CGROUP_ROOT=$tmp/cg NOVACTL_PROC_ROOT=$src/tests/data/meminfo/debian12-6.1
NOVA_AGENTS_RUNDIR=$tmp/run NOVA_AGENTS_CONFDIR=$tmp/etc
export NOVACTL_CGROUP_ROOT NOVACTL_PROC_ROOT NOVA_AGENTS_RUNDIR NOVA_AGENTS_CONFDIR
mkdir -p "$NOVA_AGENTS_RUNDIR" "$NOVA_AGENTS_CONFDIR"
slice=$NOVACTL_CGROUP_ROOT/nova.slice/nova-agents.slice
# agent NAME MEMORY TASKS
agent() {
	d=$slice/nova-agent@$1.service; mkdir -p "$d"
	echo "$2" > "$d/memory.current"; echo 4294967296 > "$d/memory.max"; echo "$3" > "$d/pids.current"
	printf 'oom_kill 0\n' > "$d/memory.events"; printf 'populated 1\n' > "$d/cgroup.events"
}
agent small 10485760 9
agent big 2147483648 1
agent mid 104857600 3
mkdir -p "$slice/nova-agent-warn@big.timer" "$slice/not-an-agent"
printf 'state=closed\nreason=used 86 %%\n' > "$NOVA_AGENTS_RUNDIR/admission"

n=0 failed=0
check() { # DESCRIPTION COMMAND…: COMMAND succeeds
	desc=$1; shift; n=$((n + 1))
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=$((failed + 1)); fi
}
names() { sed -n 's/^\(small\|big\|mid\) .*/\1/p' "$1" | tr '\n' ' '; }

"$bin" top > "$tmp/frame" 2> "$tmp/err"; rc=$?
check "not a terminal: one frame, exit 0" [ "$rc" = 0 ]
check "agents by memory: big mid small" [ "$(names "$tmp/frame")" = "big mid small " ]
check "three agents, nothing else of the slice" grep -q 'agents 3 ' "$tmp/frame"
check "admission closed, with its reason" grep -q '^admission CLOSED: used 86 %' "$tmp/frame"
check "host gauge with the 85 and 95 % lines" grep -Eq '^host memory \[[#.|]{50}\] +12\.0 % .*\| at 85 % and 95 %' "$tmp/frame"
check "two threshold marks in the gauge" [ "$(sed -n 's/^host memory \[\([^]]*\)\].*/\1/p' "$tmp/frame" | tr -cd '|' | wc -c)" = 2 ]
check "big: 2.0G, half its max: a half-full bar" grep -Eq '^big +2\.0G \[#{10} {10}\] +50% +1 +-$' "$tmp/frame"
check "no escape sequences without a terminal" sh -c "! grep -q \"$(printf '\033')\" '$tmp/frame'"
"$bin" top --sort tasks > "$tmp/tasks"
check "--sort tasks: small mid big" [ "$(names "$tmp/tasks")" = "small mid big " ]
"$bin" top --sort name > "$tmp/name"
check "--sort name: big mid small" [ "$(names "$tmp/name")" = "big mid small " ]
"$bin" top --sort size 2> "$tmp/err"; rc=$?
check "--sort size: exit 2 with a message" sh -c "[ $rc = 2 ] && grep -q 'sort wants' '$tmp/err'"
"$bin" top --delay 10ms 2>/dev/null; rc=$?
check "--delay below 100ms: exit 2" [ "$rc" = 2 ]
rm -rf "$NOVACTL_CGROUP_ROOT" "$NOVA_AGENTS_RUNDIR"/admission
"$bin" top > "$tmp/empty"; rc=$?
check "no slice yet: a frame of 0 agents, admission open" sh -c "[ $rc = 0 ] && grep -q '^admission open   agents 0 ' '$tmp/empty'"
echo "1..$n"
[ "$failed" = 0 ]
