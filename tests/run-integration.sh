#!/bin/sh
# HTTP integration tests: the real binary of <build dir> (default
# build/test) against each store plugin, with node's built-in test runner.
# The memory pass runs every file; the sqlite pass skips the
# store-independent config.test.js.  Exits non-zero if either pass fails.
set -u
out=${1:-build/test}
cd "$(dirname "$0")/.." || exit 2

if [ ! -x "$out/pangolin" ]; then
	echo "run-integration: $out/pangolin not built (make FLAVOR=test build)" >&2
	exit 2
fi
for p in abi_mismatch no_symbol missing_methods undefined_symbol open_fails; do
	if [ ! -f "$out/tests/plugins/$p.so" ]; then
		echo "run-integration: $out/tests/plugins/$p.so missing" \
		    "(make FLAVOR=test build-unit)" >&2
		exit 2
	fi
done
command -v node >/dev/null || { echo "run-integration: node not found" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "run-integration: sqlite3 not found" >&2; exit 2; }

PGL_BIN=$(cd "$out" && pwd)/pangolin
export PGL_BIN

# TAP on stdout: tests/run-all.sh sums the "# pass N" / "# fail N" lines.
# Two files at a time: each runs its own server.
run() {
	store=$1
	shift
	echo "== integration ($store store)"
	PGL_STORE=$store node --test --test-reporter=tap --test-concurrency=2 "$@"
}

status=0
run memory tests/integration/*.test.js || status=1
run sqlite $(ls tests/integration/*.test.js | grep -v '/config\.test\.js$') ||
	status=1
exit $status
