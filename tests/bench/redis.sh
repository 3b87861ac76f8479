#!/bin/sh
# loadTable through each tier of the metadata cache, on the release build:
#   L1 hit                 the per-worker cache holds the file
#   L1 miss, L2 hit        an L1 too small for the file, Redis on loopback
#   L1 miss, no L2         the file is read (local disk) on every load
# and the last two again on an S3 warehouse (Swift + s3api on loopback,
# tests/servers/swift.sh), where a miss without L2 is an S3 GET.
# Prints one markdown table; run.sh calls it, or run it alone from the
# repository root: sh tests/bench/redis.sh.  Needs wrk, redis-server, curl.
# Environment: BENCH_SECS (default 5), BENCH_CONNS (default 32).
set -eu

SECS=${BENCH_SECS:-5}
CONNS=${BENCH_CONNS:-32}
BIN=build/release/pangolin

die() { echo "bench redis: $*" >&2; exit 1; }
[ -x "$BIN" ] && [ -e build/release/plugins/cache-redis.so ] ||
	die "$BIN or plugins/cache-redis.so missing: run 'make all' first"
for c in wrk redis-server curl; do
	command -v $c >/dev/null 2>&1 || die "$c is not installed (make deps-test)"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-bench-redis.XXXXXX")
PIDS=""
SWIFT_DIR=
cleanup() {
	# serve() runs in $(...): its servers' pids are in $TMP/*.server.
	for f in "$TMP"/*.server; do
		[ -f "$f" ] && PIDS="$PIDS $(cat "$f")"
	done
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do
		while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
	done
	[ -n "$SWIFT_DIR" ] && sh tests/servers/swift.sh stop "$SWIFT_DIR" \
	    >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free loopback port: ask the kernel for one.
port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_200() {
	i=0
	until [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" = 200 ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "no 200 from $1 within 10 s"
		sleep 0.1
	done
}

RPORT=$(port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
    >"$TMP/redis.log" 2>&1 &
PIDS="$PIDS $!"

# Swift (started below) listens on loopback: its origin is allow-listed.
SWIFT_PORT=$(port)

# name, [cache] extra -> a running server on a shared SQLite file.
serve() {
	name=$1 extra=$2
	p=$(port)
	cat >"$TMP/$name.toml" <<TOML
[server]
bind = "127.0.0.1"
port = $p
workers = 2
pid_file = "$TMP/$name.pid"
[store]
plugin = "store-sqlite"
[store.options]
path = "$TMP/pangolin.db"
[auth]
no_auth = true
[storage]
allowed_endpoints = ["http://127.0.0.1:$SWIFT_PORT"]
$extra
TOML
	"$BIN" -c "$TMP/$name.toml" >"$TMP/$name.log" 2>&1 &
	echo $! >"$TMP/$name.server"
	wait_200 "http://127.0.0.1:$p/health/ready"
	echo "$p"
}

L2="l2 = \"cache-redis\"
[cache.l2_options]
url = \"redis://127.0.0.1:$RPORT\""
TINY="[cache.options]
max_bytes = 1"

P1=$(serve l1 "[cache]")
post() {
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
	    -H 'content-type: application/json' -d "$2" "http://127.0.0.1:$P1$1")
	case $code in 2*) ;; *) die "POST $1: $code" ;; esac
}
# The default local root: <the SQLite file's directory>/warehouses/<tenant>/.
WH=$TMP/warehouses/00000000-0000-0000-0000-000000000000/wh
post /api/v1/warehouses "{\"name\":\"wh\",\"storage_config\":{\"type\":\"local\",\"root\":\"$WH\"}}"
post /api/v1/catalogs '{"name":"cat","warehouse_name":"wh"}'
post /v1/cat/namespaces '{"namespace":["ns"]}'
SCHEMA='{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"n","required":false,"type":"long"}]}'
post /v1/cat/namespaces/ns/tables "{\"name\":\"t\",\"schema\":$SCHEMA}"
SWIFT_DIR="$TMP/swift"
mkdir -p "$SWIFT_DIR"
S3_URL=$(sh tests/servers/swift.sh start "$SWIFT_DIR" "$SWIFT_PORT") ||
	die "cannot start Swift (tests/servers/swift.sh)"
curl -s -o /dev/null --aws-sigv4 aws:amz:us-east-1:s3 \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT \
    "http://test%3Atester:testing@127.0.0.1:$SWIFT_PORT/pgl-redis" ||
	die "cannot create the bench bucket"
post /api/v1/warehouses "{\"name\":\"s3wh\",\"storage_config\":{\"type\":\"s3\",\"bucket\":\"pgl-redis\",\"endpoint\":\"$S3_URL\",\"access_key_id\":\"test:tester\",\"secret_access_key\":\"testing\"}}"
post /api/v1/catalogs '{"name":"s3cat","warehouse_name":"s3wh"}'
post /v1/s3cat/namespaces '{"namespace":["ns"]}'
post /v1/s3cat/namespaces/ns/tables "{\"name\":\"t\",\"schema\":$SCHEMA}"
P2=$(serve l2 "[cache]
$L2
$TINY")
P3=$(serve disk "[cache]
$TINY")

URL=/v1/cat/namespaces/ns/tables/t
# One wrk run on port $1 (path $2, default $URL) -> "rps p50 p99".
run() {
	wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$1${2:-$URL}" >"$TMP/wrk" ||
		die "wrk failed"
	grep -q 'Non-2xx' "$TMP/wrk" && die "non-2xx answers on port $1"
	awk '/Requests\/sec/ { r = $2 }
	    / 50% / { p50 = $2 } / 99% / { p99 = $2 }
	    END { print r, p50, p99 }' "$TMP/wrk"
}
l2hits() {
	curl -s "http://127.0.0.1:$P2/api/v1/cache/stats" |
	    python3 -c 'import json,sys; print([c["hits"] for c in json.load(sys.stdin)["caches"] if c["tier"] == "l2"][0])'
}

md=$(find "$WH" -name '*.metadata.json' | head -1)
echo "| loadTable, new table (metadata file $(wc -c <"$md") B) | req/s | p50 | p99 |"
echo "|---|---|---|---|"
echo "| L1 hit | $(run "$P1" | awk '{ print $1 " | " $2 " | " $3 }') |"
before=$(l2hits)
echo "| L1 miss, L2 (Redis) hit | $(run "$P2" | awk '{ print $1 " | " $2 " | " $3 }') |"
after=$(l2hits)
echo "| L1 miss, no L2 (file read) | $(run "$P3" | awk '{ print $1 " | " $2 " | " $3 }') |"
S3=/v1/s3cat/namespaces/ns/tables/t
echo "| S3 warehouse: L1 hit | $(run "$P1" $S3 | awk '{ print $1 " | " $2 " | " $3 }') |"
echo "| S3 warehouse: L1 miss, L2 (Redis) hit | $(run "$P2" $S3 | awk '{ print $1 " | " $2 " | " $3 }') |"
echo "| S3 warehouse: L1 miss, no L2 (S3 GET) | $(run "$P3" $S3 | awk '{ print $1 " | " $2 " | " $3 }') |"
echo
echo "wrk -t2 -c$CONNS -d${SECS}s, 2 workers, SQLite store, Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') on loopback; L2 hits during the local L2 row: $((after - before)); Swift (s3api) on loopback; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
