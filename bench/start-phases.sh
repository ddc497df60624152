#!/bin/bash
# vm-mem: 2048
# vm-smp: 2
# vm-timeout: 1800
# bench/start-phases.sh: where one agent start goes (issue 11, "a cheaper
# start"), from PID 1's own microsecond timestamps of each unit: the start
# job's begin (InactiveExitTimestamp), each command's fork and exit
# (ExecStartPre=, ExecStart=), active (ActiveEnterTimestamp). Beside it, in
# the same guest and run: a bare `systemd-run -p DynamicUser=yes` service
# with the agent unit's sandbox (the issue's yardstick), the same with the
# sandbox settings only the agent unit has, and the agent unit with one more
# '+' spawn before its start (what the ExecCondition= admission check cost
# until it became a unit condition). BENCH_N (30) starts of each, one at a
# time, interleaved.
#
# In a disposable guest (from the build directory, after
# `make tests/vm/stage.stamp`):
#     NOVA_VM_SUITE=trixie top_srcdir=$SRC top_builddir=$PWD $SRC/tests/vm/vm-exec $SRC/bench/start-phases.sh
# Goal (issue 11): an agent start <= 1.5x the bare DynamicUser service.
# Printed, never asserted; the checks are that every start really started.
set -u
. ./lib.sh
n=${BENCH_N:-30}
[ -f "${NOVA_VM_OUT:-/nonexistent}/../extra/bench.env" ] && . "$NOVA_VM_OUT/../extra/bench.env" && n=${BENCH_N:-$n}
out() { diag "$@"; echo "$*" >> "$NOVA_VM_OUT/start-phases-table.txt"; }
ms() { echo $(($(date +%s%N) / 1000000)); }

# phases UNIT…: "wall_ms total_ms pre_ms gap_ms main_ms", means over the
# units: total = start job begin -> active; pre = ExecStartPre='s fork ->
# exit (0 if none); gap = its exit -> ExecStart='s fork; main = ExecStart='s
# fork -> active (Type=exec: the executor's sandbox setup up to execve).
cat > /tmp/phases.py <<'EOF'
import json, subprocess, sys
def prop(unit, iface, name):
    path = "/org/freedesktop/systemd1/unit/" + "".join(c if c.isalnum() else "_%02x" % ord(c) for c in unit)
    out = subprocess.run(["busctl", "--json=short", "get-property", "org.freedesktop.systemd1", path,
                          "org.freedesktop.systemd1." + iface, name], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["data"]
sums = [0.0] * 4
for unit in sys.argv[1:]:
    begin = prop(unit, "Unit", "InactiveExitTimestampMonotonic")
    active = prop(unit, "Unit", "ActiveEnterTimestampMonotonic")
    pre = prop(unit, "Service", "ExecStartPre")        # (path, argv, ignore, start_rt, start_mono, exit_rt, exit_mono, …)
    main = prop(unit, "Service", "ExecStart")[0][4]
    pre_ms = sum(c[6] - c[4] for c in pre)
    gap = main - (pre[-1][6] if pre else begin)
    for i, v in enumerate((active - begin, pre_ms, gap, active - main)):
        sums[i] += v / 1000.0
print(" ".join("%.0f" % (s / (len(sys.argv) - 1)) for s in sums))
EOF
declare -A wall phase
# series KEY…: n starts of each KEY (units KEY-1…KEY-n), interleaved (one of
# each in turn, so that a drift of the guest's speed hits all alike), then
# every unit's phases.
series() {
	local i key t0 units=()
	for key; do wall[$key]=0; done
	for ((i = 1; i <= n; i++)); do
		for key; do
			t0=$(ms); "$key" "$key-$i"; wall[$key]=$((wall[$key] + $(ms) - t0))
		done
	done
	for key; do
		wall[$key]=$((wall[$key] / n))
		mapfile -t units < <(systemctl list-units --no-legend --plain --state=active "*$key-*" | awk '{ print $1 }')
		is "${#units[@]}" "$n" "$key: $n started"
		phase[$key]=$(python3 /tmp/phases.py "${units[@]}")
	done
	systemctl stop nova-agents.slice
	systemctl reset-failed 2>/dev/null
}
agent() { systemctl start "nova-agent@$1"; }
agent_spawn() { systemctl start "nova-agent@$1"; }
. ./bare-sandbox.sh
bare() { systemd-run --quiet --unit="$1" --slice=nova-agents.slice "${bare_sandbox[@]}" /bin/sleep infinity; }
bare2() { bare "$@"; }
bare_more() { systemd-run --quiet --unit="$1" --slice=nova-agents.slice "${bare_sandbox[@]}" "${bare_sandbox_more[@]}" /bin/sleep infinity; }

printf 'Command=/bin/sleep infinity\n' > /etc/nova-agents/default.conf
agent warm; systemctl stop nova-agents.slice # first start: caches, the pool's state
series agent bare bare_more
# One '+' spawn more (/bin/true) before the start: what ExecCondition= cost.
mkdir -p /etc/systemd/system/nova-agent@.service.d
printf '[Service]\nExecCondition=+/bin/true\n' > /etc/systemd/system/nova-agent@.service.d/spawn.conf
systemctl daemon-reload
series agent_spawn bare2
rm /etc/systemd/system/nova-agent@.service.d/spawn.conf
systemctl daemon-reload

t0=$(ms)
for ((i = 1; i <= n; i++)); do RUNTIME_DIRECTORY=/run/nova-agents/agents/hand /usr/libexec/nova-agent-host/nova-agent-exec --prepare hand >/dev/null; done
t1=$(ms); prep_ms=$(((t1 - t0) / n))
t0=$(ms); for ((i = 1; i <= n; i++)); do /bin/true; done; t1=$(ms); true_ms=$(((t1 - t0) / n))

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
out "bench/start-phases.sh $(date -u +%Y-%m-%d), $(nproc) vCPUs, $(systemctl --version | head -n1), kernel $(uname -r), $n starts each, interleaved"
out "| start of | wall per start | PID 1: begin -> active | ExecStartPre= run | gap | ExecStart= fork -> active | vs bare (same series) | goal |"
out "|---|---|---|---|---|---|---|---|"
for key in agent bare_more bare agent_spawn bare2; do
	read -r total pre gap main <<<"${phase[$key]}"
	ref=bare goal=
	[ "$key" = agent ] && goal="<= 1.5x"
	case $key in agent_spawn | bare2) ref=bare2 ;; esac
	read -r b_total _ <<<"${phase[$ref]}"
	out "| $key | ${wall[$key]} ms | $total ms | $pre ms | $gap ms | $main ms | $(ratio "$total" "$b_total")x | $goal |"
done
out "| by hand, as root: nova-agent-exec --prepare; /bin/true | $prep_ms ms; $true_ms ms | | | | | | |"
done_testing
