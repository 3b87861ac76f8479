#!/bin/sh
# Pangolin benchmark: `make bench` (or `sh tests/bench/run.sh` after
# `make bench` built it), from the repository root.
#
# Speed is measured, not claimed: every figure is printed next to the same
# measurement of Kore's own hello world (tests/bench/hello), built from the
# same patched Kore objects, with the same worker count, measured in the
# same run.  Runs are interleaved (run 1 of every row, then run 2, ...) so
# drift in background load hits every row alike; the table quotes medians.
#
# Environment:
#   BENCH_WORKERS   Kore workers for both servers        (default 2)
#   BENCH_SECS      seconds per wrk run                  (default 5)
#   BENCH_RUNS      wrk runs per row                     (default 3)
#   BENCH_THREADS   wrk threads                          (default 2)
#   BENCH_CONNS     wrk connections                      (default 64)
#   BENCH_CATALOGS  catalogs seeded into pangolin        (default 1000)
#   BENCH_LOG       file for pangolin's stderr (access log), both servers;
#                   default /dev/null
#   BENCH_ONLY      "routes": stop after the routes table (auth rows
#                   included), skipping the benches after it (~8 of ~25 min);
#                   "scale": the scale bench alone (tests/bench/scale.sh:
#                   SCALE_TABLES, default 1000000; 100000 to try it)
#
# Prints the table and writes it as Markdown to build/bench/results.md,
# then runs the store-level bench (tests/bench/store.sh), whose table goes
# to build/bench/store-results.md, and the others after it, each writing
# build/bench/<name>-results.md (isolation.sh: one tenant's attacks beside
# another tenant's latency; federation.sh: one tenant's slow and failing
# remote calls beside another tenant's on the same remote); the last is
# table maintenance and the
# task runners (tests/bench/maintenance.sh: BENCH_MAINT_* settings);
# search.sh measures search over 100,000 assets beside a LIKE scan;
# scan_isolation.sh one tenant's reader planning scans as hard as it can
# beside another tenant's latency; branch.sh a fork beside a branch copy at
# 1k-100k tables, and reads on a
# branch three forks deep beside main; sts.sh loadTable with vended STS
# credentials (Ceph RGW), warm and cold, beside loadTable without them;
# azure.sh loadTable and commit rates on an Azure warehouse (Azurite) beside
# the same on S3 (Swift); tail.sh loadTable's p99 beside nginx serving the same bytes; scaleout.sh
# one replica against three behind HAProxy, and a PostgreSQL failover;
# scale.sh (issue 69) 1,000 tables beside 1,000,000 (the catalogs built
# once by search_bench -t and kept in /tmp/pangolin-scale): loads, lists,
# search, writes, start-up and memory, SQLite and PostgreSQL;
# tx_race.sh clients registering into one namespace at once, SQLite beside
# PostgreSQL, whose racing transactions the server runs again; events.sh
# commits with a webhook and NATS beside without, delivery lag and drain;
# commits.sh, besides its results, writes build/bench/commits-profile.md,
# where a commit storm's CPU goes (with perf; COMMITS_PROFILE=0 skips it).
set -eu

WORKERS=${BENCH_WORKERS:-2}
SECS=${BENCH_SECS:-5}
RUNS=${BENCH_RUNS:-3}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-64}
CATALOGS=${BENCH_CATALOGS:-1000}
PLOG=${BENCH_LOG:-/dev/null}
ONLY=${BENCH_ONLY:-}
case $ONLY in
""|routes|scale) ;;
*) echo "bench: BENCH_ONLY=$ONLY: only \"routes\" and \"scale\" are known" >&2; exit 1 ;;
esac
OUT=build/bench
HERE=tests/bench

die() {
	echo "bench: $*" >&2
	exit 1
}

# --- prerequisites ---------------------------------------------------------

if ! command -v wrk >/dev/null 2>&1; then
	echo "bench: wrk is not installed." >&2
	echo "  install it with: sudo apt-get install wrk   (or: make deps)" >&2
	exit 1
fi
command -v curl >/dev/null 2>&1 ||
	die "curl is not installed (sudo apt-get install curl)"
