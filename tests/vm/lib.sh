# TAP helpers for guest-side VM tests (sourced by every *.vmt).
# The counter lives on the guest's disk so a test that reboots keeps counting.
_tap_count_file=${NOVA_VM_STATE:-/tmp}/tap-count
_tap_n() { cat "$_tap_count_file" 2>/dev/null || echo 0; }
_tap_next() { local n; n=$(( $(_tap_n) + 1 )); echo "$n" > "$_tap_count_file"; echo "$n"; }

# ok DESC CMD…: passes when CMD succeeds.
ok() {
	local desc=$1; shift
	if "$@"; then echo "ok $(_tap_next) - $desc"
	else echo "not ok $(_tap_next) - $desc"; fi
}
# is GOT EXPECTED DESC
is() {
	if [ "$1" = "$2" ]; then echo "ok $(_tap_next) - $3"
	else echo "not ok $(_tap_next) - $3"; echo "#   got:      '$1'"; echo "#   expected: '$2'"; fi
}
# like GOT REGEX DESC
like() {
	if [[ $1 =~ $2 ]]; then echo "ok $(_tap_next) - $3"
	else echo "not ok $(_tap_next) - $3"; echo "#   got:      '$1'"; echo "#   expected to match: '$2'"; fi
}
# within GOT LOW HIGH DESC: LOW <= GOT <= HIGH (decimals allowed)
within() {
	if awk -v g="$1" -v l="$2" -v h="$3" 'BEGIN { exit !(g != "" && g+0 >= l+0 && g+0 <= h+0) }'
	then echo "ok $(_tap_next) - $4 ($1 in [$2, $3])"
	else echo "not ok $(_tap_next) - $4"; echo "#   got: '$1', expected within [$2, $3]"; fi
}
# fails CMD…: succeeds when CMD fails (for ok "…" fails CMD…).
fails() { ! "$@"; }
skip() { echo "ok $(_tap_next) - $1 # SKIP $2"; }
diag() { echo "# $*"; }
done_testing() { echo "1..$(_tap_n)"; }
# vm_reboot: end this boot; the host boots the same disk again and the test
# runs anew with NOVA_VM_BOOT incremented.
vm_reboot() { touch "$NOVA_VM_OUT/reboot"; exit 0; }

# wait_for SECONDS CMD…: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local deadline=$(( $(date +%s) + $1 )); shift
	until "$@"; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}
# agent_settled NAME: wait (60 s) until nova-agent@NAME failed or stopped, or
# its launcher has exec'd the agent's command. A Type=exec start returns once
# nova-agent-exec runs, before it decides whether the agent may.
agent_settled() {
	wait_for 60 sh -c 'u=nova-agent@$1
		case $(systemctl is-active "$u") in
		failed|inactive) exit 0 ;;
		active) [ "$(cat "/proc/$(systemctl show -P MainPID "$u")/comm" 2>/dev/null)" != nova-agent-exec ] ;;
		*) exit 1 ;;
		esac' sh "$1"
}
# journal_wait UNIT ERE: wait (30 s) until this boot's journal of UNIT has a
# line matching ERE: journald stores PID 1's and a service's lines after the
# state change that a test sees first.
journal_wait() { wait_for 30 sh -c 'journalctl -b -u "$1" -o cat | grep -Eq "$2"' sh "$1" "$2"; }
# mono_usec: CLOCK_MONOTONIC in us, the clock of systemd's *TimestampMonotonic
# properties. Not awk on /proc/uptime: mawk's printf %d stops at 2^31-1, so
# after 36 min of uptime every "us since boot" read the same 2147483647.
mono_usec() { python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000)'; }
# cgroup_dir UNIT: the unit's directory in cgroupfs.
cgroup_dir() { echo "/sys/fs/cgroup$(systemctl show -P ControlGroup "$1")"; }
# agent_conf NAME LINE…: write /etc/nova-agents/agents/NAME.conf.
agent_conf() {
	local name=$1; shift
	mkdir -p /etc/nova-agents/agents
	printf '%s\n' "$@" > "/etc/nova-agents/agents/$name.conf"
}
# operator_send USER LINE…: each LINE to the operators' broker
# (nova-agent-operator.socket) as USER, printing its reply line for each
# ("EOF" if it closed), or "connect: ERRNO-TEXT" when the kernel refused.
operator_send() {
	local user=$1; shift
	runuser -u "$user" -- python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("/run/nova-agent-operator.sock")
except OSError as e:
    print("connect: " + e.strerror); sys.exit(0)
f = s.makefile("rw")
for line in sys.argv[1:]:
    f.write(line + "\n"); f.flush()
    print(f.readline().rstrip("\n") or "EOF")
' "$@"
}
# unit_dropin UNIT LINE…: a test drop-in for UNIT, then daemon-reload.
unit_dropin() {
	local unit=$1; shift
	mkdir -p "/etc/systemd/system/$unit.d"
	printf '%s\n' "$@" > "/etc/systemd/system/$unit.d/50-test.conf"
	systemctl daemon-reload
}

# meminfo KEY: /proc/meminfo's KEY (MemTotal, MemAvailable, …) in bytes. printf, not
# print: mawk prints numbers >= 2^31 as 2.2528e+09, which shell arithmetic refuses.
meminfo() { awk -v k="$1:" '$1 == k { printf "%.0f\n", $2 * 1024 }' /proc/meminfo; }
# used_pct [DECIMALS]: host memory in use, (MemTotal - MemAvailable) / MemTotal, in percent (1 decimal).
used_pct() {
	awk -v d="${1:-1}" '$1 == "MemTotal:" { t = $2 } $1 == "MemAvailable:" { a = $2 }
		END { printf "%." d "f", 100 * (t - a) / t }' /proc/meminfo
}
