#!/bin/sh
# loadTable's tail beside nginx (issue 31): `sh tests/bench/tail.sh` from
# the repository root after `make bench`; tests/bench/run.sh calls it.
#
# Pangolin (release build, BENCH_WORKERS workers, SQLite, no auth, access
# log off) serves loadTable of a table with 100 snapshots; nginx (Debian,
# as many worker processes, sendfile, keep-alive) serves the same bytes as
# a static file.  wrk -t2 -c64 --latency on each, interleaved, BENCH_RUNS
# runs (default 5) of BENCH_SECS (default 5); medians of req/s, p50, p90
# and p99, and Pangolin's over nginx's.  During one run the connections
# each worker holds are counted (ss): the spread the accept policy gives
# (src/kore/0001-pangolin.patch, item 23).  Writes
# build/bench/tail-results.md.  BENCH_TAIL_BIN names another binary to
# measure in place of build/release/pangolin (an older build, to compare).
set -eu

OUT=build/bench
HERE=tests/bench
WORKERS=${BENCH_WORKERS:-2}
SECS=${BENCH_SECS:-5}
RUNS=${BENCH_TAIL_RUNS:-5}
CONNS=${BENCH_CONNS:-64}

die() {
	echo "tail bench: $*" >&2
	exit 2
}

BIN=${BENCH_TAIL_BIN:-build/release/pangolin}
[ -x "$BIN" ] || die "$BIN is missing: run 'make bench'"
command -v nginx >/dev/null 2>&1 || die "nginx is not installed (make deps-test)"
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (make deps-test)"
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-tail.XXXXXX")
chmod 755 "$TMP"	# nginx's workers run as nobody
PGL_PID= NGX_PID=
cleanup() {
	for p in $PGL_PID $NGX_PID; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

PGL_PORT=$(node "$HERE/seed.js" port)
NGX_PORT=$(node "$HERE/seed.js" port)
[ "$PGL_PORT" != "$NGX_PORT" ] || NGX_PORT=$((NGX_PORT + 1))

cat >"$TMP/pangolin.toml" <<EOF
[server]
bind = "127.0.0.1"
port = $PGL_PORT
workers = $WORKERS
pid_file = "$TMP/pangolin.pid"

[store]
plugin = "store-sqlite"

[store.options]
path = "$TMP/pangolin.db"

[auth]
no_auth = true

[storage]
local_roots = ["$TMP/warehouses"]
EOF
"$BIN" -c "$TMP/pangolin.toml" >/dev/null 2>&1 &
PGL_PID=$!

# Ready: every worker answers (a worker that starts late would get none
# of wrk's connections, which open at once).
i=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PGL_PORT/health/ready")" = 200 ] &&
    [ "$(pgrep -c -P "$PGL_PID")" -ge "$WORKERS" ]; do
	kill -0 "$PGL_PID" 2>/dev/null || die "pangolin exited during start-up"
	i=$((i + 1))
	[ $i -lt 300 ] || die "pangolin not ready within 30 s"
	sleep 0.1
done
sleep 1

node "$HERE/seed.js" iceberg "http://127.0.0.1:$PGL_PORT" \
    "$TMP/warehouses/00000000-0000-0000-0000-000000000000/bench" \
    >"$TMP/seed.log" 2>&1 || { cat "$TMP/seed.log" >&2; die "seeding failed"; }
LOAD=http://127.0.0.1:$PGL_PORT/v1/bench/namespaces/b/tables/t100
mkdir -p "$TMP/www"
curl -sf -o "$TMP/www/t100.json" "$LOAD" || die "loadTable failed"
chmod 644 "$TMP/www/t100.json"
SIZE=$(wc -c <"$TMP/www/t100.json")