command -v node >/dev/null 2>&1 ||
	die "node is not installed (needed to seed catalogs; sudo apt-get install nodejs)"
if [ ! -f Makefile ] || [ ! -d "$HERE" ]; then
	die "run from the repository root (sh tests/bench/run.sh)"
fi
if [ ! -x build/release/pangolin ] || [ ! -e build/release/plugins/store-sqlite.so ] ||
    [ ! -x build/release/bench/s3_bench ]; then
	die "build/release/pangolin, its plugins or its bench programs are missing: run 'make bench'"
fi

# --- the scale bench alone (BENCH_ONLY=scale) ------------------------------

if [ "$ONLY" = scale ]; then
	sh "$HERE/scale.sh" || die "the scale bench failed"
	echo "bench: written $OUT/scale-results.md"
	exit 0
fi

# --- temp dir, cleanup -----------------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-bench.XXXXXX")
HELLO_PID=
PGL_PID=
AUTH_PID=
IDP_PID=
COLD_PID=
SWIFT_DIR=

# SIGTERM, then wait up to 10 s for the parent (it drains its workers),
# then SIGKILL.  Only ever the PIDs this script spawned.
stop() {
	pid=$1
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "bench: pid $pid ignored SIGTERM for 10 s; sending SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	rc=$?
	trap - EXIT INT TERM
	stop "$PGL_PID"
	stop "$AUTH_PID"
	stop "$IDP_PID"
	stop "$COLD_PID"
	stop "$HELLO_PID"
	[ -n "$SWIFT_DIR" ] && sh tests/servers/swift.sh stop "$SWIFT_DIR" \
	    >/dev/null 2>&1
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
mkdir -p "$OUT"

HELLO_PORT=${BENCH_HELLO_PORT:-$(node "$HERE/seed.js" port)}
PGL_PORT=${BENCH_PANGOLIN_PORT:-$(node "$HERE/seed.js" port)}
[ "$HELLO_PORT" != "$PGL_PORT" ] || PGL_PORT=$((PGL_PORT + 1))
AUTH_PORT=${BENCH_AUTH_PORT:-$(node "$HERE/seed.js" port)}
while [ "$AUTH_PORT" = "$HELLO_PORT" ] || [ "$AUTH_PORT" = "$PGL_PORT" ]; do
	AUTH_PORT=$(node "$HERE/seed.js" port)
done

# Poll URL until it answers 200 (up to 10 s) while PID lives.
wait_up() {
	pid=$1 url=$2 name=$3 log=$4
	i=0
	while [ $i -lt 100 ]; do
		kill -0 "$pid" 2>/dev/null || {
			[ -s "$log" ] && cat "$log" >&2
			die "$name exited during start-up"
		}
		code=$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null) || true
		[ "$code" = 200 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$log" ] && cat "$log" >&2
	die "$name did not answer 200 on $url within 10 s"
}

# --- the baseline: Kore's hello world ---------------------------------------

echo "bench: building Kore hello world (baseline) in $OUT/hello"
sh "$HERE/hello/build.sh" "$OUT/hello" "$WORKERS" "$HELLO_PORT" >/dev/null
"$OUT/hello/hello" "$TMP/hello.pid" >"$TMP/hello.log" 2>&1 &
HELLO_PID=$!
wait_up "$HELLO_PID" "http://127.0.0.1:$HELLO_PORT/" "hello" "$TMP/hello.log"

# --- pangolin: SQLite store, no auth ----------------------------------------

# Swift's port is known before pangolin starts: its loopback origin is
# allow-listed ([storage] allowed_endpoints), as an operator would.
SWIFT_PORT=$(node "$HERE/seed.js" port)

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
allowed_endpoints = ["http://127.0.0.1:$SWIFT_PORT"]
EOF

# Environment overrides would change what is measured; drop the known ones.
unset PANGOLIN_CONFIG DATABASE_URL PANGOLIN_NO_AUTH 2>/dev/null || true

./pangolin -c "$TMP/pangolin.toml" --check-config >"$TMP/check.log" 2>&1 || {
	cat "$TMP/check.log" >&2
	die "pangolin refused its bench config"
}
./pangolin -c "$TMP/pangolin.toml" >"$PLOG" 2>&1 &
PGL_PID=$!
wait_up "$PGL_PID" "http://127.0.0.1:$PGL_PORT/health/live" "pangolin" "$PLOG"

echo "bench: seeding $CATALOGS catalogs"
node "$HERE/seed.js" seed "http://127.0.0.1:$PGL_PORT" "$CATALOGS" 4 \
    >"$TMP/seed.log" 2>&1 || { cat "$TMP/seed.log" >&2; die "seeding failed"; }
sed 's/^/bench: /' "$TMP/seed.log"
node "$HERE/seed.js" iceberg "http://127.0.0.1:$PGL_PORT" \
    "$TMP/warehouses/00000000-0000-0000-0000-000000000000/bench" \
    >"$TMP/seed-ice.log" 2>&1 || { cat "$TMP/seed-ice.log" >&2; die "iceberg seeding failed"; }
sed 's/^/bench: /' "$TMP/seed-ice.log"

# --- an S3 warehouse: OpenStack Swift with s3api (SigV4 checked) ------------------

SWIFT_DIR=$TMP/swift
S3_URL=$(sh tests/servers/swift.sh start "$SWIFT_DIR" "$SWIFT_PORT") ||
	die "cannot start Swift (tests/servers/swift.sh; make deps-test installs it)"
curl -s -o /dev/null --aws-sigv4 aws:amz:us-east-1:s3 \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT \
    "http://test%3Atester:testing@127.0.0.1:$SWIFT_PORT/pgl-bench" ||
	die "cannot create the bench bucket"
node "$HERE/seed.js" s3 "http://127.0.0.1:$PGL_PORT" "$S3_URL" pgl-bench \
    >"$TMP/seed-s3.log" 2>&1 || { cat "$TMP/seed-s3.log" >&2; die "S3 seeding failed"; }
sed 's/^/bench: /' "$TMP/seed-s3.log"

# Cold loadTable on S3: a third server on the same database has loaded
# nothing yet, so the first load of each of 200 tables reads its metadata
# object from Swift; the second pass is the same loads warm, one client.
COLD_PORT=$(node "$HERE/seed.js" port)
sed -e "s/^port = .*/port = $COLD_PORT/" \
    -e "s|^pid_file = .*|pid_file = \"$TMP/cold.pid\"|" \
    "$TMP/pangolin.toml" >"$TMP/cold.toml"
./pangolin -c "$TMP/cold.toml" >"$TMP/cold.log" 2>&1 &
COLD_PID=$!
wait_up "$COLD_PID" "http://127.0.0.1:$COLD_PORT/health/live" "pangolin (cold)" "$TMP/cold.log"
COLD=$(node "$HERE/seed.js" loads "http://127.0.0.1:$COLD_PORT" \
    /v1/s3bench/namespaces/b/tables/k 200) || die "the cold loads failed"
stop "$COLD_PID"
COLD_PID=
COLDNOTE=$(echo "$COLD" | awk '{ printf "loadTable on S3, one client, 200 tables in a server that had loaded none: cold p50 %s ms, p90 %s ms (one S3 GET each); the same loads warm p50 %s ms, p90 %s ms", $1, $2, $3, $4 }')
echo "bench: $COLDNOTE"

# --- pangolin with auth on, the same database ---------------------------------

# A second server on the same SQLite file (WAL: any number of processes),
# with sign-in required and the default rate limit (10 per 60 s): the
# rows below compare its loadTable with each credential to the no-auth
# server's, and flood its login.
sed -e "s/^port = .*/port = $AUTH_PORT/" \
    -e "s|^pid_file = .*|pid_file = \"$TMP/auth.pid\"|" \
    -e 's/^no_auth = true/root_user = "benchroot"\
root_password = "Bench-Root-Passw0rd-x"\
jwt_secret = "bench-jwt-secret-0123456789abcdef-0123456789"/' \
    "$TMP/pangolin.toml" >"$TMP/auth.toml"
# An identity provider whose RS256 and ES256 tokens the auth server takes
# too ([[auth.oidc]]): their rows sit beside the catalog's own HS256.
node "$HERE/idp.mjs" "$TMP" >"$TMP/idp.log" 2>&1 &
IDP_PID=$!
i=0
while [ ! -f "$TMP/idp.issuer" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$TMP/idp.issuer" ] || { cat "$TMP/idp.log" >&2; die "the identity provider did not start"; }
printf '\n[[auth.oidc]]\nname = "bench"\nissuer = "%s"\naudience = "pangolin"\nroles = { "bench-admins" = "tenant-admin" }\n' \
    "$(cat "$TMP/idp.issuer")" >>"$TMP/auth.toml"
# Its access log goes where the no-auth server's goes: the two loadTable
# rows compared differ in the credential only.
./pangolin -c "$TMP/auth.toml" >"$PLOG" 2>&1 &
AUTH_PID=$!
wait_up "$AUTH_PID" "http://127.0.0.1:$AUTH_PORT/health/live" "pangolin (auth)" "$PLOG"
node "$HERE/seed.js" auth "http://127.0.0.1:$AUTH_PORT" benchroot \
    Bench-Root-Passw0rd-x "$TMP" >"$TMP/seed-auth.log" 2>&1 ||
	{ cat "$TMP/seed-auth.log" >&2; die "auth seeding failed"; }
sed 's/^/bench: /' "$TMP/seed-auth.log"

# --- rows ---------------------------------------------------------------------

# label|url[|wrk script[|header file]]   (the hello row first: every ratio
# divides by it).  The auth rows come right after the no-auth loadTable
# rows they are compared with, before any row that writes (commits, the
# login flood), so that both are measured in the same conditions.  After these, one row per distinct response size: Kore
# serving a static body of exactly that many bytes (hello's /static?n=),
# the physical limit for a reply of that size, for the "vs static" column.
H=http://127.0.0.1:$HELLO_PORT
P=http://127.0.0.1:$PGL_PORT
A=http://127.0.0.1:$AUTH_PORT
echo "Accept-Encoding: gzip" >"$TMP/gzip.hdr"
cat >"$TMP/rows" <<EOF
hello (Kore) GET /|$H/
GET /health/live|$P/health/live
GET /v1/config|$P/v1/config
GET /api/v1/catalogs (100 of $CATALOGS)|$P/api/v1/catalogs
GET /api/v1/catalogs?limit=$CATALOGS|$P/api/v1/catalogs?limit=$CATALOGS
GET /v1/config?warehouse=bench|$P/v1/config?warehouse=bench
loadTable (100 snapshots)|$P/v1/bench/namespaces/b/tables/t100
loadTable (100 snapshots), gzip|$P/v1/bench/namespaces/b/tables/t100||gzip.hdr
loadTable, bearer JWT (tenant admin)|$A/v1/bench/namespaces/b/tables/t100||admin.hdr
loadTable, provider's RS256 token (tenant admin)|$A/v1/bench/namespaces/b/tables/t100||rs256.hdr
loadTable, provider's ES256 token (tenant admin)|$A/v1/bench/namespaces/b/tables/t100||es256.hdr
loadTable, X-API-Key (service user)|$A/v1/bench/namespaces/b/tables/t100||key.hdr
loadTable, JWT, tenant user, 1000 grants|$A/v1/bench/namespaces/b/tables/t100||user.hdr
loadTable (fresh table, 1 snapshot)|$P/v1/bench/namespaces/b/tables/t1
loadTable (fresh table, labelled)|$P/v1/bench/namespaces/b/tables/tl
loadTable on S3 (20 commits, warm)|$P/v1/s3bench/namespaces/b/tables/t
commit, one table on S3|$P/v1/s3bench/namespaces/b/tables/c0|commit_one.lua
login flood (rate limited: 429s)|$A/api/v1/users/login|login_flood.lua
commit, one table|$P/v1/bench/namespaces/b/tables/c0|commit_one.lua
commit, 64 tables|$P/v1/bench/namespaces/b/tables/c0|commit_many.lua
EOF

# A row whose route is not served yet stays in the table as n/a.
n=0
while IFS='|' read -r label url script hdr; do
	n=$((n + 1))
	[ -n "$script" ] && echo "$HERE/$script" >"$TMP/row$n.script"
	[ -n "$hdr" ] && cp "$TMP/$hdr" "$TMP/row$n.header"
	code=$(curl -s -o /dev/null -w '%{http_code}' ${hdr:+-H "$(cat "$TMP/$hdr")"} "$url") || code=000
	# The flood is a POST: it is run whatever a GET answers.
	[ -n "$script" ] && [ "$script" = login_flood.lua ] && code=200
	case $code in
	2??) echo "$url" >"$TMP/row$n.url" ;;
	*) echo "$code" >"$TMP/row$n.skip" ;;
	esac
	echo "$label" >"$TMP/row$n.label"
	# The bytes of a GET's body as sent (compressed if the row asks gzip).
	if [ $n -gt 1 ] && [ -z "$script" ] && [ -f "$TMP/row$n.url" ]; then
		curl -s -o /dev/null -w '%{size_download}\n' \
		    ${hdr:+-H "$(cat "$TMP/$hdr")"} "$url" >"$TMP/row$n.size"
	fi
