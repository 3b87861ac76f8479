#!/bin/sh
# Two replicas on one PostgreSQL (issue 11): `sh tests/bench/replicas.sh`
# from the repository root after `make all`; tests/bench/run.sh calls it.
#
# Servers A and B (release build, 2 workers each, no-auth) share one
# schema of a throwaway PostgreSQL (tests/servers/postgres.sh).  One client
# changes something through A and reads through B until B shows it:
#   commit   an Iceberg commit (the table pointer is never cached)
#   config   a catalog's properties (cached per worker; B's copies are
#            dropped by the NOTIFY A's transaction sends)
# 200 of each, in sequence; the median and p90 from A's answer to B's
# first answer that shows the change, and the most reads B ever needed
# (1: the very next request saw it).  Writes build/bench/replicas-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
COUNT=${REPLICAS_BENCH_COUNT:-200}

die() {
	echo "replicas bench: $*" >&2
	exit 2
}

[ -x ./pangolin ] || die "./pangolin is missing: run 'make all' first"
[ -f build/release/plugins/store-postgres.so ] ||
	die "store-postgres is not built (libpq-dev)"
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-replicas.XXXXXX")
chmod 755 "$TMP"	# PostgreSQL runs as user postgres when we are root
A_PID= B_PID=
cleanup() {
	for p in $A_PID $B_PID; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	sh tests/servers/postgres.sh stop "$TMP/pg" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

PG_PORT=$(node "$HERE/seed.js" port)
PG_URL=$(sh tests/servers/postgres.sh start "$TMP/pg" "$PG_PORT") ||
	die "cannot start PostgreSQL (make deps-test installs it)"

# config NAME PORT: one server's TOML, the schema and warehouse shared.
config() {
	cat >"$TMP/$1.toml" <<EOT
[server]
bind = "127.0.0.1"
port = $2
workers = 2
pid_file = "$TMP/$1.pid"

[store]
plugin = "store-postgres"

[store.options]
url = "$PG_URL"
schema = "replicas"

[auth]
no_auth = true

[defaults]
warehouse = "wh"
warehouse_root = "$TMP/warehouse"
catalog = "bench"
EOT
}

# start NAME: start it and wait for /health/ready; echo its URL.
start() {
	port=$(node "$HERE/seed.js" port)
	config "$1" "$port"
	./pangolin -c "$TMP/$1.toml" >"$TMP/$1.log" 2>&1 &
	echo $! >"$TMP/$1.server"
	i=0
	until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$TMP/$1.log" >&2; die "$1 did not start"; }
		sleep 0.1
	done
	echo "http://127.0.0.1:$port"
}

A=$(start a)
A_PID=$(cat "$TMP/a.server")
B=$(start b)
B_PID=$(cat "$TMP/b.server")
R=$(node "$HERE/replicas.js" "$A" "$B" "$COUNT") || die "the measurement failed"

{
	echo "# Two replicas on one PostgreSQL: a change through A, seen through B"
	echo
	echo "- $(nproc) CPUs; both servers (2 workers each), PostgreSQL (fsync off) and the client on this machine; $COUNT changes of each kind in sequence; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo
	echo "| change through A | p50 ms until B shows it | p90 ms | most reads of B needed |"
	echo "|---|---:|---:|---:|"
	echo "$R" | awk '{ printf "| %s | %s | %s | %s |\n", $1 == "commit" ? "Iceberg commit (table pointer)" : "catalog properties (cached config)", $2, $3, $4 }'
} >"$OUT/replicas-results.md"
cat "$OUT/replicas-results.md"
