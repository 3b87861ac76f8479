#!/bin/sh
# Run every cmocka unit binary in <build>/tests and the store suite once
# per store plugin (PostgreSQL's and MongoDB's beside the rest, printed
# after it).  Exits non-zero if any fails.
#
#   PGL_STORE_FAMILIES  only the store suite, these families of it
#                       (tests/unit/store/<family>.c; "all": every one),
#                       none of the other binaries: `make test
#                       FILE=store/assets` (tests/README.md)
#   PGL_STORE_PASSES    the stores it runs on (memory sqlite postgres
#                       mongo; every one when empty)
set -u
out=${1:-build/test}
fail=0
families=${PGL_STORE_FAMILIES:-}
passes=${PGL_STORE_PASSES:-}
tmp=""
servers_out=""
servers=""
export PGL_PLUGIN_DIR="$out/plugins" PGL_TEST_PLUGIN_DIR="$out/tests/plugins"

cleanup() {
	[ -n "$servers" ] && kill "$servers" 2>/dev/null
	[ -n "$tmp" ] && rm -rf "$tmp"
	[ -n "$servers_out" ] && rm -f "$servers_out"
	tmp=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Whether the store suite runs on store $1 (PGL_STORE_PASSES).
# A test server (tests/servers/<x>.sh start <dir> <port>) on the first
# of 20 ports from base it can listen on: url and port are its; else it
# prints <none> and the last try's error, and returns 1.
server_on_port() {	# server_on_port <script> <dir> <base> <none>
	url=""
	for port in $(seq "$3" $(($3 + 19))); do
		url=$(sh "$1" start "$2" "$port" 2>"$2/start.err") && return 0
		url=""
	done
	echo "$4"
	cat "$2/start.err"
	return 1
}

want() {
	[ -z "$passes" ] && return 0
	case " $passes " in *" $1 "*) return 0 ;; esac
	return 1
}

# The families named, each checked against tests/unit/store/ here so a
# misspelt one fails once, not once a store.
args=""
if [ -n "$families" ]; then
	for f in $families; do
		[ "$f" = all ] && continue
		if ! grep -qs "^STORE_FAMILY($f," tests/unit/store/*.c; then
			echo "run-unit: no store family $f; the families:" \
			    $(sed -n 's/^STORE_FAMILY(\([a-z_]*\),.*/\1/p' \
			    tests/unit/store/*.c) >&2
			exit 2
		fi
		args="$args $f"
	done
	case " $families " in *" all "*) args="" ;; esac
	for p in $passes; do
		case "$p" in memory|sqlite|postgres|mongo) ;; *)
			echo "run-unit: the store suite runs on memory sqlite" \
			    "postgres mongo, not $p" >&2
			exit 2 ;;
		esac
	done
fi

# PostgreSQL: a throwaway server of our own (tests/servers/postgres.sh),
# on the first free port from one that depends on our PID, so parallel
# runs and a system cluster on 5432 do not collide.  Each test gets a
# fresh schema (schema=t{n}).
store_postgres() {
	pg=tests/servers/postgres.sh
	pgso="$out/plugins/store-postgres.so"
	if ! want postgres; then
		:
	elif [ -x "$out/tests/test_store" ] && [ -f "$pgso" ]; then
		(
		pgdir=$(mktemp -d)
		trap 'sh $pg stop "$pgdir" >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
		trap 'exit 130' INT TERM
		base=$((55432 + $$ % 500 * 10))
		server_on_port $pg "$pgdir" "$base" "== test_store (store-postgres):\
 no PostgreSQL server (tests/deps.sh test installs it):" || exit 1
		rc=0
		opts="url=$url;schema=t{n}"
		echo "== test_store (store-postgres) on $url"
		PGL_STORE_PLUGIN="$pgso" PGL_STORE_OPTS="$opts" \
		    "$out/tests/test_store" $args || rc=1
		if [ -z "$families" ] && [ -x "$out/tests/test_store_pg" ]; then
			echo "== test_store_pg"
			PGL_STORE_PLUGIN="$pgso" PGL_STORE_OPTS="$opts" \
			    PGL_PG_STOP="sh $pg stop $pgdir $port" \
			    PGL_PG_START="sh $pg start $pgdir $port >/dev/null" \
			    "$out/tests/test_store_pg" || rc=1
		fi
		exit $rc
		) || return 1
	elif [ -x "$out/tests/test_store" ] && ls plugins/store-postgres/*.c \
	    >/dev/null 2>&1; then
		echo "== test_store (store-postgres): SKIPPED, $pgso is not" \
		    "built (make FLAVOR=${out##*/} $pgso)"
	fi
	return 0
}