done <"$TMP/rows"
for size in $(cat "$TMP"/row*.size | sort -un); do
	n=$((n + 1))
	echo "$H/static?n=$size" >"$TMP/row$n.url"
	echo "static $size B (Kore)" >"$TMP/row$n.label"
	echo "$size" >"$TMP/row$n.static"
done
NROWS=$n

# One wrk run -> "rps p50_ms p99_ms non2xx timeouts other_socket_errors".
parse_wrk() {
	awk '
	function ms(v,   n, u) {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") return n / 1000
		if (u == "ms") return n
		if (u == "s")  return n * 1000
		if (u == "m")  return n * 60000
		if (u == "h")  return n * 3600000
		return -1
	}
	/^Requests\/sec:/		{ rps = $2 }
	$1 == "50%"			{ p50 = ms($2) }
	$1 == "99%"			{ p99 = ms($2) }
	/Non-2xx or 3xx responses:/	{ non2xx = $NF }
	/Socket errors:/ {
		gsub(/,/, "")
		sock = $4 + $6 + $8; tmo = $10
	}
	END {
		if (rps == "" || p50 == "" || p99 == "") exit 1
		printf "%s %.3f %.3f %d %d %d\n", rps, p50, p99, non2xx + 0,
		    tmo + 0, sock + 0
	}' "$1"
}

