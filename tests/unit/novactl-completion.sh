#!/bin/bash
# The bash completion of novactl (shell-completion/novactl) driven the way
# bash drives it: COMP_WORDS/COMP_CWORD set, the function called, COMPREPLY
# read. Agent names come from systemctl, which this build host need not
# have running; those cases are covered by nothing here. Speaks TAP.
set -u
bc=/usr/share/bash-completion/bash_completion
if [ ! -r "$bc" ]; then echo "1..0 # SKIP bash-completion not installed ($bc)"; exit 0; fi
. "$bc"
. "${top_srcdir:?run through make check}/shell-completion/novactl"

n=0 failed=0
# comp WANT LINE…: completing the last word of LINE gives exactly WANT (sorted, space-separated).
comp() {
	local want=$1; shift
	COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_novactl novactl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	local got; got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
	n=$((n + 1))
	if [ "$got" = "$want" ]; then echo "ok $n - '$*' -> $want"
	else echo "not ok $n - '$*' -> $want"; echo "#   got: '$got'"; failed=$((failed + 1)); fi
}

comp "spawn status stop" novactl s
comp "capacity count" novactl c
comp "relieve restart run" novactl r
comp "ensure" novactl --json e
comp "status stop" novactl -H host st
comp "age mem tasks" novactl memory --sort ''
comp "--parallel" novactl ensure 3 --par
comp "--all" novactl stop --a
comp "--dry-run" novactl relieve --dr
comp "--env --env-file" novactl spawn a --e
comp "--secret" novactl spawn a --sec
comp "--name" novactl run --na
comp "" novactl relieve --to ''
comp "--host" novactl --ho
comp "--floor" novactl metrics --fl
comp "--health" novactl restart --all --hea
comp "growth" novactl top --sort g
echo "1..$n"
[ "$failed" = 0 ]