cat >"$TMP/nginx.conf" <<EOF
daemon off;
worker_processes $WORKERS;
pid $TMP/nginx.pid;
error_log $TMP/nginx.err;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	default_type application/json;
	client_body_temp_path $TMP/ngx-body;
	proxy_temp_path $TMP/ngx-proxy;
	fastcgi_temp_path $TMP/ngx-fcgi;
	uwsgi_temp_path $TMP/ngx-uwsgi;
	scgi_temp_path $TMP/ngx-scgi;
	server {
		listen 127.0.0.1:$NGX_PORT;
		root $TMP/www;
	}
}
EOF
nginx -c "$TMP/nginx.conf" -e "$TMP/nginx.err" &
NGX_PID=$!
STATIC=http://127.0.0.1:$NGX_PORT/t100.json
i=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$STATIC")" = 200 ]; do
	kill -0 "$NGX_PID" 2>/dev/null || { cat "$TMP/nginx.err" >&2; die "nginx exited"; }
	i=$((i + 1))
	[ $i -lt 100 ] || die "nginx not ready within 10 s"
	sleep 0.1
done
[ "$(curl -s "$STATIC" | wc -c)" = "$SIZE" ] || die "nginx serves another size"

# One wrk run -> "rps p50 p90 p99" (ms).
parse() {
	awk '
	function ms(v,   n, u) {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") return n / 1000
		if (u == "s") return n * 1000
		return n
	}
	/^Requests\/sec:/ { rps = $2 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "90%" { p90 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/Non-2xx/ { bad = 1 }
	END {
		if (rps == "" || p99 == "" || bad) exit 1
		printf "%s %.3f %.3f %.3f\n", rps, p50, p90, p99
	}' "$1"
}

# Connections per worker, 1 s into a run: "a/b/...".
spread() {
	sleep 1
	ss -Htnp state established "( sport = :$PGL_PORT )" |
	    grep -o 'pid=[0-9]*' | sort | uniq -c | awk '{ print $1 }' |
	    sort -n | paste -sd/ -
}

echo "tail bench: loadTable $SIZE B beside nginx, wrk -t2 -c$CONNS -d${SECS}s, $RUNS runs each, interleaved"
r=1
while [ $r -le "$RUNS" ]; do
	for who in pangolin nginx; do
		url=$LOAD
		[ $who = nginx ] && url=$STATIC
		SPREAD_PID=
		if [ $r = 1 ] && [ $who = pangolin ]; then
			spread >"$TMP/spread" &
			SPREAD_PID=$!
		fi
		wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$url" >"$TMP/wrk.$who.$r" 2>&1 ||
			{ cat "$TMP/wrk.$who.$r" >&2; die "wrk failed on $url"; }
		[ -z "$SPREAD_PID" ] || wait "$SPREAD_PID"
		parse "$TMP/wrk.$who.$r" >>"$TMP/$who.runs" ||
			{ cat "$TMP/wrk.$who.$r" >&2; die "bad wrk output for $who"; }
	done
	r=$((r + 1))
done

median() {
	sort -g -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
	END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

P_RPS=$(median "$TMP/pangolin.runs" 1) N_RPS=$(median "$TMP/nginx.runs" 1)
P99=$(median "$TMP/pangolin.runs" 4) N99=$(median "$TMP/nginx.runs" 4)
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "loadTable (100 snapshots, $SIZE B) beside nginx serving the same bytes;"
	echo "wrk -t2 -c$CONNS -d${SECS}s --latency, $RUNS runs each, interleaved, medians;"
	echo "$WORKERS workers each; connections per Pangolin worker in run 1: $(cat "$TMP/spread"); load average at the end $LOADAVG"
	echo
	echo "| server | req/s | p50 ms | p90 ms | p99 ms |"
	echo "|---|---:|---:|---:|---:|"
	for who in pangolin nginx; do
		f=$TMP/$who.runs
		printf '| %s | %.0f | %.2f | %.2f | %.2f |\n' "$who" "$(median "$f" 1)" \
		    "$(median "$f" 2)" "$(median "$f" 3)" "$(median "$f" 4)"
	done
	echo
	echo "Pangolin over nginx: req/s $(ratio "$P_RPS" "$N_RPS")x, p99 $(ratio "$P99" "$N99")x (targets: req/s >= 1.0x, p99 <= 1.5x)"
} | tee "$OUT/tail-results.md"