# MongoDB: CongoDB, the MongoDB-protocol server of INFRA.md (started by
# tests/servers/mongo.sh on the first free port from one that depends on
# our PID, stopped on the way out); each test gets a fresh database.
# PGL_MONGO_TEST_SERVER=congodb lets the tests skip, by name, what CongoDB
# cannot show (unique indexes under a race, atomic transactions).
store_mongo() {
mgso="$out/plugins/store-mongo.so"
if want mongo && [ -x "$out/tests/test_store" ] && [ -f "$mgso" ]; then
	(
	mg=tests/servers/mongo.sh
	mgdir=$(mktemp -d)
	trap 'sh $mg stop "$mgdir" >/dev/null 2>&1; rm -rf "$mgdir"' EXIT
	trap 'exit 130' INT TERM
	base=$((49017 + $$ % 400 * 10))
	server_on_port $mg "$mgdir" "$base" "== test_store (store-mongo): no\
 MongoDB-protocol server (tests/servers/mongo.sh needs node and npm):" ||
		exit 1
	rc=0
	echo "== test_store (store-mongo) on $url (CongoDB)"
	PGL_STORE_PLUGIN="$mgso" PGL_STORE_OPTS="url=$url;database=pgl_t{n}" \
	    PGL_MONGO_TEST_SERVER=congodb "$out/tests/test_store" $args || rc=1
	if [ -z "$families" ] && [ -x "$out/tests/test_store_mongo" ]; then
		echo "== test_store_mongo"
		PGL_STORE_PLUGIN="$mgso" \
		    PGL_STORE_OPTS="url=$url;database=pgl_m{n}" \
		    PGL_MONGO_CMD="node tests/servers/mongo_cmd.mjs $port" \
		    PGL_MONGO_TEST_SERVER=congodb \
		    "$out/tests/test_store_mongo" || rc=1
	fi
	exit $rc
	) || return 1
fi
return 0
}

# The two servers' store suites, one after the other, in the background:
# they spend most of their time waiting on their servers, so the
# binaries below run meanwhile.  Their output follows the rest's.
servers_out=$(mktemp)
(
	rc=0
	t0=$(date +%s)
	store_postgres || rc=1
	echo "run-unit: the PostgreSQL store suite took $(($(date +%s) - t0)) s"
	t0=$(date +%s)
	store_mongo || rc=1
	echo "run-unit: the MongoDB store suite took $(($(date +%s) - t0)) s"
	exit $rc
) >"$servers_out" 2>&1 &
servers=$!

t_rest=$(date +%s)
for t in "$out"/tests/test_*; do
	[ -x "$t" ] || continue
	[ -n "$families" ] && break
	case "$t" in *test_store|*test_store_pg|*test_store_mongo|*test_s3|\
	    *test_nats_sink|*test_azure)
		continue ;;
	esac
	echo "== $(basename "$t")"
	"$t" || fail=1
done
if [ -x "$out/tests/test_store" ]; then
	tmp=$(mktemp -d)
	for p in store-memory store-sqlite; do
		want "${p#store-}" || continue
		echo "== test_store ($p)"
		PGL_STORE_PLUGIN="$out/plugins/$p.so" PGL_STORE_PATH="$tmp/$p.db" \
			"$out/tests/test_store" $args || fail=1
	done
fi

# S3: OpenStack Swift with s3api, which checks SigV4 signatures (INFRA.md;
# tests/servers/swift.sh), for the S3 client's tests.
if [ -z "$families" ] && [ -x "$out/tests/test_s3" ]; then
	(
	sw=tests/servers/swift.sh
	swdir=$(mktemp -d)
	trap 'sh $sw stop "$swdir" >/dev/null 2>&1; rm -rf "$swdir"' EXIT
	trap 'exit 130' INT TERM
	base=$((46017 + $$ % 400 * 10))
	server_on_port $sw "$swdir" "$base" \
	    "== test_s3: no S3 server (tests/servers/swift.sh):" || exit 1
	echo "== test_s3 on $url (Swift s3api)"
	PGL_S3_URL="$url" "$out/tests/test_s3"
	) || fail=1
