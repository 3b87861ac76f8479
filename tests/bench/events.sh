#!/bin/sh
# Change events' cost and delivery (issue 43): `sh tests/bench/events.sh`
# from the repository root after `make all`; tests/bench/run.sh calls it.
#
# Two fresh servers (release build, 2 workers, no-auth, SQLite), seeded
# by seed.js, in the same run:
#   off   no push sink: every change still records its event in the
#         outbox (that is part of the change, never optional)
#   on    one webhook subscription (to a loopback receiver answering 204)
#         and the NATS JetStream sink (a local nats-server)
# Rows, EVENTS_RUNS runs of EVENTS_SECS seconds each, interleaved,
# medians:
#   commits/s   wrk -c64, set-properties commits round-robin over 64
#               tables, on beside off (the goal: at least 0.9), and the
#               server's CPU per commit (parent, workers, runners and the
#               dispatcher, from /proc)
#   lag         on "on", a subscription of its own receiving commits made
#               at a steady EVENTS_RATE a second (open loop) for
#               EVENTS_LAG_SECS: arrival less the event's timestamp, p50
#               and p99 (the goal: p99 under 1 s)
#   drain       the receiver answers 503 for EVENTS_OUTAGE_SECS while
#               commits go on at EVENTS_OUTAGE_RATE a second, then 204:
#               the backlog, the wait for its first delivery (the
#               dispatcher's backoff), and the rate it drains at
# Writes build/bench/events-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
RUNS=${EVENTS_RUNS:-3}
SECS=${EVENTS_SECS:-5}
RATE=${EVENTS_RATE:-500}
LAG_SECS=${EVENTS_LAG_SECS:-20}
OUTAGE=${EVENTS_OUTAGE_SECS:-60}
OUTAGE_RATE=${EVENTS_OUTAGE_RATE:-100}
WORKERS=${BENCH_WORKERS:-2}

die() {
	echo "events bench: $*" >&2
	exit 2
}

command -v wrk >/dev/null 2>&1 || die "wrk is not installed (make deps)"
. "$HERE/bench_servers.sh"
bench_setup events

RPORT=$(node "$HERE/seed.js" port)
LPORT=$(node "$HERE/seed.js" port)
DPORT=$(node "$HERE/seed.js" port)
NPORT=$(node "$HERE/seed.js" port)
NATS=$(sh tests/servers/nats.sh start "$TMP/nats" "$NPORT") ||
	die "nats-server did not start (tests/deps.sh test installs it)"
node "$HERE/events_load.mjs" receiver "$RPORT" >"$TMP/receiver.log" 2>&1 &
RPID=$!
# Stopped with everything else on exit.
events_cleanup() {
	kill "$RPID" 2>/dev/null || true
	sh tests/servers/nats.sh stop "$TMP/nats" >/dev/null 2>&1 || true
	bench_cleanup
}
trap events_cleanup EXIT
PANGOLIN_ALLOWED_ENDPOINTS="http://127.0.0.1:$RPORT,http://127.0.0.1:$LPORT,http://127.0.0.1:$DPORT"
export PANGOLIN_ALLOWED_ENDPOINTS

# start NAME STORE_AND_MORE: a server seeded by seed.js; prints its URL.
start() {
	url=$(bench_server "$1" "$2")
	node "$HERE/seed.js" iceberg "$url" "$(bench_wh "$1")" >"$TMP/$1/seed.log" 2>&1 ||
		{ cat "$TMP/$1/seed.log" >&2; die "seeding $1 failed"; }
	echo "$url"
}

OFF_URL=$(start off "$(bench_sqlite off)")
ON_URL=$(start on "$(bench_sqlite on)

[events]
nats_url = \"$NATS\"")
HOOK=$(node "$HERE/events_load.mjs" subscribe "$ON_URL" "http://127.0.0.1:$RPORT/hook") ||
	die "cannot subscribe"

r=1
while [ "$r" -le "$RUNS" ]; do
	for s in off on; do
		eval "url=\$$(echo "$s" | tr a-z A-Z)_URL"
		wrk_row "$s" "$url/v1/bench/namespaces/b/tables/c0" commit_many.lua \
		    >>"$TMP/$s.many"
	done
	echo "events bench: run $r/$RUNS done" >&2
	r=$((r + 1))
done
# The throughput runs' subscription goes: the lag row measures its own.
curl -sf -o /dev/null -X DELETE "$ON_URL/api/v1/webhooks/$HOOK" ||
	die "cannot delete the subscription"
LAG=$(node "$HERE/events_load.mjs" lag "$ON_URL" "$LPORT" "$RATE" "$LAG_SECS") ||
	die "the lag run failed"
echo "events bench: lag done" >&2
DRAIN=$(node "$HERE/events_load.mjs" drain "$ON_URL" "$DPORT" "$OUTAGE" "$OUTAGE_RATE") ||
	die "the drain run failed"
echo "events bench: drain done" >&2
printf 'lag %s\ndrain %s\n' "$LAG" "$DRAIN" >"$OUT/events-raw.txt"
METRICS=$(curl -sf "$ON_URL/metrics" | grep -E '^pangolin_events?_|^pangolin_event_sinks_|kind="nats"' || true)

OFF=$(median "$TMP/off.many" 1)
ON=$(median "$TMP/on.many" 1)
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
	echo "# Change events: commits with push sinks beside without, delivery lag, drain"
	echo
	echo "- $(nproc) CPUs ($CPU); load average at the end $(cut -d' ' -f1-3 /proc/loadavg);" \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- release build, $WORKERS workers, no-auth, SQLite; wrk -t2 -c64 -d${SECS}s; $RUNS runs" \
	    "interleaved, medians; receivers are node on the same host, nats-server local with JetStream"
	echo
	echo "| server | commits/s | vs off | server CPU per commit | p50 ms | p99 ms |"
	echo "|---|---:|---:|---:|---:|---:|"
	for s in off on; do
		f=$TMP/$s.many
		awk -v s="$s" -v rps="$(median "$f" 1)" -v off="$OFF" -v p50="$(median "$f" 2)" \
		    -v p99="$(median "$f" 3)" -v cpu="$(median "$f" 6)" 'BEGIN {
			name = "off (no push sink; events recorded)"
			if (s == "on") name = "on (one webhook + NATS)"
			printf "| %s | %.0f | %.3f | %.0f us | %s | %s |\n", name, rps, (off > 0 ? rps / off : 0), cpu, p50, p99
		}'
	done
	echo
	echo "$LAG" | awk -v rate="$RATE" -v secs="$LAG_SECS" '{
		printf "Delivery lag at a steady %s commits/s for %s s (open loop; %d commits answered 200, ", rate, secs, $1
		printf "%s/s achieved, %d delivered): p50 %d ms, p99 %d ms, max %d ms.\n", $2, $6, $3, $4, $5 }'
	echo
	echo "$DRAIN" | awk -v out="$OUTAGE" -v rate="$OUTAGE_RATE" '{
		printf "Drain after a %s s receiver outage (commits at %s/s meanwhile): %d events waiting; ", out, rate, $1
		printf "the first arrived %d ms after the receiver came back (the backoff), the last %s s after; ", $2, $3
		printf "%s events/s while draining.\n", $4 }'
	echo
	echo "Sink metrics at the end:"
	echo
	echo '```'
	echo "$METRICS"
	echo '```'
} >"$OUT/events-results.md"
cat "$OUT/events-results.md"
