#!/bin/bash
# vm-mem: 6144
# vm-smp: 2
# vm-timeout: 5400
# bench/novactl.sh [START_N] [STATUS_N]: novactl against the alternatives,
# measured in the same run on the same (guest) host, printed as ratios.
#
#   1. Start START_N agents (default 500): `novactl ensure` vs a loop of
#      `systemd-run` (a transient service per agent, same caps) vs a loop of
#      `systemctl start nova-agent@X` vs the field report's controlled-parallel
#      shell rounds (15 per round, 3 s apart; seed 002, spawn-daemons.sh).
#      Goal: ensure >= 10x faster than the systemd-run loop.
#   2. Status of STATUS_N agents (default 1000): `novactl status --json` vs
#      `systemctl status 'nova-agent@*'` vs one raw read of the same cgroupfs
#      files. Goal: <= 2x the raw read, >= 20x faster than systemctl.
#
#   In a disposable guest of the VM suite (from the build directory, after
#   `make check` staged the install tree once, or `make tests/vm/stage.stamp`):
#       NOVA_VM_TIMEOUT=3600 top_srcdir=/path/to/src top_builddir=$PWD \
#           /path/to/src/tests/vm/vm-exec /path/to/src/bench/novactl.sh
#   On a real host (as root, with no agents running; it starts and stops
#   agent-* units and bench-run-* services):  sudo bench/novactl.sh 500 1000
#
# Timings are printed, never asserted: the only checks are that each method
# really started every agent. Under QEMU TCG everything is 10-50x slower
# than on hardware; the ratios are what to read.
set -u
start_n=${1:-500}
status_n=${2:-1000}
slice=/sys/fs/cgroup/nova.slice/nova-agents.slice

if [ -n "${NOVA_VM_OUT:-}" ] && [ -f ./lib.sh ]; then
	. ./lib.sh
	say() { diag "$@"; }
else
	say() { echo "$@"; }
	is() { [ "$1" = "$2" ] && echo "ok - $3" || echo "not ok - $3 (got $1, want $2)"; }
	done_testing() { :; }
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }
running() { systemctl list-units --no-legend --plain --state=active,activating "$1" | wc -l; }
clean() {
	systemctl stop nova-agents.slice
	systemctl reset-failed 'nova-agent@*' 'bench-run-*' 2>/dev/null
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%.0f", n * 1000 / ms; else print "inf" }'; }

mkdir -p /etc/nova-agents
printf 'Command=/bin/sleep infinity\n' > /etc/nova-agents/default.conf
clean

# --- 1. Start START_N agents -------------------------------------------------
t0=$(now_ms); novactl ensure "$start_n" --parallel 16 >/dev/null; t1=$(now_ms)
ensure_ms=$((t1 - t0))
is "$(running 'nova-agent@agent-*')" "$start_n" "novactl ensure started $start_n agents"
clean

t0=$(now_ms)
for ((i = 1; i <= start_n; i++)); do
	systemd-run --quiet --unit="bench-run-$i" --slice=nova-agents.slice -p MemoryMax=4G -p MemoryHigh=3G \
		-p MemorySwapMax=0 -p TasksMax=512 -p RuntimeMaxSec=30min /bin/sleep infinity
done
t1=$(now_ms)
run_ms=$((t1 - t0))
is "$(running 'bench-run-*')" "$start_n" "the systemd-run loop started $start_n services"
clean

t0=$(now_ms)
for ((i = 1; i <= start_n; i++)); do systemctl start "nova-agent@agent-$(printf %03d "$i")"; done
t1=$(now_ms)
loop_ms=$((t1 - t0))
is "$(running 'nova-agent@agent-*')" "$start_n" "the systemctl start loop started $start_n agents"
clean

# The seed's rounds: PAR at once in the background, then ROUND_DELAY.
par=15 delay=3 spawned=0
t0=$(now_ms)
while [ "$spawned" -lt "$start_n" ]; do
	batch=$par; [ $((start_n - spawned)) -lt "$batch" ] && batch=$((start_n - spawned))
	for ((i = 1; i <= batch; i++)); do systemctl start "nova-agent@agent-$(printf %03d $((spawned + i)))" & done
	wait
	spawned=$((spawned + batch))
	[ "$spawned" -lt "$start_n" ] && sleep "$delay"
done
t1=$(now_ms)
seed_ms=$((t1 - t0))
is "$(running 'nova-agent@agent-*')" "$start_n" "the seed's rounds started $start_n agents"
clean

say "start $start_n agents:"
say "  novactl ensure --parallel 16   ${ensure_ms} ms  ($(rate "$start_n" "$ensure_ms") agents/s)"
say "  systemd-run loop               ${run_ms} ms  ($(rate "$start_n" "$run_ms") agents/s)  ratio $(ratio "$run_ms" "$ensure_ms")x (goal >= 10x)"
say "  systemctl start loop           ${loop_ms} ms  ($(rate "$start_n" "$loop_ms") agents/s)  ratio $(ratio "$loop_ms" "$ensure_ms")x"
say "  seed rounds (15 per 3 s)       ${seed_ms} ms  ($(rate "$start_n" "$seed_ms") agents/s)  ratio $(ratio "$seed_ms" "$ensure_ms")x"

# --- 2. Status of STATUS_N agents --------------------------------------------
novactl ensure "$status_n" --parallel 32 >/dev/null
is "$(running 'nova-agent@agent-*')" "$status_n" "$status_n agents run for the status benchmark"
files=(memory.current memory.peak memory.max memory.events pids.current cgroup.events)
raw() {
	local f args=()
	for f in "${files[@]}"; do args+=("$slice"/nova-agent@*.service/"$f"); done
	cat "${args[@]}" >/dev/null 2>&1
}
# best of 3 (the page cache and PID 1 warm up on the first).
best() {
	local i t0 t1 b=
	for i in 1 2 3; do
		t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
		t=$(((t1 - t0) / 1000))
		[ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
	done
	echo "$b"
}
raw_us=$(best raw)
nova_us=$(best novactl status --json)
t0=$(date +%s%N); systemctl status --no-pager 'nova-agent@*' >/dev/null 2>&1; t1=$(date +%s%N)
sysd_us=$(((t1 - t0) / 1000))
is "$(novactl status --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["agents"]))')" \
	"$status_n" "novactl status --json lists $status_n agents"
clean

say "status of $status_n agents:"
say "  raw cgroupfs read (1 cat)      $((raw_us / 1000)) ms  ($(rate "$status_n" $((raw_us / 1000))) agents/s)"
say "  novactl status --json          $((nova_us / 1000)) ms  ($(rate "$status_n" $((nova_us / 1000))) agents/s)  $(ratio "$nova_us" "$raw_us")x the raw read (goal <= 2x)"
say "  systemctl status 'nova-agent@*' $((sysd_us / 1000)) ms  ($(rate "$status_n" $((sysd_us / 1000))) agents/s)  $(ratio "$sysd_us" "$nova_us")x slower than novactl (goal >= 20x)"
rm -f /etc/nova-agents/default.conf
done_testing