fi

# Azure Blob: Azurite, the Blob service emulator, which checks Shared Key
# and SAS signatures (npm azurite, pinned in tests/integration's
# package.json), on the first free port from one that depends on our PID,
# data in a temporary directory, stopped on the way out.  Without it
# test_azure runs its pure cases and skips the rest, saying so.
if [ -z "$families" ] && [ -x "$out/tests/test_azure" ]; then
	(
	sh tests/npm-wait.sh || exit 1
	az=tests/integration/node_modules/.bin/azurite-blob
	if [ ! -x "$az" ]; then
		echo "== test_azure: no Azurite ($az; npm ci in" \
		    "tests/integration installs it): server cases SKIPPED"
		exec "$out/tests/test_azure"
	fi
	azdir=$(mktemp -d)
	azpid=""
	trap '[ -n "$azpid" ] && kill "$azpid" 2>/dev/null; rm -rf "$azdir"' EXIT
	trap 'exit 130' INT TERM
	base=$((38017 + $$ % 400 * 10))
	url=""
	for port in $(seq "$base" $((base + 19))); do
		: >"$azdir/log"
		"$az" --blobHost 127.0.0.1 --blobPort "$port" \
		    --location "$azdir/data" --skipApiVersionCheck --loose \
		    --disableTelemetry >"$azdir/log" 2>&1 </dev/null &
		azpid=$!
		# "successfully listens" once the port is bound; an exit is a
		# port taken (or a broken install: the log says).
		i=0
		while [ $i -lt 300 ] && kill -0 "$azpid" 2>/dev/null &&
		    ! grep -qs "successfully listens" "$azdir/log"; do
			sleep 0.1
			i=$((i + 1))
		done
		if grep -q "successfully listens" "$azdir/log"; then
			url="http://127.0.0.1:$port/devstoreaccount1"
			break
		fi
		kill "$azpid" 2>/dev/null
		wait "$azpid" 2>/dev/null
		azpid=""
	done
	if [ -z "$url" ]; then
		echo "== test_azure: Azurite did not start:"
		cat "$azdir/log"
		exit 1
	fi
	echo "== test_azure on $url (Azurite)"
	PGL_AZURE_URL="$url" "$out/tests/test_azure"
	) || fail=1
fi

# NATS: a nats-server with JetStream of our own (tests/servers/nats.sh),
# on the first free port from one that depends on our PID, for the NATS
# sink's tests; the test stops, starts and pauses it through the script.
# Skipped, saying so, only where nats-server is not installed.
if [ -z "$families" ] && [ -x "$out/tests/test_nats_sink" ]; then
	(
	ns=tests/servers/nats.sh
	if ! command -v nats-server >/dev/null 2>&1 &&
	    [ ! -x /usr/sbin/nats-server ]; then
		echo "== test_nats_sink: SKIPPED, nats-server is not installed" \
		    "(tests/deps.sh test installs it)"
		exit 0
	fi
	nsdir=$(mktemp -d)
	trap 'sh $ns stop "$nsdir" >/dev/null 2>&1; rm -rf "$nsdir"' EXIT
	trap 'exit 130' INT TERM
	base=$((32017 + $$ % 400 * 10))
	server_on_port $ns "$nsdir" "$base" \
	    "== test_nats_sink: no nats-server (tests/servers/nats.sh):" ||
		exit 1
	echo "== test_nats_sink on $url (nats-server, JetStream)"
	PGL_NATS_URL="$url" PGL_NATS_CTL="sh $ns" PGL_NATS_DIR="$nsdir" \
	    PGL_NATS_PORT="$port" "$out/tests/test_nats_sink"
	) || fail=1
fi

echo "run-unit: the rest took $(($(date +%s) - t_rest)) s"
wait $servers || fail=1
servers=""
cat "$servers_out"
rm -f "$servers_out"
exit $fail
