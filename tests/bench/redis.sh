#!/bin/sh
# loadTable through each tier of the metadata cache, on the release build:
#   L1 hit                 the per-worker cache holds the file
#   L1 miss, L2 hit        an L1 too small for the file, Redis on loopback
#   L1 miss, no L2         the file is read (local disk) on every load
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
cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
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
$extra
TOML
	"$BIN" -c "$TMP/$name.toml" >"$TMP/$name.log" 2>&1 &
	PIDS="$PIDS $!"
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
post /api/v1/warehouses "{\"name\":\"wh\",\"storage_config\":{\"type\":\"local\",\"root\":\"$TMP/wh\"}}"
post /api/v1/catalogs '{"name":"cat","warehouse_name":"wh"}'
post /v1/cat/namespaces '{"namespace":["ns"]}'
post /v1/cat/namespaces/ns/tables '{"name":"t","schema":{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"n","required":false,"type":"long"}]}}'
P2=$(serve l2 "[cache]
$L2
$TINY")
P3=$(serve disk "[cache]
$TINY")

URL=/v1/cat/namespaces/ns/tables/t
# One wrk run -> "rps p50 p99".
run() {
	wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$1$URL" >"$TMP/wrk" ||
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

md=$(find "$TMP/wh" -name '*.metadata.json' | head -1)
echo "| loadTable, new table (metadata file $(wc -c <"$md") B) | req/s | p50 | p99 |"
echo "|---|---|---|---|"
echo "| L1 hit | $(run "$P1" | awk '{ print $1 " | " $2 " | " $3 }') |"
before=$(l2hits)
echo "| L1 miss, L2 (Redis) hit | $(run "$P2" | awk '{ print $1 " | " $2 " | " $3 }') |"
after=$(l2hits)
echo "| L1 miss, no L2 (file read) | $(run "$P3" | awk '{ print $1 " | " $2 " | " $3 }') |"
echo
echo "wrk -t2 -c$CONNS -d${SECS}s, 2 workers, SQLite store, Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') on loopback; L2 hits during its row: $((after - before)); load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
