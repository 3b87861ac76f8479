#!/bin/sh
# Store transactions that race (issue 42): `sh tests/bench/tx_race.sh`
# from the repository root after `make all`; tests/bench/run.sh calls it.
#
# Clients register tables into one namespace at once (tx_race.mjs), so
# every register's transaction writes the same branch head.  On
# PostgreSQL (REPEATABLE READ) the losers fail with a serialization
# failure, which the server runs again (api_tx_pause) and, past
# API_TX_ATTEMPTS runs, answers 503 with Retry-After: never 409.  The
# baseline, in the same run, is SQLite, whose writers queue instead of
# racing.  Rows (release build, fresh server each, seeded by seed.js):
#   sqlite     TXR_CLIENTS clients, TXR_WORKERS workers, TXR_COUNT registers
#   postgres   the same
#   postgres   TXR_HEAVY_CLIENTS clients on TXR_HEAVY_WORKERS workers,
#              TXR_HEAVY_COUNT registers: more racers than cores
# Defaults: 4 clients, 2 workers, 21,000 registers (the run of the issue);
# 16 clients on 8 workers, 4,000 registers.  Servers and cleanup:
# bench_servers.sh.  Writes build/bench/tx_race-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
CLIENTS=${TXR_CLIENTS:-4}
COUNT=${TXR_COUNT:-21000}
HEAVY_CLIENTS=${TXR_HEAVY_CLIENTS:-16}
HEAVY_WORKERS=${TXR_HEAVY_WORKERS:-8}
HEAVY_COUNT=${TXR_HEAVY_COUNT:-4000}

die() {
	echo "tx_race bench: $*" >&2
	exit 2
}

. "$HERE/bench_servers.sh"
bench_setup tx_race

# row NAME STORE WORKERS CLIENTS COUNT: one fresh server, one storm.
row() {
	url=$(WORKERS=$3 bench_server "$1" "$2")
	node "$HERE/seed.js" iceberg "$url" "$(bench_wh "$1")" >"$TMP/$1/seed.log" 2>&1 ||
		{ cat "$TMP/$1/seed.log" >&2; die "seeding $1 failed"; }
	node "$HERE/tx_race.mjs" "$url" "$5" "$4" >"$TMP/$1.json" ||
		die "the storm on $1 failed"
	bench_stop "$1"
	echo "$1 ($3 workers): $(cat "$TMP/$1.json")" >&2
}

row sqlite "$(bench_sqlite sqlite)" "${BENCH_WORKERS:-2}" "$CLIENTS" "$COUNT"
PG_URL=$(bench_postgres) || { cat "$TMP/pg.err" >&2; die "no PostgreSQL"; }
row postgres "$(bench_pg_store "$PG_URL")" "${BENCH_WORKERS:-2}" "$CLIENTS" "$COUNT"
row heavy "$(bench_pg_store "$PG_URL" heavy)" "$HEAVY_WORKERS" "$HEAVY_CLIENTS" \
    "$HEAVY_COUNT"

{
	echo "## Racing store transactions (\`tests/bench/tx_race.sh\`)"
	echo
	echo "- machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
	echo "- every register writes one branch head; answers by status and Iceberg type"
	echo
	echo "| store | workers | clients | registers | answers | registers/s | p50 ms | p99 ms | max ms | run again | gave up |"
	echo "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
	for r in "sqlite ${BENCH_WORKERS:-2}" "postgres ${BENCH_WORKERS:-2}" \
	    "heavy $HEAVY_WORKERS"; do
		set -- $r
		node -e '
			const [f, name, w] = process.argv.slice(1);
			const j = JSON.parse(require("fs").readFileSync(f, "utf8"));
			const a = Object.entries(j.answers).map(([k, v]) => `${k}: ${v}`).join(", ");
			const store = name === "sqlite" ? "sqlite" : "postgres";
			console.log(`| ${store} | ${w} | ${j.clients} | ${j.registers} | ${a} | ${j.per_sec} | ${j.p50_ms} | ${j.p99_ms} | ${j.max_ms} | ${j.tx_retries} | ${j.tx_gave_up} |`);
		' "$TMP/$1.json" "$1" "$2"
	done
} >"$OUT/tx_race-results.md"
cat "$OUT/tx_race-results.md"
