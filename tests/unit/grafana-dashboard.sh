#!/bin/sh
# prometheus/nova-agents.dashboard.json (issue 16, item 5): valid JSON, and
# every nova_* series it queries is one the package writes: named in
# novactl(1) or nova-reliefd(8), where each series is documented. Speaks TAP.
src=${top_srcdir:-.}
dash=$src/prometheus/nova-agents.dashboard.json
echo "1..3"
if python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$dash" 2>/dev/null; then
	echo "ok 1 - the dashboard is valid JSON"
else
	echo "not ok 1 - the dashboard is valid JSON"
fi
used=$(grep -o 'nova_[a-z_]*' "$dash" | sort -u)
documented=$(cat "$src/man/novactl.1" "$src/man/nova-reliefd.8" | grep -o 'nova_[a-z_]*' | sort -u)
unknown=$(printf '%s\n' "$used" | grep -vxF "$documented")
if [ -n "$used" ] && [ -z "$unknown" ]; then
	echo "ok 2 - every series the dashboard queries is documented ($(echo "$used" | wc -l) names)"
else
	echo "not ok 2 - every series the dashboard queries is documented"; printf '# unknown: %s\n' $unknown
fi
# A query that names no nova_ series would show nothing of ours.
bare=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(sum(1 for p in d["panels"] for t in p["targets"] if "nova_" not in t["expr"]))' "$dash" 2>/dev/null)
[ "$bare" = 0 ] && echo "ok 3 - every panel query reads our series" || echo "not ok 3 - every panel query reads our series ($bare do not)"
