#!/bin/sh
# The Debian package builds from `make dist` (packaging/build-deb) and
# lintian finds no error and no warning in it, for Debian 12 "bookworm" and
# Debian 13 "trixie" (each with its own compiler, debhelper and lintian: on
# a host of that release directly, otherwise in a cached chroot of it, see
# packaging/deb-chroot). Speaks TAP.
out=${top_builddir:?run through make check}/tests/deb
if ! command -v dpkg-buildpackage >/dev/null || ! command -v lintian >/dev/null || ! command -v mmdebstrap >/dev/null; then
	echo "1..0 # SKIP dpkg-dev, lintian or mmdebstrap not installed (tests/install-deps installs them)"
	exit 0
fi
echo "1..6"
for suite in bookworm trixie; do
	rm -rf "${out:?}/$suite"
	mkdir -p "$out/$suite"
	if NOVA_DEB_SUITE=$suite "${top_srcdir:?}/packaging/build-deb" "$out/$suite" >"$out/$suite.log" 2>&1; then
		echo "ok - $suite: packaging/build-deb builds the .deb"
	else
		echo "not ok - $suite: packaging/build-deb builds the .deb"; sed 's/^/# /' "$out/$suite.log" | tail -n 20
	fi
	lint=$out/$suite/lintian.txt
	tags=$(grep -E '^E: ' "$lint" 2>/dev/null)
	[ -s "$lint" ] && [ -z "$tags" ] && echo "ok - $suite: lintian: no errors" ||
		{ echo "not ok - $suite: lintian: no errors"; echo "$tags" | sed 's/^/# /'; }
	tags=$(grep -E '^W: ' "$lint" 2>/dev/null)
	[ -s "$lint" ] && [ -z "$tags" ] && echo "ok - $suite: lintian: no warnings" ||
		{ echo "not ok - $suite: lintian: no warnings"; echo "$tags" | sed 's/^/# /'; }
	grep -E '^I: ' "$lint" 2>/dev/null | sed "s/^/# $suite: info tag: /"
done
