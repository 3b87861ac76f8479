#!/bin/sh
# An S3 endpoint that really checks SigV4 signatures: OpenStack Swift with
# its s3api middleware (../shared/testing/INFRA.md, "S3 with real SigV4
# checking").  swift_check.sh beside this file shows the curl flags.
#
#	swift.sh start <dir> <port>	memcached, account, container and
#					object servers on free loopback ports
#					and the proxy on 127.0.0.1:<port>; wait
#					until all answer, print the proxy's URL
#	swift.sh stop <dir> [port]	stop every process started in <dir>
#
# Credentials (tempauth): access key test:tester, secret testing, region
# us-east-1, path-style URLs.  Everything lives under <dir>: the configs
# and rings (<dir>/etc), the one device (<dir>/srv/d1), a log and a pid
# file per process.  The only file read from /etc is /etc/swift/swift.conf,
# which Swift always reads there (hash prefix, storage policies); Debian's
# `swift` package ships it.  Nothing is daemonised: each process runs in
# the foreground (workers = 0, no forks), so its pid file is its own pid.
set -eu

# The servers' #! line is /usr/bin/python3; another python3 first on PATH
# (pyenv) has no swift module, so helpers use the same interpreter.
PY=/usr/bin/python3
SERVERS="account container object proxy"

die() {
	echo "swift.sh: $*" >&2
	exit 1
}

# An exited process stays a zombie until pid 1 reaps it, which in some
# containers takes seconds: a zombie counts as gone.
running() {
	kill -0 "$1" 2>/dev/null &&
	    ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

# alive <dir>/<name>.pid: that process runs, and is still ours (a pid
# file that outlived a reboot may name someone else's process).
alive() {
	[ -f "$1" ] || return 1
	apid=$(cat "$1")
	running "$apid" || return 1
	aname=$(basename "$1" .pid)
	[ "$aname" = memcached ] || aname=swift-$aname-server
	[ ! -r "/proc/$apid/cmdline" ] ||
	    tr '\0' ' ' <"/proc/$apid/cmdline" | grep -q -- "$aname"
}

# Four distinct free loopback ports, none of them the proxy's: memcached,
# account, container, object.  Held open together so they differ.
free_ports() {
	$PY -c '
import socket, sys
avoid, socks = int(sys.argv[1]), []
while len(socks) < 4:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    if s.getsockname()[1] == avoid:
        continue
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# Everything answers: memcached its "version", each server /healthcheck.
ready() {
	$PY -c '
import socket, sys, urllib.request
mc = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)
mc.sendall(b"version\r\n")
assert mc.recv(64).startswith(b"VERSION")
for p in sys.argv[2:]:
    r = urllib.request.urlopen("http://127.0.0.1:%s/healthcheck" % p,
                               timeout=1)
    assert r.read() == b"OK"' "$@" 2>/dev/null
}

healthy() {
	$PY -c '
import sys, urllib.request
r = urllib.request.urlopen("http://127.0.0.1:%s/healthcheck" % sys.argv[1],
                           timeout=2)
assert r.read() == b"OK"' "$1" 2>/dev/null
}

logs() {
	for l in memcached $SERVERS; do
		[ -s "$dir/$l.log" ] || continue
		echo "--- $dir/$l.log" >&2
		tail -n 30 "$dir/$l.log" >&2
	done
}

# The conf sections every server shares.  Swift drops privileges to
# `user` (as root it would otherwise switch to "swift", which then needs
# every parent of <dir> to be traversable); running as whoever starts it
# keeps <dir> anywhere root or the user can write.  log_level and -v send
# the log to stderr, i.e. <dir>/<server>.log; without /dev/log the syslog
# copy goes to UDP 127.0.0.1:514, where nothing listens.
conf_default() {
	cat <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $1
workers = 0
user = $user
swift_dir = $dir/etc
devices = $dir/srv
mount_check = false
disable_fallocate = true
log_name = $2
log_level = INFO
# A port still taken is a mistake to report now, not to retry for 30 s.
bind_timeout = 5
EOF
}

write_confs() {
	mc_port=$1 acct_port=$2 cont_port=$3 obj_port=$4
	for s in account container object; do
		case $s in
		account)	p=$acct_port ;;
		container)	p=$cont_port ;;
		object)		p=$obj_port ;;
		esac
		{
			conf_default "$p" "$s-server"
			cat <<EOF

[pipeline:main]
pipeline = healthcheck $s-server

[app:$s-server]
use = egg:swift#$s

[filter:healthcheck]
use = egg:swift#healthcheck
EOF
		} >"$dir/etc/$s-server.conf"
	done
	{
		conf_default "$port" proxy-server
		cat <<EOF

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo versioned_writes proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
# s3api creates the bucket's container in AUTH_test, which must exist.
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

# memcache.conf is looked for in swift_dir only if this is unset.
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$mc_port

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:s3api]
use = egg:swift#s3api
location = us-east-1
# Virtual-hosted requests: <bucket>.localhost:<port> (curl resolves any
# *.localhost to the loopback address itself).
storage_domain = localhost

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes
EOF
	} >"$dir/etc/proxy-server.conf"
}

