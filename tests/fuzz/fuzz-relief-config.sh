#!/bin/sh
# The reliefd.conf fuzz target over its corpus (tests/fuzz/corpus-relief-config).
exec "${top_builddir:?run through make check}/tests/fuzz/fuzz-relief-config-replay" \
	"${top_srcdir:?}/tests/fuzz/corpus-relief-config"
