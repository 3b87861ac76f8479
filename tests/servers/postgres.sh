#!/bin/sh
# A throwaway PostgreSQL cluster for tests (../shared/testing/INFRA.md).
#
#   postgres.sh start <dir> <port>	initdb <dir>/data if needed, start it on
#					127.0.0.1:<port>, create database
#					"pangolin", print its URL
#   postgres.sh stop <dir> [port]	stop it (pg_ctl -m fast)
#   postgres.sh standby <dir> <port> <primary port>
#					a streaming standby of the primary on
#					127.0.0.1:<primary port> (pg_basebackup -R:
#					initdb's trust lines admit replication from
#					127.0.0.1), started like start, its URL
#   postgres.sh promote <dir>		make that standby the primary
#
# Everything lives under <dir>: the data directory, the log and the unix
# socket, so nothing touches /var/run/postgresql or the cluster a Debian
# `postgresql` install creates (15/main on 5432); pick a port of your own
# (55432 and up).  fsync is off: the data is disposable.  As root the
# server runs as user postgres, which must be able to write <dir>.
set -eu

usage() {
	echo "usage: $0 start|stop|standby|promote <dir> <port> [primary port]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
port=${3:-55432}

# Debian's versioned layout; PGBIN overrides, else the newest installed.
if [ -z "${PGBIN:-}" ]; then
	PGBIN=/usr/lib/postgresql/15/bin
	[ -x "$PGBIN/pg_ctl" ] ||
		PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V |
		    tail -n 1)
fi
if [ ! -x "$PGBIN/pg_ctl" ]; then
	echo "postgres.sh: no pg_ctl under /usr/lib/postgresql/*/bin" \
	    "(apt-get install postgresql, or set PGBIN)" >&2
	exit 1
fi

# initdb and the server refuse to run as root.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

log_tail() {
	[ -f "$dir/server.log" ] && tail -n 20 "$dir/server.log" >&2
	return 0
}

start() {
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
	if ! as_owner test -w "$dir"; then
		echo "postgres.sh: $dir is not writable by the server's user" \
		    "(a parent directory may be private to root)" >&2
		exit 1
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust \
		    -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
		    { cat "$dir/initdb.log" >&2; exit 1; }
	fi
	if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
	    -w -t 30 -o "-p $port -c listen_addresses=127.0.0.1 -k $dir \
	    -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
	    start >/dev/null; then
		echo "postgres.sh: server did not start on port $port" >&2
		log_tail
		exit 1
	fi
	if [ "$("$PGBIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres \
	    -tAXc "SELECT 1 FROM pg_database WHERE datname = 'pangolin'")" \
	    != 1 ]; then
		"$PGBIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres \
		    -qXc "CREATE DATABASE pangolin" >/dev/null
	fi
	echo "postgresql://postgres@127.0.0.1:$port/pangolin"
}

stop() {
	[ -f "$dir/data/postmaster.pid" ] || return 0
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop \
	    >/dev/null
}

# A standby starts from a base backup; -R writes primary_conninfo and
# standby.signal, so start() brings it up streaming, read-only.
standby() {
	primary=${1:?primary port}
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$primary" \
		    -U postgres -D "$dir/data" -R -X stream -c fast --no-sync \
		    >"$dir/basebackup.log" 2>&1 ||
		    { cat "$dir/basebackup.log" >&2; exit 1; }
	fi
	if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
	    -w -t 30 -o "-p $port -c listen_addresses=127.0.0.1 -k $dir \
	    -c fsync=off -c full_page_writes=off" start >/dev/null; then
		echo "postgres.sh: standby did not start on port $port" >&2
		log_tail
		exit 1
	fi
	echo "postgresql://postgres@127.0.0.1:$port/pangolin"
}

promote() {
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -w -t 30 promote >/dev/null
}

case "$cmd" in
start)	start ;;
stop)	stop ;;
standby) standby "${4:-}" ;;
promote) promote ;;
*)	usage ;;
esac