echo "bench: wrk -t$THREADS -c$CONNS -d${SECS}s --latency, $RUNS runs per row," \
    "interleaved; about $((RUNS * NROWS * SECS)) s"
r=1
while [ $r -le "$RUNS" ]; do
	n=1
	while [ $n -le "$NROWS" ]; do
		if [ -f "$TMP/row$n.url" ]; then
			url=$(cat "$TMP/row$n.url")
			script=
			[ -f "$TMP/row$n.script" ] && script="-s $(cat "$TMP/row$n.script")"
			header=
			[ -f "$TMP/row$n.header" ] && header=$(cat "$TMP/row$n.header")
			wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency $script \
			    ${header:+-H "$header"} "$url" >"$TMP/wrk.$n.$r" 2>&1 ||
				{ cat "$TMP/wrk.$n.$r" >&2; die "wrk failed on $url"; }
			parse_wrk "$TMP/wrk.$n.$r" >>"$TMP/row$n.runs" || {
				cat "$TMP/wrk.$n.$r" >&2
				die "cannot parse wrk output for $url"
			}
			kill -0 "$PGL_PID" 2>/dev/null || die "pangolin died during the bench"
			kill -0 "$AUTH_PID" 2>/dev/null || die "pangolin (auth) died during the bench"
			kill -0 "$HELLO_PID" 2>/dev/null || die "hello died during the bench"
		fi
		n=$((n + 1))
	done
	echo "bench: run $r/$RUNS done"
	r=$((r + 1))