# Partition power 8, one replica, one device; rebuilt at every start since
# the ports are new.  The data survives: with one device every partition
# maps to d1 whatever the ring's ports.
build_rings() {
	$PY - "$dir/etc" "$2" "$3" "$4" <<'EOF'
import sys
from swift.common.ring import RingBuilder
etc = sys.argv[1]
for name, port in zip(("account", "container", "object"), sys.argv[2:]):
    b = RingBuilder(8, 1, 1)
    b.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1",
               "port": int(port), "device": "d1", "weight": 1})
    b.rebalance()
    b.save("%s/%s.builder" % (etc, name))
    b.get_ring().save("%s/%s.ring.gz" % (etc, name))
EOF
}

start() {
	if alive "$dir/proxy.pid" && healthy "$port"; then
		echo "http://127.0.0.1:$port"
		return 0
	fi
	stop
	for s in $SERVERS; do
		[ -x "/usr/bin/swift-$s-server" ] ||
			die "no swift-$s-server (apt-get install swift-$s;" \
			    "tests/deps.sh test)"
	done
	command -v memcached >/dev/null ||
		die "no memcached (apt-get install memcached)"
	[ -r /etc/swift/swift.conf ] ||
		die "no /etc/swift/swift.conf (apt-get install swift)"
	user=$(id -un)
	mkdir -p "$dir/etc" "$dir/srv/d1"
	# The servers chdir to /: every path in their confs is absolute.
	dir=$(cd "$dir" && pwd)
	# shellcheck disable=SC2046
	set -- $(free_ports "$port")
	[ $# -eq 4 ] || die "could not find free loopback ports"
	write_confs "$@"
	build_rings "$@" >"$dir/rings.log" 2>&1 ||
		{ cat "$dir/rings.log" >&2; die "building the rings failed"; }

	# memcached refuses to run as root unless told which user to be.
	asuser=""
	[ "$(id -u)" -eq 0 ] && asuser="-u root"
	# shellcheck disable=SC2086
	nohup memcached -l 127.0.0.1 -p "$1" -U 0 -m 64 $asuser \
	    >"$dir/memcached.log" 2>&1 </dev/null &
	echo $! >"$dir/memcached.pid"
	for s in $SERVERS; do
		nohup "/usr/bin/swift-$s-server" "$dir/etc/$s-server.conf" -v \
		    >"$dir/$s.log" 2>&1 </dev/null &
		echo $! >"$dir/$s.pid"
	done

	# Four Pythons importing Swift take about 3 s on two idle cores, but
	# 20 s was seen while the machine was busy: allow 60.
	deadline=$(($(date +%s) + 60))
	until ready "$1" "$2" "$3" "$4" "$port"; do
		for f in memcached $SERVERS; do
			alive "$dir/$f.pid" && continue
			logs
			stop
			die "$f exited before answering"
		done
		if [ "$(date +%s)" -ge $deadline ]; then
			logs
			stop
			die "not ready in 60 s"
		fi
		sleep 0.2
	done
	echo "http://127.0.0.1:$port"
}

stop() {
	pids=""
	for p in proxy object container account memcached; do
		alive "$dir/$p.pid" && pids="$pids $(cat "$dir/$p.pid")"
	done
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		kill $pids 2>/dev/null || true
		i=0
		for pid in $pids; do
			while running "$pid" && [ $i -lt 50 ]; do
				sleep 0.1
				i=$((i + 1))
			done
			kill -9 "$pid" 2>/dev/null || true
		done
	fi
	for p in proxy object container account memcached; do
		rm -f "$dir/$p.pid"
	done
}

usage() {
	die "usage: swift.sh start <dir> <port> | stop <dir> [port]"
}

case ${1:-}:$# in
start:3)
	case $3 in
	*[!0-9]*|'') die "port must be a number: $3" ;;
	esac
	dir=$2 port=$3
	start ;;
stop:2|stop:3)
	dir=$2
	stop ;;
*)	usage ;;
esac
