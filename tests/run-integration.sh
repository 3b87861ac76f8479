#!/bin/sh
# HTTP integration tests: the real binary of <build dir> (default
# build/test) against each store plugin, with node's built-in test runner.
# The memory pass runs every file; the sqlite, postgres and mongo passes
# skip the store-independent config.test.js.  PostgreSQL and the
# MongoDB-protocol server are started here (tests/servers/) and stopped
# afterwards; every pangolin under test gets its own schema / database.
# Exits non-zero if any pass fails.
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

# connections.test.js holds 10,000 idle connections: this process and the
# servers it starts need the descriptors (root in CI may raise the hard
# limit; anyone else gets the hard limit, and the test needs 3,000).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null

# TAP on stdout: tests/run-all.sh sums the "# pass N" / "# fail N" lines.
# Two files at a time: each runs its own server.
run() {
	store=$1
	shift
	echo "== integration ($store store)"
	PGL_STORE=$store node --test --test-reporter=tap --test-concurrency=2 "$@"
}

srvdir=""
cleanup() {
	[ -n "$srvdir" ] || return 0
	sh tests/servers/postgres.sh stop "$srvdir/pg" >/dev/null 2>&1
	[ -x tests/servers/mongo.sh ] &&
		sh tests/servers/mongo.sh stop "$srvdir/mongo" >/dev/null 2>&1
	rm -rf "$srvdir"
	srvdir=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM
srvdir=$(mktemp -d)
chmod 755 "$srvdir"	# the PostgreSQL server runs as user postgres

# Start <script> on the first free port from one that depends on our PID;
# prints the server's URL.
start_server() {
	script=$1 dir=$2 base=$3
	mkdir -p "$dir"
	for port in $(seq "$base" $((base + 19))); do
		sh "$script" start "$dir" "$port" 2>"$dir.err" && return 0
	done
	cat "$dir.err" >&2
	return 1
}

files_but_config=$(ls tests/integration/*.test.js | grep -v '/config\.test\.js$')
status=0
run memory tests/integration/*.test.js || status=1
run sqlite $files_but_config || status=1
# iceberg-js again, authenticated by a bearer token from OAuth2 client
# credentials (auth on), on the embedded default store.
(export PGL_ICEBERG_AUTH=oauth; run sqlite tests/integration/iceberg_js.test.js) ||
	status=1
# ... and once more with its catalog on an S3 warehouse (Swift + s3api).
(export PGL_ICEBERG_S3=1; run sqlite tests/integration/iceberg_js.test.js) ||
	status=1
# ... and on a warehouse vending STS credentials from Ceph's RADOS Gateway
# (tests/servers/ceph.sh), the client asking for them on every table call.
(export PGL_ICEBERG_STS=1; run sqlite tests/integration/iceberg_js.test.js) ||
	status=1

if [ -f "$out/plugins/store-postgres.so" ]; then
	if PGL_PG_URL=$(start_server tests/servers/postgres.sh "$srvdir/pg" \
	    $((56432 + $$ % 400 * 10))); then
		export PGL_PG_URL
		run postgres $files_but_config || status=1
	else
		echo "run-integration: cannot start PostgreSQL" >&2
		status=1
	fi
fi
if [ -f "$out/plugins/store-mongo.so" ] && [ -f tests/servers/mongo.sh ]; then
	if PGL_MONGO_URL=$(start_server tests/servers/mongo.sh "$srvdir/mongo" \
	    $((47017 + $$ % 400 * 10))); then
		export PGL_MONGO_URL
		run mongo $files_but_config || status=1
	else
		echo "run-integration: cannot start the MongoDB-protocol server" >&2
		status=1
	fi
fi
exit $status
