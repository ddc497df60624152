#!/bin/sh
# nova-setup-host's command line, without touching the build host: usage
# errors (exit 2) come before anything else, and a non-root run is refused
# with one line (exit 3). What it does to a host is tests/vm/setup-host.vmt.
# Speaks TAP.
set -u

bin=${top_builddir:?run through make check}/helpers/setup/nova-setup-host
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nova-setup-host.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
is() { # is GOT WANT DESCRIPTION
	n=$((n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
		sed 's/^/#   stderr: /' "$tmp/err"
		failed=$((failed + 1))
	fi
}
run() { "$bin" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

run --help
is "$rc" 0 "--help: exit 0"
is "$(grep -c '^5 --check found drift\|5 --check found drift' "$tmp/out")" 1 "--help documents the exit codes"
for args in "--bogus" "--slots 0" "--slots 100000" "--slots -1" "--slots 12x" "--check --revert" \
	"--dry-run --check" "--purge-workspaces" "--check --purge-workspaces" "extra"; do
	# shellcheck disable=SC2086
	run $args
	is "$rc" 2 "usage error: $args -> exit 2"
	is "$(wc -l <"$tmp/out")" 0 "usage error: $args -> nothing on stdout"
done

# Not root: with root here, drop to nobody if we can; otherwise this is a root-less build host.
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" --check >"$tmp/out" 2>"$tmp/err"
		rc=$?
	else
		rc=skip
	fi
else
	run --check
fi
if [ "$rc" = skip ]; then
	n=$((n + 1)); echo "ok $n # SKIP no setpriv to drop root"
	n=$((n + 1)); echo "ok $n # SKIP no setpriv to drop root"
else
	is "$rc" 3 "not root: exit 3"
	is "$(wc -l <"$tmp/err")/$(head -c 40 "$tmp/err")" "1/nova-setup-host: must be run as root (tr" "not root: one line on stderr"
fi

echo "1..$n"
[ "$failed" = 0 ]
