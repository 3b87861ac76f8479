# Sourced by the bench scripts that start servers of their own
# (commits.sh, merge.sh): a temporary directory removed on exit, servers
# and a PostgreSQL in it stopped on exit.  The sourcing script defines
# die() and HERE first.
#
#   bench_setup NAME            $TMP, and the cleanup on exit
#   bench_server NAME STORE     a no-auth server (release build, WORKERS
#                               workers) with that [store] section, ready;
#                               prints its URL; its pid in $TMP/NAME/server
#   bench_wh NAME               a local warehouse root that server may
#                               use: <its local root>/<default tenant>/wh
#   bench_stop NAME             stop it
#   bench_postgres              a throwaway PostgreSQL's URL, or fails
#   bench_sqlite NAME           the [store] section of a SQLite file
#   bench_pg_store URL [SCHEMA] the [store] section of that PostgreSQL
#                               (in a schema of its own, if named)
#   cpu_ticks NAME              CPU ticks server NAME's processes used
#   wrk_row NAME URL SCRIPT [CONNS]  one wrk run and the CPU per request
#   median FILE COLUMN          the median of a column

bench_cleanup() {
	for f in "$TMP"/*/server; do
		[ -f "$f" ] || continue
		kill -TERM "$(cat "$f")" 2>/dev/null || true
	done
	sleep 0.2
	sh tests/servers/postgres.sh stop "$TMP/pg" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}

bench_setup() {
	[ -x ./pangolin ] || die "./pangolin is missing: run 'make all' first"
	mkdir -p build/bench
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-$1.XXXXXX")
	chmod 755 "$TMP"	# PostgreSQL runs as user postgres when we are root
	trap bench_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
}

bench_server() {
	port=$(node "$HERE/seed.js" port)
	mkdir -p "$TMP/$1"
	cat >"$TMP/$1/pangolin.toml" <<EOT
[server]
bind = "127.0.0.1"
port = $port
workers = ${WORKERS:-2}
pid_file = "$TMP/$1/pangolin.pid"

$2

[auth]
no_auth = true

[storage]
local_roots = ["$TMP/$1/warehouses"]
EOT
	./pangolin -c "$TMP/$1/pangolin.toml" >"$TMP/$1/log" 2>&1 &
	echo $! >"$TMP/$1/server"
	i=0
	until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$TMP/$1/log" >&2; die "$1 did not start"; }
		sleep 0.1
	done
	echo "http://127.0.0.1:$port"
}

bench_wh() {
	echo "$TMP/$1/warehouses/00000000-0000-0000-0000-000000000000/wh"
}

bench_stop() {
	pid=$(cat "$TMP/$1/server")
	kill -TERM "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	rm -f "$TMP/$1/server"
}

bench_postgres() {
	[ -f build/release/plugins/store-postgres.so ] &&
	    sh tests/servers/postgres.sh start "$TMP/pg" \
	    "$(node "$HERE/seed.js" port)" 2>"$TMP/pg.err"
}

bench_sqlite() {
	printf '[store]\nplugin = "store-sqlite"\n\n[store.options]\npath = "%s"\n' \
	    "$TMP/$1/pangolin.db"
}

bench_pg_store() {
	printf '[store]\nplugin = "store-postgres"\n\n[store.options]\nurl = "%s"\n' "$1"
	[ -z "${2:-}" ] || printf 'schema = "%s"\n' "$2"
}

# The server NAME's processes: its parent and every descendant.
tree_pids() {
	echo "$1"
	for c in $(pgrep -P "$1"); do tree_pids "$c"; done
}
# CPU ticks (user + system) the server NAME's processes have used.
cpu_ticks() {
	for p in $(tree_pids "$(cat "$TMP/$1/server")"); do
		awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || true
	done | awk '{ s += $1 } END { print s + 0 }'
}
TCK=$(getconf CLK_TCK)

# wrk_row NAME URL SCRIPT [CONNS] -> "rps p50_ms p99_ms non2xx total
# cpu_us_per_request" of one run.
wrk_row() {
	c0=$(cpu_ticks "$1")
	conns=${4:-64}
	threads=2
	[ "$conns" -ge 2 ] || threads=1
	wrk -t"$threads" -c"$conns" -d"${SECS}s" --latency -s "$HERE/$3" "$2" \
	    >"$TMP/wrk.out" 2>&1
	c1=$(cpu_ticks "$1")
	awk -v ticks="$((c1 - c0))" -v tck="$TCK" '
	function ms(v,   n, u) {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		return u == "us" ? n / 1000 : u == "s" ? n * 1000 : n
	}
	/^Requests\/sec:/		{ rps = $2 }
	/^ +[0-9.]+ requests in/	{ total = $1 }
	$1 == "50%"			{ p50 = ms($2) }
	$1 == "99%"			{ p99 = ms($2) }
	/Non-2xx or 3xx responses:/	{ bad = $NF }
	END {
		cpu = 0; if (total > 0) cpu = ticks * 1e6 / tck / total
		printf "%s %.2f %.2f %d %d %.0f\n", rps, p50, p99, bad + 0, total + 0, cpu
	}' "$TMP/wrk.out"
}

median() {
	sort -g -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
	END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
