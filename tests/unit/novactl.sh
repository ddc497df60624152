#!/bin/sh
# novactl's refusals that need no systemd: bad syntax and names (exit 2) and
# a closed or unreadable admission state (exit 4) are decided before the
# bus is touched, so they are tested here on any build host. Speaks TAP.
set -u

bin=${top_builddir:?run through make check}/helpers/novactl/novactl
tmp=$(mktemp -d "${TMPDIR:-/tmp}/novactl.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
NOVA_AGENTS_RUNDIR=$tmp/run
export NOVA_AGENTS_RUNDIR
mkdir -p "$NOVA_AGENTS_RUNDIR"

n=0 failed=0
# exits WANT REGEX DESCRIPTION -- ARGS…: novactl ARGS exits WANT, stderr (or stdout) matches REGEX.
exits() {
	want=$1 re=$2 desc=$3; shift 4
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
	n=$((n + 1))
	if [ "$got" = "$want" ] && cat "$tmp/err" "$tmp/out" | grep -Eq -- "$re"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "#   exit $got, want $want; output must match: $re"
		sed 's/^/#   stderr: /' "$tmp/err"
		failed=$((failed + 1))
	fi
}

exits 0 '^Usage: novactl' "--help" -- --help
exits 0 '^novactl [0-9]' "--version" -- --version
exits 2 'no verb given' "no verb" --
exits 2 'unknown verb "frobnicate"' "unknown verb" -- frobnicate
exits 2 'too few arguments' "spawn without a name" -- spawn
exits 2 'invalid agent name "a:b"' "spawn: name with ':'" -- spawn a:b -- /bin/true
exits 2 'invalid agent name "\.\."' "spawn: name '..'" -- spawn .. -- /bin/true
exits 2 'one agent name before' "spawn: no name before --" -- spawn -- -x
exits 2 'invalid agent name' "spawn: 65 characters" -- spawn aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa -- /bin/true
exits 2 'one agent name' "spawn: two names" -- spawn a b -- /bin/true
exits 2 '^novactl: --env 1BAD=x: ' "spawn: bad --env name" -- spawn a --env 1BAD=x -- /bin/true
exits 2 '^novactl: --env NOVA_AGENT_NAME=x: ' "spawn: reserved --env" -- spawn a --env NOVA_AGENT_NAME=x -- /bin/true
exits 2 '^novactl: --workspace rel/ws: ' "spawn: relative --workspace" -- spawn a --workspace rel/ws -- /bin/true
exits 2 'unrecognized option' "spawn: unknown option" -- spawn a --bogus -- /bin/true
# Secrets: never a value on the command line, never a value in a message.
# no_value WHAT: the last refusal printed no secret value.
no_value() {
	n=$((n + 1))
	if cat "$tmp/err" "$tmp/out" | grep -q hunter2; then echo "not ok $n - $1 prints no secret value"; failed=$((failed + 1))
	else echo "ok $n - $1 prints no secret value"; fi
}
exits 2 '^novactl: --secret wants ID=@FILE' "spawn: --secret with a value is refused" -- spawn a --secret TOKEN=hunter2 -- /bin/true
no_value "--secret refusal"
exits 2 'invalid ID' "spawn: --secret with a bad ID" -- spawn a --secret ../x=@/dev/null -- /bin/true
exits 2 'stdin \("-"\) is read once' "spawn: stdin for two secrets is refused" -- spawn a --secret A=@- --secret B=@- -- /bin/true
exits 2 '^novactl: --secret TOKEN: /nonexistent: No such file' "spawn: --secret from a missing file" -- spawn a --secret TOKEN=@/nonexistent -- /bin/true
exits 2 '^novactl: --env-file /nonexistent: No such file' "spawn: missing --env-file" -- spawn a --env-file /nonexistent -- /bin/true
printf 'GOOD=1\r\n1BAD=hunter2\n' > "$tmp/env"
exits 2 '^novactl: --env-file .*/env:2: "1BAD": ' "spawn: bad --env-file line, with its number" -- spawn a --env-file "$tmp/env" -- /bin/true
no_value "--env-file refusal"
exits 2 '^novactl: spawn -H: --secret needs the local host' "spawn -H with a secret is refused" -- -H h spawn a --secret A=@/dev/null
exits 2 'names or --all' "stop: nothing to stop" -- stop
exits 2 'names or --all' "stop: names and --all" -- stop --all a
exits 2 'invalid agent name' "stop: bad name" -- stop 'a/b'
exits 2 'invalid agent name' "status: bad name" -- status 'a\x2fb'
exits 2 '--to wants a percentage' "relieve --to 0" -- relieve --to 0
exits 2 '--to wants a percentage' "relieve --to 101" -- relieve --to 101
exits 2 '--to wants a percentage' "relieve --to abc" -- relieve --to abc
exits 2 '--sort wants' "memory --sort size" -- memory --sort size
exits 2 'takes no arguments' "count with an argument" -- count x
exits 2 'ensure wants one COUNT' "ensure -1" -- ensure -- -1
exits 2 'ensure wants one COUNT' "ensure abc" -- ensure abc
exits 2 '--parallel wants' "ensure --parallel 0" -- ensure 3 --parallel 0
exits 2 'not a valid start' "ensure --template a:b" -- ensure 3 --template a:b
exits 2 'relieve works on the local host only' "-H relieve is refused (needs local /proc)" -- -H root@localhost relieve
exits 2 'capacity works on the local host only' "-H capacity is refused" -- --host=h capacity
exits 2 'run works on the local host only' "-H run is refused (a scope takes local PIDs)" -- -Hh run -- /bin/true
exits 2 'stop takes one -H' "several -H for stop are refused" -- -H a -H b stop x
exits 2 '^novactl: -H wants \[USER@\]HOST$' "-H without a host" -- count -H
exits 2 'CMD, --workspace and --env need the local host' "spawn -H with a command is refused" -- -H h spawn a -- /bin/true
exits 2 'run wants a command after' "run without a command" -- run --name x
exits 2 'run wants a command after' "run with an argument before --" -- run x -- /bin/true
exits 2 'invalid name "a/b"' "run --name a/b" -- run --name a/b -- /bin/true

printf 'state=closed\nsince=1700000000000000\nused_percent=86.2\nreason=used 86.2%% >= 85%%\n' > "$NOVA_AGENTS_RUNDIR/admission"
exits 4 'admission is closed since .*used 86.2% >= 85%.*not starting a1 \(--force overrides\)' \
	"spawn while admission is closed" -- spawn a1 -- /bin/true
n=$((n + 1))
if [ ! -e "$NOVA_AGENTS_RUNDIR/a1.conf" ]; then echo "ok $n - the refused spawn wrote nothing"
else echo "not ok $n - the refused spawn wrote nothing"; failed=$((failed + 1)); fi
exits 4 'admission is closed .*not starting nova-run-t1\.scope' "run while admission is closed" -- run --name t1 -- /bin/true
printf 'state=maybe\n' > "$NOVA_AGENTS_RUNDIR/admission"
exits 4 'cannot read the admission state .*/admission:1: state= is neither' \
	"an unreadable admission state refuses too (fail closed)" -- spawn a1 -- /bin/true
printf 'state=open\n' > "$NOVA_AGENTS_RUNDIR/admission"
exits 2 'invalid agent name' "admission open: the name is still checked first" -- spawn 'a b'

echo "1..$n"
[ "$failed" = 0 ]
