#!/bin/bash
# bench/setup-check.sh [RUNS]: how long `nova-setup-host --check` takes on a
# configured host, and proof that it writes nothing (strace).
#
#   On a host (as root; configures it first if --check reports drift):
#       sudo bench/setup-check.sh 50
#   In a disposable guest of the VM suite (from the build directory, after
#   `make check` has staged the install tree once, or `make tests/vm/stage.stamp`):
#       top_srcdir=/path/to/src top_builddir=$PWD \
#           /path/to/src/tests/vm/vm-exec /path/to/src/bench/setup-check.sh
#     There it prints TAP: the one assertion is "0 file writes"; times are
#     printed as diagnostics, never asserted (TCG guests are 10-50x slower).
set -u
S=${NOVA_SETUP_HOST:-/usr/sbin/nova-setup-host}
runs=${1:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${NOVA_VM_OUT:-}" ] && [ -f ./lib.sh ]; then
	. ./lib.sh
	say() { diag "$@"; }
else
	say() { echo "$@"; }
fi

"$S" --check >/dev/null 2>&1 || "$S" >/dev/null 2>&1
"$S" --check >"$tmp/check.out" 2>&1
rc=$?
[ -n "${NOVA_VM_OUT:-}" ] && is "$rc" 0 "the host is configured (--check exits 0)"

# timed LABEL CMD…: wall time of RUNS runs of CMD, min/median/max in ms.
timed() {
	local label=$1 i t0 t1; shift
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk -v l="$label" -v n="$runs" '{ v[NR] = $1 }
		END { printf "%s: %d runs, min %.1f ms, median %.1f ms, max %.1f ms\n", l, n, v[1] / 1000, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}
say "$(timed 'nova-setup-host --check' "$S" --check) (goal <= 100 ms)"
# Yardsticks on the same machine: one process start, and one systemctl D-Bus call.
say "$(timed 'baseline /bin/true' /bin/true)"
say "$(timed 'baseline systemctl is-enabled run-nova-scratch.mount' systemctl is-enabled run-nova-scratch.mount)"
# Where the time goes: system calls by count (-c), the bus round trips among them.
strace -f -qq -c -o "$tmp/summary" "$S" --check >/dev/null 2>&1 && sed -n '1,12p' "$tmp/summary" | while IFS= read -r l; do say "  $l"; done

# Every system call that can change a file, with fds annotated by path (-y).
strace -f -qq -y -o "$tmp/trace" \
	-e trace=open,openat,openat2,creat,write,writev,pwrite64,pwritev,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,rmdir,chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown,link,linkat,symlink,symlinkat,truncate,ftruncate,mknod,mknodat,utimensat \
	"$S" --check >/dev/null 2>&1
opens=$(grep -cE '\bopen(at2?)?\(.*(O_WRONLY|O_RDWR|O_CREAT|O_TRUNC)|\bcreat\(' "$tmp/trace")
# Writes to a file path; stdout/stderr (a pipe or /dev/null here) and the D-Bus socket are not files.
writes=$(grep -E '\b(write|writev|pwrite64|pwritev)\([0-9]+</' "$tmp/trace" | grep -cvE '\([0-9]+<(/dev/|socket:|pipe:)')
meta=$(grep -cE '\b(rename|renameat2?|unlink|unlinkat|mkdir|mkdirat|rmdir|chmod|fchmod|fchmodat|chown|fchown|fchownat|lchown|link|linkat|symlink|symlinkat|truncate|ftruncate|mknod|mknodat|utimensat)\(' "$tmp/trace")
total=$((opens + writes + meta))
say "nova-setup-host --check: $total file writes (opens for writing $opens, writes to files $writes, renames/unlinks/mkdirs/chmods $meta); $(grep -c . "$tmp/trace") traced calls"
if [ -n "${NOVA_VM_OUT:-}" ]; then
	is "$total" 0 "--check makes 0 file writes (strace)"
	[ "$total" -eq 0 ] || grep -E 'O_WRONLY|O_RDWR|O_CREAT|rename|unlink|mkdir|chmod|chown' "$tmp/trace" | head -n 20 | sed 's/^/# /'
	done_testing
fi
[ "$total" -eq 0 ]
