#!/bin/sh
# Scale-out behind HAProxy and a PostgreSQL failover (issue 31):
# `sh tests/bench/scaleout.sh` from the repository root after `make bench`;
# tests/bench/run.sh calls it.
#
# The operator guide's layout on loopback: a PostgreSQL primary with a
# streaming standby (tests/servers/postgres.sh), Redis, three replicas
# (release build, 2 workers each, no auth, the Redis L2) on one schema
# whose URL names both hosts (target_session_attrs=read-write), HAProxy in
# front of replica 0 alone (lb1) and of all three (lb3).
# Rows, wrk -t2 -c64, SCALEOUT_RUNS runs (default 3) of BENCH_SECS
# (default 5), interleaved, medians:
#   loadTable (100 snapshots)       replica 0 directly, lb1, lb3
#   commits over 64 tables          replica 0 directly, lb1, lb3
# On this 2-CPU machine the three replicas, HAProxy and wrk share the CPUs
# one replica had: lb3 shows what the balancer and more processes cost,
# not a speed-up.  Then one failover (scaleout_failover.js): 8 clients
# commit through lb3, the primary is stopped and the standby promoted.
# Writes build/bench/scaleout-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
SECS=${BENCH_SECS:-5}
RUNS=${SCALEOUT_RUNS:-3}
WORKERS=${BENCH_WORKERS:-2}
NIL=00000000-0000-0000-0000-000000000000

die() {
	echo "scaleout bench: $*" >&2
	exit 2
}

[ -x build/release/pangolin ] || die "build/release/pangolin is missing: run 'make bench'"
[ -f build/release/plugins/store-postgres.so ] || die "store-postgres is not built (libpq-dev)"
for c in haproxy redis-server wrk; do
	command -v $c >/dev/null 2>&1 || die "$c is not installed (make deps-test)"
done
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-scaleout.XXXXXX")
chmod 755 "$TMP"	# PostgreSQL runs as user postgres when we are root
PIDS=
cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	sh tests/servers/postgres.sh stop "$TMP/standby" >/dev/null 2>&1 || true
	sh tests/servers/postgres.sh stop "$TMP/primary" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

port() { node "$HERE/seed.js" port; }
wait_200() {
	i=0
	until [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || die "$1 did not answer 200 within 30 s"
		sleep 0.1
	done
}

P1=$(port) P2=$(port)
sh tests/servers/postgres.sh start "$TMP/primary" "$P1" >/dev/null ||
	die "cannot start PostgreSQL (make deps-test installs it)"
sh tests/servers/postgres.sh standby "$TMP/standby" "$P2" "$P1" >/dev/null ||
	die "cannot start the standby"
PG_URL="postgresql://postgres@127.0.0.1:$P1,127.0.0.1:$P2/pangolin?target_session_attrs=read-write&connect_timeout=2"

RPORT=$(port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
    >"$TMP/redis.log" 2>&1 &
PIDS="$PIDS $!"

# replica N: a server on its own port; prints the port.
replica() {
	p=$(port)
	cat >"$TMP/r$1.toml" <<EOF
[server]
bind = "127.0.0.1"
port = $p
workers = $WORKERS
pid_file = "$TMP/r$1.pid"

[store]
plugin = "store-postgres"

[store.options]
url = "$PG_URL"
schema = "scaleout"

[auth]
no_auth = true

[storage]
local_roots = ["$TMP/lake"]

[cache]
plugin = "cache"
l2 = "cache-redis"

[cache.l2_options]
url = "redis://127.0.0.1:$RPORT"
timeout_ms = 50
EOF
	build/release/pangolin -c "$TMP/r$1.toml" >"$TMP/r$1.log" 2>&1 &
	echo $! >"$TMP/r$1.server"
	wait_200 "http://127.0.0.1:$p/health/ready"
	echo "$p"
}

# The operator guide's HAProxy settings (docs/operator-guide.md).
haproxy_up() {
	name=$1 lport=$2
	shift 2
	{
		printf 'global\n  maxconn 4000\ndefaults\n  mode http\n'
		printf '  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n'
		printf '  retries 3\n  option redispatch 1\n'
		printf 'frontend catalog\n  bind 127.0.0.1:%s\n  default_backend replicas\n' "$lport"
		printf 'backend replicas\n  balance roundrobin\n  option httpchk\n'
		printf '  http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host localhost\n'
		i=0
		for bp in "$@"; do
			printf '  server r%d 127.0.0.1:%s check inter 200ms fall 2 rise 2\n' $i "$bp"
			i=$((i + 1))
		done
	} >"$TMP/$name.cfg"
	haproxy -f "$TMP/$name.cfg" -db >"$TMP/$name.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_200 "http://127.0.0.1:$lport/health/ready"
}

R0=$(replica 0)
PIDS="$PIDS $(cat "$TMP/r0.server")"
R1=$(replica 1)
PIDS="$PIDS $(cat "$TMP/r1.server")"
R2=$(replica 2)
PIDS="$PIDS $(cat "$TMP/r2.server")"
LB1=$(port) LB3=$(port)
haproxy_up lb1 "$LB1" "$R0"
haproxy_up lb3 "$LB3" "$R0" "$R1" "$R2"
sleep 1	# every worker of every replica up

node "$HERE/seed.js" iceberg "http://127.0.0.1:$LB3" "$TMP/lake/$NIL/bench" \
    >"$TMP/seed.log" 2>&1 || { cat "$TMP/seed.log" >&2; die "seeding failed"; }

# one wrk run -> "rps p99_ms"
wrk_run() {
	wrk -t2 -c64 -d"${SECS}s" --latency ${2:+-s "$HERE/$2"} "$1" 2>&1 | awk '
	function ms(v,   n, u) {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		return u == "us" ? n / 1000 : u == "s" ? n * 1000 : n
	}
	/^Requests\/sec:/ { rps = $2 }
	$1 == "99%" { p99 = ms($2) }
	/Non-2xx/ { bad = $NF }
	END { printf "%s %.2f %d\n", rps, p99, bad + 0 }'
}

T=/v1/bench/namespaces/b/tables
echo "scaleout bench: $RUNS runs of 6 rows, ${SECS} s each" >&2
r=1
while [ $r -le "$RUNS" ]; do
	for via in direct lb1 lb3; do
		case $via in
		direct) base=http://127.0.0.1:$R0 ;;
		lb1) base=http://127.0.0.1:$LB1 ;;
		lb3) base=http://127.0.0.1:$LB3 ;;
		esac
		wrk_run "$base$T/t100" >>"$TMP/load.$via"
		wrk_run "$base$T/c0" commit_many.lua >>"$TMP/commit.$via"
	done
	r=$((r + 1))
