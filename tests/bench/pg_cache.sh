#!/bin/sh
# loadTable on PostgreSQL beside SQLite (issue 69, the PostgreSQL asset
# cache): `sh tests/bench/pg_cache.sh [label=bindir ...]` from the
# repository root after `make all`.
#
# For each binary directory (a pangolin and its plugins/; default
# this=build/release), one server on SQLite and one on a throwaway
# PostgreSQL (tests/servers/postgres.sh), 2 workers each, no auth, seeded
# by seed.js iceberg.  Interleaved, BENCH_RUNS (3) runs of BENCH_SECS (5)
# per row: loadTable of a uniformly random table of 64 and of t100 (100
# snapshots), wrk -t2 -c64, and the CPU the server's processes (and the
# PostgreSQL cluster's, for the PostgreSQL rows) spent per load.  Medians,
# and PostgreSQL's over SQLite's of the same binary.  Two directories (an
# older build copied aside, then this one) give before and after in one
# run.  Writes build/bench/pg-cache-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_SECS:-5}
[ $# -gt 0 ] || set -- this=build/release
command -v wrk >/dev/null 2>&1 || { echo "pg_cache: wrk is not installed" >&2; exit 2; }
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-pgcache.XXXXXX")
chmod 755 "$TMP"	# PostgreSQL runs as user postgres when we are root
PIDS=
# A server that has not stopped 30 s after TERM is killed (its tree).
cleanup() {
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 "$p" 2>/dev/null; then
			echo "pg_cache: server $p did not stop; killed" >&2
			pkill -KILL -P "$p" 2>/dev/null || true
			kill -KILL "$p" 2>/dev/null || true
		fi
		wait "$p" 2>/dev/null || true
	done
	sh tests/servers/postgres.sh stop "$TMP/pg" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

cat >"$TMP/random.lua" <<'EOF'
math.randomseed(os.time())
request = function()
	return wrk.format("GET", "/v1/bench/namespaces/b/tables/c" .. math.random(0, 63))
end
EOF

PG_PORT=$(node "$HERE/seed.js" port)
PG_URL=$(sh tests/servers/postgres.sh start "$TMP/pg" "$PG_PORT") ||
	{ echo "pg_cache: cannot start PostgreSQL" >&2; exit 2; }

SERVERS=
for spec in "$@"; do
	label=${spec%%=*} dir=${spec#*=}
	[ -x "$dir/pangolin" ] || { echo "pg_cache: no $dir/pangolin" >&2; exit 2; }
	for store in sqlite postgres; do
		name=$label-$store
		port=$(node "$HERE/seed.js" port)
		mkdir -p "$TMP/$name/wh"
		{
			printf '[server]\nbind = "127.0.0.1"\nport = %s\nworkers = 2\n' "$port"
			printf 'pid_file = "%s/%s.pid"\n' "$TMP" "$name"
			printf '[store]\nplugin = "store-%s"\n[store.options]\n' "$store"
			if [ "$store" = sqlite ]; then
				printf 'path = "%s/%s/db"\n' "$TMP" "$name"
			else
				printf 'url = "%s"\nschema = "%s"\n' "$PG_URL" \
				    "$(echo "$name" | tr -c 'a-z0-9\n' _)"
			fi
			printf '[auth]\nno_auth = true\n[storage]\n'
			printf 'local_roots = ["%s/%s/wh"]\n' "$TMP" "$name"
		} >"$TMP/$name.toml"
		"$dir/pangolin" -c "$TMP/$name.toml" >"$TMP/$name.log" 2>&1 &
		PIDS="$PIDS $!"
		echo $! >"$TMP/$name.ppid"
		i=0
		until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" = 200 ]; do
			i=$((i + 1))
			[ $i -lt 300 ] || { cat "$TMP/$name.log" >&2; exit 2; }
			sleep 0.1
		done
		node "$HERE/seed.js" iceberg "http://127.0.0.1:$port" \
		    "$TMP/$name/wh/00000000-0000-0000-0000-000000000000/bench" >/dev/null
		SERVERS="$SERVERS $name=$port"
	done
done

# CPU ticks (utime + stime) of a server's processes, and of the
# PostgreSQL cluster's for a PostgreSQL one.
cpu() {
	pp=$(cat "$TMP/$1.ppid")
	pids="$pp $(pgrep -P "$pp" | tr '\n' ' ')"
	case $1 in
	*postgres)
		pm=$(head -1 "$TMP/pg/data/postmaster.pid")
		pids="$pids $pm $(pgrep -P "$pm" | tr '\n' ' ')" ;;
	esac
	for p in $pids; do
		[ -r "/proc/$p/stat" ] && awk '{ print $14 + $15 }' "/proc/$p/stat"
	done | awk '{ s += $1 } END { print s + 0 }'
}
HZ=$(getconf CLK_TCK)

sleep 1
for r in $(seq 1 "$RUNS"); do
	for s in $SERVERS; do
		name=${s%%=*} port=${s#*=}
		c0=$(cpu "$name")
		wrk -t2 -c64 -d"${SECS}s" -s "$TMP/random.lua" "http://127.0.0.1:$port/" >"$TMP/w" 2>&1
		c1=$(cpu "$name")
		awk -v n="$name" -v c=$((c1 - c0)) -v hz="$HZ" '
		    /^Requests\/sec/ { print n, "random", $2 }
		    /requests in/ { printf "%s cpu %.1f\n", n, c * 1000000 / hz / $1 }
		    /Non-2xx/ { print n, "errors", $NF }' "$TMP/w" >>"$TMP/out"
		wrk -t2 -c64 -d"${SECS}s" "http://127.0.0.1:$port/v1/bench/namespaces/b/tables/t100" >"$TMP/w" 2>&1
		awk -v n="$name" '/^Requests\/sec/ { print n, "t100", $2 }
		    /Non-2xx/ { print n, "errors", $NF }' "$TMP/w" >>"$TMP/out"
	done
done
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# name row value... -> the median per (name, row).
awk '{ v[$1 " " $2] = v[$1 " " $2] " " $3 }
    END { for (k in v) print k, v[k] }' "$TMP/out" | while read -r n row vals; do
	echo "$n $row $(echo "$vals" | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
done | sort >"$TMP/med"

{
	echo "# loadTable on PostgreSQL beside SQLite (tests/bench/pg_cache.sh)"
	echo
	echo "- $(nproc) CPUs; each server 2 workers, PostgreSQL (fsync off) and wrk (-t2 -c64) on this machine; medians of $RUNS runs of ${SECS} s, interleaved; load average after: $LOAD; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo
	echo "| build | store | loadTable, random of 64 (req/s) | loadTable t100 (req/s) | CPU per random load (µs, server + PostgreSQL) | PostgreSQL / SQLite (random, t100) |"
	echo "|---|---|---:|---:|---:|---:|"
	for spec in "$@"; do
		label=${spec%%=*}
		for store in sqlite postgres; do
			awk -v n="$label-$store" -v l="$label" -v st="$store" '
			    $1 == n { v[$2] = $3 }
			    $1 == l "-sqlite" { s[$2] = $3 }
			    END {
				ratio = st == "postgres" ? sprintf("%.2f, %.2f", v["random"] / s["random"], v["t100"] / s["t100"]) : ""
				printf "| %s | %s | %.0f | %.0f | %.1f | %s |\n", l, st, v["random"], v["t100"], v["cpu"], ratio
			    }' "$TMP/med"
		done
	done
	if grep -q errors "$TMP/out"; then
		echo
		echo "non-2xx answers: $(grep errors "$TMP/out" | tr '\n' ' ')"
	fi
} >"$OUT/pg-cache-results.md"
cat "$OUT/pg-cache-results.md"
