#!/bin/sh
# A MongoDB-protocol test server: CongoDB from npm @push.rocks/smartmongo
# (../shared/testing/INFRA.md: no real mongod is installable here).
#
#	mongo.sh start <dir> <port>	install if missing, start on
#					127.0.0.1:<port>, wait until it accepts
#					connections, print its URL; pid and log
#					go in <dir>
#	mongo.sh stop <dir> [port]	stop the server started in <dir>
#
# The package's full `npm install` fails on this registry (it depends on
# mongodb-memory-server, which downloads mongod), so its own runtime
# dependencies are installed at the versions INFRA.md gives and the
# tarball is unpacked next to them, once, into tests/servers/node_modules
# (not committed).  Only the npm registry needs to be reachable.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mods=$here/node_modules
stamp=$mods/.congodb-2.2.0
SMARTMONGO=@push.rocks/smartmongo@2.2.0
DEPS="bson@^6.10.0 mingo@^7.2.0 @push.rocks/smartfs@1.5.0
    @push.rocks/smartpath@^5.0.18 @push.rocks/smartpromise@4.2.3
    @push.rocks/smartrx@3.0.10"

die() {
	echo "mongo.sh: $*" >&2
	exit 1
}

install_congodb_locked() {
	[ -f "$stamp" ] && return 0
	echo "mongo.sh: installing CongoDB ($SMARTMONGO) into $mods" >&2
	tmp=$(mktemp -d "$here/.node_modules.XXXXXX")
	# A throwaway package.json keeps npm from writing one in tests/servers.
	echo '{"private": true}' > "$tmp/package.json"
	# shellcheck disable=SC2086
	if ! (cd "$tmp" && npm install --no-audit --no-fund --no-package-lock \
	    --loglevel=error $DEPS >&2 &&
	    npm pack --loglevel=error "$SMARTMONGO" >/dev/null &&
	    mkdir -p node_modules/@push.rocks/smartmongo &&
	    tar xzf push.rocks-smartmongo-2.2.0.tgz \
	    -C node_modules/@push.rocks/smartmongo --strip-components=1); then
		rm -rf "$tmp"
		die "npm install of CongoDB failed"
	fi
	test -f "$tmp/node_modules/@push.rocks/smartmongo/dist_ts/congodb/index.js" ||
		{ rm -rf "$tmp"; die "$SMARTMONGO has no dist_ts/congodb"; }
	rm -rf "$mods"
	mv "$tmp/node_modules" "$mods"
	rm -rf "$tmp"
	touch "$stamp"
}

# Two runs installing at once would step on each other's directory.
install_congodb() {
	[ -f "$stamp" ] && return 0
	command -v node >/dev/null || die "node is required (Node 20)"
	command -v npm >/dev/null || die "npm is required"
	if command -v flock >/dev/null; then
		(flock 9 && install_congodb_locked) 9>"$here/.congodb.lock"
	else
		install_congodb_locked
	fi
}

start() {
	dir=$1 port=$2
	mkdir -p "$dir"
	install_congodb
	pidf=$dir/congodb.pid log=$dir/congodb.log
	if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
		die "already running in $dir (pid $(cat "$pidf"))"
	fi
	nohup node "$here/congodb.mjs" "$port" >"$log" 2>&1 </dev/null &
	echo $! >"$pidf"
	# "ready" is printed once listen() succeeded: it accepts connections.
	i=0
	while ! grep -q "^ready $port" "$log" 2>/dev/null; do
		if ! kill -0 "$(cat "$pidf")" 2>/dev/null; then
			cat "$log" >&2
			rm -f "$pidf"
			die "CongoDB exited before accepting connections"
		fi
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			stop "$dir"
			die "CongoDB did not start in 30 s"
		fi
		sleep 0.1
	done
	echo "mongodb://127.0.0.1:$port/"
}

stop() {
	dir=$1
	pidf=$dir/congodb.pid
	[ -f "$pidf" ] || return 0
	pid=$(cat "$pidf")
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$pidf"
}

usage() {
	die "usage: mongo.sh start <dir> <port> | stop <dir> [port]"
}

case ${1:-}:$# in
start:3)
	case $3 in
	*[!0-9]*|'') die "port must be a number: $3" ;;
	esac
	start "$2" "$3" ;;
stop:2|stop:3)
	stop "$2" ;;
*)	usage ;;
esac