done

# Median of column $2 of file $1 (mean of the middle two for an even count).
median() {
	sort -g -k"$2","$2" "$1" | awk -v c="$2" '
	{ v[NR] = $c }
	END {
		if (NR % 2) print v[(NR + 1) / 2]
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}
colsum() {
	awk -v c="$2" '{ s += $c } END { print s + 0 }' "$1"
}
colrange() {
	sort -g -k"$2","$2" "$1" | awk -v c="$2" '
	NR == 1 { lo = $c } { hi = $c } END { printf "%.0f-%.0f", lo, hi }'
}

# --- the table -------------------------------------------------------------------

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
[ -n "$CPU" ] || CPU=unknown
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
END=$(date +%s)

hello_rps=$(median "$TMP/row1.runs" 1)
# The static baselines' medians, by size, for the "vs static" column.
for f in "$TMP"/row*.static; do
	[ -f "$f" ] || continue
	median "${f%.static}.runs" 1 >"$TMP/static.$(cat "$f")"
done
: >"$TMP/table"
n=1
while [ $n -le "$NROWS" ]; do
	label=$(cat "$TMP/row$n.label")
	if [ -f "$TMP/row$n.skip" ]; then
		printf '%s|n/a (route not yet served: HTTP %s)|||||||||\n' "$label" \
		    "$(cat "$TMP/row$n.skip")" >>"$TMP/table"
	else
		f=$TMP/row$n.runs
		rps=$(median "$f" 1)
		size=-
		vs_static=-
		if [ -f "$TMP/row$n.size" ] &&
		    [ -s "$TMP/static.$(cat "$TMP/row$n.size")" ]; then
			size=$(cat "$TMP/row$n.size")
			vs_static=$(awk -v a="$rps" -v b="$(cat "$TMP/static.$size")" \
			    'BEGIN { printf "%.3f", a / b }')
		fi
		[ -f "$TMP/row$n.static" ] && size=$(cat "$TMP/row$n.static")
		printf '%s|%.0f|%s|%.3f|%.3f|%.3f|%s|%s|%s|%s|%s\n' "$label" "$rps" \
		    "$(colrange "$f" 1)" "$(median "$f" 2)" "$(median "$f" 3)" \
		    "$(awk -v a="$rps" -v b="$hello_rps" 'BEGIN { print a / b }')" \
		    "$(colsum "$f" 4)" "$(colsum "$f" 5)" "$(colsum "$f" 6)" \
		    "$size" "$vs_static" >>"$TMP/table"
	fi
	n=$((n + 1))
done

HDR1="machine: $(nproc) CPUs, $CPU, Linux $(uname -r); load average (1/5/15 min) at start $LOAD_START, at end $LOAD_END"
HDR2="servers: $WORKERS Kore workers each (hello and pangolin), 127.0.0.1, plain HTTP; pangolin: store-sqlite (WAL), cache plugin, no-auth, access log to ${PLOG}"
HDR3="client: wrk -t$THREADS -c$CONNS -d${SECS}s --latency, keep-alive; $RUNS runs per row, interleaved; medians quoted; errors summed over all runs"
HDR4="load: client and server share the machine (wrk competes with the workers for the same CPUs); wall time $((END - START)) s"

echo
echo "$HDR1"
echo "$HDR2"
echo "$HDR3"
echo "$HDR4"
echo
awk -F'|' '
BEGIN {
	f = "%-38s %9s %13s %9s %9s %9s %8s %8s %8s %8s %9s\n"
	printf f, "endpoint", "req/s", "req/s range", "p50 ms", "p99 ms",
	    "vs hello", "non-2xx", "timeouts", "sock err", "bytes",
	    "vs static"
	printf f, "", "(median)", "(min-max)", "(median)", "(median)",
	    "(req/s)", "", "", "", "(body)", "(same B)"
}
$3 == "" { printf "%-38s %s\n", $1, $2; next }
{ printf f, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }
' "$TMP/table"
# S3 requests a warm loadTable sends: /metrics before and after 200 loads.
s3_requests() {
	curl -s "$P/metrics" | awk '$1 == "pangolin_object_store_requests_total" { print $2 }'
}
s3_before=$(s3_requests)
i=0
while [ $i -lt 200 ]; do
	curl -s -o /dev/null "$P/v1/s3bench/namespaces/b/tables/t"
	i=$((i + 1))
done
s3_after=$(s3_requests)
S3NOTE="S3 requests per warm loadTable: $(awk -v a="$s3_before" -v b="$s3_after" 'BEGIN { printf "%.2f", (b - a) / 200 }') (200 loads after the runs; metadata objects are cached per worker)"

# Authentication's cost: each credential's loadTable against no-auth's.
noauth_rps=$(awk -F'|' '$1 == "loadTable (100 snapshots)" { print $2 }' "$TMP/table")
AUTHNOTE=$(awk -F'|' -v base="$noauth_rps" '
	/^loadTable, / && base > 0 { printf "%s%s: %.2f of no-auth", sep, $1, $2 / base; sep = "; " }' "$TMP/table")
AUTHNOTE="auth vs no-auth loadTable (req/s ratio): $AUTHNOTE; login (argon2id) p50 $(cat "$TMP/login_p50") ms over 7 sequential logins; the login flood's non-2xx are 429s from the limiter"
NOTE="non-2xx, timeouts (no answer within wrk's 2 s --timeout) and other socket errors (connect/read/write) are totals over all runs"
echo
echo "$NOTE"
echo "$AUTHNOTE"
echo "$S3NOTE"
echo "$COLDNOTE"

{
	echo "# Pangolin bench results"
	echo
	echo "- $HDR1"
	echo "- $HDR2"
	echo "- $HDR3"
	echo "- $HDR4"
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ), pangolin $(cat VERSION 2>/dev/null || echo '?')"
	echo
	echo "| endpoint | req/s (median) | req/s min-max | p50 ms | p99 ms | ratio vs hello | non-2xx | timeouts | other socket errors | body bytes | ratio vs same-size static |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	awk -F'|' '
	$3 == "" { printf "| `%s` | %s | | | | | | | | | |\n", $1, $2; next }
	{ printf "| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }
	' "$TMP/table"
	echo
	echo "$NOTE"
	echo
	echo "$AUTHNOTE"
	echo
	echo "$S3NOTE"
	echo
	echo "$COLDNOTE"
} >"$OUT/results.md"
echo
echo "bench: written $OUT/results.md"
if [ "$ONLY" = routes ]; then
	echo "bench: BENCH_ONLY=routes: the other benches are skipped"
	exit 0
fi

# --- the store-level bench ---------------------------------------------------

# Branch copy, commit ancestry and conflict listing on every store plugin
# built, single query next to the naive loop (tests/bench/store.sh; its
# table goes to build/bench/store-results.md).  The HTTP servers are done:
# stopped first, so they take no CPU from it.
stop "$PGL_PID"
PGL_PID=
stop "$AUTH_PID"
AUTH_PID=
stop "$IDP_PID"
IDP_PID=
stop "$HELLO_PID"
HELLO_PID=
echo
sh "$HERE/store.sh"

# --- the auth steps, one call each (tests/bench/auth_bench.c) -----------------

echo
build/release/bench/auth_bench "$OUT/auth-results.md"
echo "bench: written $OUT/auth-results.md"

# --- the S3 client, one call at a time (tests/bench/s3_bench.c) ----------------

echo
build/release/bench/s3_bench "$S3_URL" pgl-bench-client "$OUT/s3-results.md" ||
	die "the S3 client bench failed"
echo "bench: written $OUT/s3-results.md"

# --- two replicas on one PostgreSQL (tests/bench/replicas.sh) -----------------

echo
sh "$HERE/replicas.sh"
echo "bench: written $OUT/replicas-results.md"

# --- the metadata cache tiers: L1, Redis L2, none (tests/bench/redis.sh) ------

echo; sh "$HERE/redis.sh" >"$OUT/redis-results.md" || die "the Redis L2 bench failed"; cat "$OUT/redis-results.md"

# --- the metadata cache under a Zipf mix (tests/bench/zipf.sh) ----------------

echo; sh "$HERE/zipf.sh" || die "the Zipf cache bench failed"
echo "bench: written $OUT/zipf-results.md"

# --- a metadata file written and read: jansson beside json_out and json_in ----
# (json_bench.c: json_dumps beside pgl_json_out, json_loadb beside pgl_json_in)

echo
JSON_BENCH=$(build/release/bench/json_bench 20000) ||
	die "the JSON bench failed (or json_out's text or json_in's tree differs from jansson's)"
{
	echo "# Writing and reading an 18 KB metadata file"
	echo
	echo "- $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg);" \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ); the median batch's thread CPU time per call"
	echo
	echo "| bytes | what | jansson, us | ours, us | speedup |"
	echo "|---:|---|---:|---:|---:|"
	echo "$JSON_BENCH" | awk '
	$3 == "json_dumps_us" { printf "| %s | write: json_dumps, src/util/json_out.c | %s | %s | %s |\n", $2, $4, $6, $8 }
	$3 == "json_loadb_us" { printf "| %s | read: json_loadb, src/util/json_in.c | %s | %s | %s |\n", $2, $4, $6, $8 }'
} >"$OUT/json-results.md"
cat "$OUT/json-results.md"

# --- commits beside the disk's pace, SQLite and PostgreSQL (commits.sh) --------

echo; sh "$HERE/commits.sh" || die "the commit bench failed"
echo "bench: written $OUT/commits-results.md and $OUT/commits-profile.md"

# --- racing store transactions: registers into one namespace (tx_race.sh) -------

echo; sh "$HERE/tx_race.sh" || die "the racing-transactions bench failed"
echo "bench: written $OUT/tx_race-results.md"

# --- change events: commits with push sinks, delivery lag, drain (events.sh) ----

echo; sh "$HERE/events.sh" || die "the events bench failed"
echo "bench: written $OUT/events-results.md"

# --- merging two branches of 10,000 tables (merge.sh) ---------------------------

echo; sh "$HERE/merge.sh" || die "the merge bench failed"
echo "bench: written $OUT/merge-results.md"

# --- search over 100,000 assets beside a LIKE scan (search.sh) ------------------

echo; sh "$HERE/search.sh" || die "the search bench failed"
echo "bench: written $OUT/search-results.md"

# --- one tenant's attacks beside another's latency (isolation.sh) ---------------

echo; sh "$HERE/isolation.sh" || die "the isolation bench failed"
echo "bench: written $OUT/isolation-results.md"

# --- one tenant's federated calls beside another's on one remote (federation.sh) -

echo; sh "$HERE/federation.sh" || die "the federation bench failed"
echo "bench: written $OUT/federation-results.md"

# --- table maintenance and task runners (tests/bench/maintenance.sh) ------------

echo; sh "$HERE/maintenance.sh" || die "the maintenance bench failed"
echo "bench: written $OUT/maintenance-results.md"

# --- server-side scan planning (tests/bench/scan.sh) ------------------------------

echo; sh "$HERE/scan.sh" || die "the scan planning bench failed"
echo "bench: written $OUT/scan-results.md"

# --- one tenant's scan plans beside another's latency (scan_isolation.sh) -------

echo; sh "$HERE/scan_isolation.sh" || die "the scan isolation bench failed"
echo "bench: written $OUT/scan-isolation-results.md"

# --- copy-on-write branches: fork vs copy, reads 3 deep (branch.sh) ---------------

echo; sh "$HERE/branch.sh" || die "the branch bench failed"
echo "bench: written $OUT/branch-results.md"

# --- vended STS credentials: loadTable warm, cold, without (sts.sh) ---------------

echo; sh "$HERE/sts.sh" || die "the STS vending bench failed"
echo "bench: written $OUT/sts-results.md"

# --- Azure warehouses on Azurite beside S3 on Swift: loads, commits (azure.sh) ----

echo; sh "$HERE/azure.sh" || die "the Azure bench failed"
echo "bench: written $OUT/azure-results.md"

# --- loadTable's tail beside nginx serving the same bytes (tail.sh) ---------------

echo; sh "$HERE/tail.sh" || die "the tail-latency bench failed"
echo "bench: written $OUT/tail-results.md"

# --- three replicas behind HAProxy, and a PostgreSQL failover (scaleout.sh) --------

echo; sh "$HERE/scaleout.sh" || die "the scale-out bench failed"
echo "bench: written $OUT/scaleout-results.md"

# --- 1,000 beside 1,000,000 tables, SQLite and PostgreSQL (scale.sh) ---------------

echo; sh "$HERE/scale.sh" || die "the scale bench failed"
echo "bench: written $OUT/scale-results.md"
