#!/bin/sh
# A throwaway nats-server with JetStream for tests (Debian's nats-server).
#
#	nats.sh start <dir> <port>	start it on 127.0.0.1:<port>, JetStream
#					storage, log and pid in <dir>; wait
#					until it is ready; print its URL
#	nats.sh stop <dir> [port]	stop it (TERM, then KILL after 5 s)
#	nats.sh pause <dir> [port]	freeze it (SIGSTOP) and wait until
#					every thread is stopped: connections
#					stay open and nothing answers, the
#					server that hangs of a timeout test
#	nats.sh resume <dir> [port]	thaw it (SIGCONT) and wait until no
#					thread is stopped
#
# Everything lives under <dir>; nothing touches a system nats-server.
set -eu

die() {
	echo "nats.sh: $*" >&2
	exit 1
}

bin() {
	command -v nats-server 2>/dev/null && return 0
	[ -x /usr/sbin/nats-server ] && { echo /usr/sbin/nats-server; return 0; }
	die "nats-server is not installed (tests/deps.sh test installs it)"
}

start() {
	dir=$1 port=$2
	exe=$(bin)
	mkdir -p "$dir/js"
	pidf=$dir/nats.pid log=$dir/nats.log
	if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
		die "already running in $dir (pid $(cat "$pidf"))"
	fi
	: >"$log"
	nohup "$exe" -a 127.0.0.1 -p "$port" -js -sd "$dir/js" \
	    -n "pangolin-test-$port" >"$log" 2>&1 </dev/null &
	echo $! >"$pidf"
	# "Server is ready" is logged once the client port listens.
	i=0
	while ! grep -q "Server is ready" "$log" 2>/dev/null; do
		if ! kill -0 "$(cat "$pidf")" 2>/dev/null; then
			cat "$log" >&2
			rm -f "$pidf"
			die "nats-server exited before it was ready (port $port)"
		fi
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			stop "$dir"
			die "nats-server was not ready in 30 s"
		fi
		sleep 0.1
	done
	echo "nats://127.0.0.1:$port"
}

stop() {
	dir=$1
	pidf=$dir/nats.pid
	[ -f "$pidf" ] || return 0
	pid=$(cat "$pidf")
	kill -CONT "$pid" 2>/dev/null || true
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null || true
	# Gone, so that a start on the same port finds it free.
	while kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
	done
	rm -f "$pidf"
}

# Wait until every thread of the server is stopped (want=T) or none is
# (want=run).  kill(2) returns before a stop takes effect: the stop
# reaches the other threads only when one of them runs to take the
# signal, and on a loaded machine they may answer a request before
# then.  Bounded: 30 s.
threads_wait() {
	pid=$(cat "$1/nats.pid") want=$2 i=0
	while :; do
		n=0 t=0
		for f in /proc/"$pid"/task/*/stat; do
			[ -r "$f" ] || continue
			st=$(sed 's/.*) //' "$f" 2>/dev/null | cut -d' ' -f1)
			n=$((n + 1))
			[ "$st" = T ] && t=$((t + 1))
		done
		[ "$n" -gt 0 ] || die "no server process $pid"
		case $want in
		T)	[ "$t" -eq "$n" ] && return 0 ;;
		run)	[ "$t" -eq 0 ] && return 0 ;;
		esac
		i=$((i + 1))
		[ $i -lt 300 ] || die "server $pid not $want after 30 s"
		sleep 0.1
	done
}

signal() {
	pidf=$1/nats.pid
	[ -f "$pidf" ] || die "no server in $1"
	kill "-$2" "$(cat "$pidf")"
}

usage() {
	die "usage: nats.sh start <dir> <port> | stop <dir> [port] |" \
	    "pause|resume <dir> [port]"
}

case ${1:-}:$# in
start:3)
	case $3 in
	*[!0-9]*|'') die "port must be a number: $3" ;;
	esac
	start "$2" "$3" ;;
stop:2|stop:3)
	stop "$2" ;;
pause:2|pause:3)
	signal "$2" STOP
	threads_wait "$2" T ;;
resume:2|resume:3)
	signal "$2" CONT
	threads_wait "$2" run ;;
*)	usage ;;
esac
