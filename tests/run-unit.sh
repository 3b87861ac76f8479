#!/bin/sh
# Run every cmocka unit binary in <build>/tests, then the store suite once
# per store plugin.  Exits non-zero if any fails.
set -u
out=${1:-build/test}
fail=0
export PGL_PLUGIN_DIR="$out/plugins" PGL_TEST_PLUGIN_DIR="$out/tests/plugins"
for t in "$out"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *test_store) continue ;; esac
	echo "== $(basename "$t")"
	"$t" || fail=1
done
if [ -x "$out/tests/test_store" ]; then
	tmp=$(mktemp -d)
	for p in store-memory store-sqlite; do
		echo "== test_store ($p)"
		PGL_STORE_PLUGIN="$out/plugins/$p.so" PGL_STORE_PATH="$tmp/$p.db" \
			"$out/tests/test_store" || fail=1
	done
	rm -rf "$tmp"
fi
exit $fail
