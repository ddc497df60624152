#!/bin/sh
# The Debian package builds from `make dist` (packaging/build-deb) and
# lintian finds no error and no warning in it. Speaks TAP.
out=${top_builddir:?run through make check}/tests/deb
if ! command -v dpkg-buildpackage >/dev/null || ! command -v lintian >/dev/null; then
	echo "1..0 # SKIP dpkg-dev or lintian not installed (tests/install-deps installs them)"
	exit 0
fi
echo "1..3"
rm -rf "$out"
if "${top_srcdir:?}/packaging/build-deb" "$out" >"$out.log" 2>&1; then echo "ok 1 - packaging/build-deb builds the .deb"
else echo "not ok 1 - packaging/build-deb builds the .deb"; sed 's/^/# /' "$out.log" | tail -n 20; fi
tags=$(grep -E '^E: ' "$out/lintian.txt" 2>/dev/null)
[ -s "$out/lintian.txt" ] && [ -z "$tags" ] && echo "ok 2 - lintian: no errors" || { echo "not ok 2 - lintian: no errors"; echo "$tags" | sed 's/^/# /'; }
tags=$(grep -E '^W: ' "$out/lintian.txt" 2>/dev/null)
[ -s "$out/lintian.txt" ] && [ -z "$tags" ] && echo "ok 3 - lintian: no warnings" || { echo "not ok 3 - lintian: no warnings"; echo "$tags" | sed 's/^/# /'; }
grep -E '^I: ' "$out/lintian.txt" 2>/dev/null | sed 's/^/# info tag: /'
