#!/bin/bash
# vm-mem: 2048
# vm-timeout: 900
# bench/memfree-lag.sh: how soon a killed agent's memory shows as available.
# nova-reliefd counts a victim's memory as freed once its cgroup is empty;
# this measures when MemAvailable agrees, on the guest's kernel. Per round:
# two services hold 88 % of the guest, a third 8 % more, the largest is
# killed through cgroup.kill; /proc/meminfo is then sampled every 50 ms for
# 6 s from the moment its cgroup is empty. From the build directory, once per release:
#     NOVA_VM_SUITE=trixie top_srcdir=$SRC top_builddir=$PWD $SRC/tests/vm/vm-exec $SRC/bench/memfree-lag.sh
. ./lib.sh
cat > /usr/local/bin/ramp <<'PY'
#!/usr/bin/python3
# ramp BYTES [MB_PER_S]: allocate and touch BYTES in 4 MiB steps, then hold.
import sys, time
want, rate = int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 400
chunks, step, have = [], 4 << 20, 0
while have < want:
    chunks.append(bytearray(min(step, want - have))); have += len(chunks[-1])
    time.sleep(step / (rate * 1e6))
while True:
    time.sleep(3600)
PY
chmod 755 /usr/local/bin/ramp
total=$(meminfo MemTotal)
cg() { echo "/sys/fs/cgroup/system.slice/$1.service"; }
held() { [ "$(cat "$(cg "$1")/memory.current")" -ge "$2" ]; }
diag "kernel $(uname -r), $(( total >> 20 )) MiB, THP $(grep -o '\[[a-z]*\]' /sys/kernel/mm/transparent_hugepage/enabled)"
diag "| round | killed (MiB) | used at the kill | expected after | first read, cgroup empty | after 6 s | ms to within 1 point of it |"
for r in 1 2 3; do
	room=$(( total * 88 / 100 - (total - $(meminfo MemAvailable)) ))
	systemd-run -q --unit="big$r" -p MemorySwapMax=0 /usr/local/bin/ramp $(( room * 6 / 10 ))
	systemd-run -q --unit="small$r" -p MemorySwapMax=0 /usr/local/bin/ramp $(( room * 4 / 10 ))
	wait_for 120 held "big$r" $(( room * 6 / 10 )) && wait_for 120 held "small$r" $(( room * 4 / 10 ))
	# push holds its 8 % before the kill: nothing grows while the sampler reads.
	systemd-run -q --unit="push$r" -p MemorySwapMax=0 /usr/local/bin/ramp $(( total * 8 / 100 )) 200
	ok "round $r: 96 % held" wait_for 120 held "push$r" $(( total * 8 / 100 ))
	big=$(cat "$(cg "big$r")/memory.current") at=$(used_pct) exp=$(awk -v t="$total" -v a="$(meminfo MemAvailable)" -v b="$big" 'BEGIN { printf "%.1f", 100 * (t - a - b) / t }')
	# One process kills, waits for the empty cgroup, then prints "ms since
	# empty, used %" every 50 ms for 6 s (under TCG a fork costs more).
	samples=$(python3 -c 'import os, sys, time
def used():
    m = dict(l.split()[:2] for l in open("/proc/meminfo"))
    return 100 * (int(m["MemTotal:"]) - int(m["MemAvailable:"])) / int(m["MemTotal:"])
open(sys.argv[1] + "/cgroup.kill", "w").write("1")
def populated():
    try:
        return "populated 1" in open(sys.argv[1] + "/cgroup.events").read()
    except FileNotFoundError:
        return False
while populated():
    time.sleep(0.005)
t0 = time.monotonic()
while time.monotonic() - t0 < 6:
    print("%d %.1f" % ((time.monotonic() - t0) * 1000, used())); time.sleep(0.05)' "$(cg "big$r")")
	first=$(head -n 1 <<<"$samples" | cut -d' ' -f2) last=$(tail -n 1 <<<"$samples" | cut -d' ' -f2)
	settle=$(awk -v l="$last" 'BEGIN { t = -1 } $2 - l > 1 { t = -1 } $2 - l <= 1 && t < 0 { t = $1 } END { print t }' <<<"$samples")
	diag "| $r | $(( big >> 20 )) | $at % | $exp % | $first % | $last % | $settle |"
	systemctl stop "small$r" "push$r"; systemctl reset-failed 2>/dev/null; sleep 3
done
done_testing