done

FO=$(node "$HERE/scaleout_failover.js" "http://127.0.0.1:$LB3" \
    "sh tests/servers/postgres.sh stop $TMP/primary $P1" \
    "sh tests/servers/postgres.sh promote $TMP/standby") || die "the failover run failed"

median() {
	sort -g -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
	END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
{
	echo "# Three replicas behind HAProxy over a PostgreSQL pair"
	echo
	echo "- $(nproc) CPUs; 3 replicas x $WORKERS workers, HAProxy $(haproxy -v | awk 'NR == 1 { print $3 }'), PostgreSQL (fsync off) with a streaming standby, Redis L2 and wrk on this machine; wrk -t2 -c64 -d${SECS}s, $RUNS runs, medians; load average at the end $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- on 2 CPUs three replicas share what one had: the lb3 rows show the balancer's and the extra processes' cost, not a speed-up"
	echo
	echo "| row | replica 0 directly | HAProxy, 1 replica | HAProxy, 3 replicas | 3 vs 1 |"
	echo "|---|---:|---:|---:|---:|"
	for row in load commit; do
		label="loadTable (100 snapshots), req/s (p99 ms)"
		[ $row = commit ] && label="commits over 64 tables, /s (p99 ms)"
		d=$(median "$TMP/$row.direct" 1) o=$(median "$TMP/$row.lb1" 1) t=$(median "$TMP/$row.lb3" 1)
		printf '| %s | %.0f (%s) | %.0f (%s) | %.0f (%s) | %.2f |\n' "$label" \
		    "$d" "$(median "$TMP/$row.direct" 2)" "$o" "$(median "$TMP/$row.lb1" 2)" \
		    "$t" "$(median "$TMP/$row.lb3" 2)" "$(awk -v a="$t" -v b="$o" 'BEGIN { print a / b }')"
	done
	echo
	echo "$FO" | awk '{
		printf "Failover under 8 committing clients through HAProxy (3 replicas): primary stopped and standby promoted in %d ms; the first commit begun after the stop acknowledged %d ms after it; %d commits acknowledged, %d of them missing afterwards; %d answers other than 200 (5xx or closed)\n", $1, $2, $3, $4, $5
	}'
} | tee "$OUT/scaleout-results.md"
