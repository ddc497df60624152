#!/bin/bash
# The shipped alert rules (prometheus/nova-agents.rules.yml): promtool's
# syntax check, then `promtool test rules` on synthetic series where each
# alert fires on one host and stays silent on another
# (nova-agents.rules.test.yml). promtool is in Debian's prometheus package
# (tests/install-deps installs it). Speaks TAP.
set -u
src=${top_srcdir:?run through make check}
if ! command -v promtool >/dev/null 2>&1; then
	echo "1..0 # SKIP promtool not installed (Debian: apt-get install prometheus)"
	exit 0
fi
n=0 failed=0
check() { # DESCRIPTION COMMAND…
	local what=$1 out; shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then echo "ok $n - $what"
	else echo "not ok $n - $what"; printf '%s\n' "$out" | sed 's/^/#   /'; failed=$((failed + 1)); fi
}
check "promtool check rules: the rules file is valid" promtool check rules "$src/prometheus/nova-agents.rules.yml"
check "promtool test rules: every alert fires and stays silent where it should" \
	promtool test rules "$src/tests/unit/nova-agents.rules.test.yml"
echo "1..$n"
[ "$failed" = 0 ]
