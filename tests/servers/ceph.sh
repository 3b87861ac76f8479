#!/bin/sh
# A real STS for tests: a throwaway one-node Ceph (Debian 12's Pacific
# packages) with RADOS Gateway speaking S3 and STS AssumeRole, everything
# on 127.0.0.1 (../shared/testing/INFRA.md, "A real STS").
#
#	ceph.sh start <dir> [port]	build a cluster in <dir> (one mon, one
#					OSD on memstore, i.e. RAM, one RGW with
#					STS on 127.0.0.1:<port>, a free port by
#					default), create the S3 user, the role
#					S3Access and the bucket; print KEY=VALUE
#					lines, also kept in <dir>/env
#	ceph.sh stop <dir>		stop the daemons started in <dir>
#
# The lines: RGW_ENDPOINT (also STS_ENDPOINT), RGW_PORT, AWS_REGION,
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (the user's long-term keys),
# RGW_USER, ROLE_ARN, ROLE_NAME, BUCKET, CEPH_DIR, CEPH_CONF.  The role
# trusts the user (sts:AssumeRole) and may do s3:* on the bucket and its
# objects; its ARN is arn:aws:iam:::role/S3Access (RGW's empty tenant).
#
# Environment: STS_MIN_DURATION (default 1: RGW's smallest DurationSeconds,
# 900 in Ceph's default, so tests can mint credentials that expire in
# seconds), BUCKET (bucket), ROLE (S3Access), RGW_USER (tester),
# MEMSTORE_BYTES (1 GiB, taken lazily).  Nothing is installed here:
# tests/deps.sh test does that (ceph-mon ceph-osd radosgw ceph-common
# uuid-runtime).
#
# start on a <dir> whose RGW still answers prints its env again; on a <dir>
# whose daemons are gone (stale pid files, a reboot: memstore kept nothing)
# builds the cluster anew.  stop kills only processes whose pid file is in
# <dir> and whose command line names <dir>/ceph.conf.
#
# What Ceph 16.2 needs (found on this machine):
#  - curl's --aws-sigv4 does not send x-amz-content-sha256; RGW refuses
#    every S3 request without it.  Send the payload's sha256 yourself.
#  - RoleSessionName needs 2+ characters; DurationSeconds must be at least
#    rgw_sts_min_session_duration; an inline session Policy must be
#    compact JSON (whitespace between tokens is MalformedPolicyDocument).
#  - With STS on, a wrong long-term secret is AccessDenied, not
#    SignatureDoesNotMatch.  Path-style URLs only.
#  - paxos_propose_interval 0.1 (default 1 s, one per pool RGW creates)
#    brings the cold start from ~15 s to ~3 s.
#  - beast's tcp_nodelay=1: without it every answer on a reused connection
#    waits ~40 ms for the client's delayed ACK.
set -eu

# ceph(8) is a /usr/bin/python3 script; a python3 first on PATH (pyenv)
# lacks the rados module, so helpers use the same interpreter.
PY=/usr/bin/python3
DAEMONS="client.rgw.a osd.0 mon.a"	# stop order; start is the reverse

die() {
	echo "ceph.sh: $*" >&2
	exit 1
}

# An exited daemon stays a zombie until pid 1 reaps it, which in some
# containers takes seconds: a zombie counts as gone.
running() {
	kill -0 "$1" 2>/dev/null &&
	    ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

# alive <name>: the pid in <dir>/run/<name>.pid runs and is ours (its
# command line names our ceph.conf; a pid file that outlived a reboot may
# name someone else's process).
alive() {
	pf=$dir/run/$1.pid
	[ -s "$pf" ] || return 1
	apid=$(cat "$pf")
	case $apid in *[!0-9]*|'') return 1 ;; esac
	running "$apid" || return 1
	[ -r "/proc/$apid/cmdline" ] &&
	    tr '\0' ' ' <"/proc/$apid/cmdline" | grep -qF -- "$dir/ceph.conf"
}

stop() {
	[ -d "$dir/run" ] || return 0
	for d in $DAEMONS; do
		if alive "$d"; then
			pid=$(cat "$dir/run/$d.pid")
			kill -TERM "$pid" 2>/dev/null || true
			i=0
			while running "$pid" && [ $i -lt 100 ]; do
				sleep 0.1
				i=$((i + 1))
			done
			running "$pid" && kill -KILL "$pid" 2>/dev/null
		fi
		rm -f "$dir/run/$d.pid"
	done
	return 0
}

logs() {
	for l in mon.a osd.0 client.rgw.a; do
		[ -s "$dir/log/$l.log" ] || continue
		echo "--- $dir/log/$l.log" >&2
		tail -n 20 "$dir/log/$l.log" >&2
	done
}

fail() {
	logs
	stop
	die "$@"
}

# Two free loopback ports (held open together, so they differ), the STS
# token key (exactly 16 characters: AES-128), an access key and a secret.
fresh_values() {
	$PY -c '
import secrets, socket, string
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
alnum = string.ascii_letters + string.digits
pick = lambda n, a: "".join(secrets.choice(a) for _ in range(n))
print(*(s.getsockname()[1] for s in socks), pick(16, alnum),
      pick(20, string.ascii_uppercase + string.digits), pick(40, alnum))'
}

port_free() {
	$PY -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

# What RGW's root answers: 200 once it serves S3.
rgw_status() {
	curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1/" \
	    2>/dev/null || true
}

write_conf() {
	cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/keyring
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
crash dir = $dir/crash
mon data = $dir/mon.\$id
osd data = $dir/osd.\$id
mon cluster log file = $dir/log/cluster.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
paxos propose interval = 0.1
osd objectstore = memstore
memstore device bytes = ${MEMSTORE_BYTES:-1073741824}

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$port tcp_nodelay=1
rgw data = $dir/rgw.a
rgw thread pool size = 64
rgw s3 auth use sts = true
rgw sts key = $sts_key
rgw sts min session duration = ${STS_MIN_DURATION:-1}
EOF
}

start() {
	if alive client.rgw.a && [ -s "$dir/env" ] &&
	    [ "$(rgw_status "$(sed -n 's/^RGW_PORT=//p' "$dir/env")")" = 200 ]
	then
		cat "$dir/env"
		return 0
	fi
	for b in ceph-mon ceph-osd radosgw ceph radosgw-admin ceph-authtool \
	    monmaptool uuidgen curl; do
		command -v $b >/dev/null ||
		    die "no $b (tests/deps.sh test: ceph-mon ceph-osd radosgw" \
			"ceph-common uuid-runtime curl)"
	done
	# Whatever was started here before is stopped; memstore kept nothing
	# of it, so the cluster is built anew (only what this script makes).
	stop
	rm -rf "$dir/run" "$dir/log" "$dir/mon.a" "$dir/osd.0" "$dir/rgw.a" \
	    "$dir/crash" "$dir/ceph.conf" "$dir/keyring" "$dir/monmap" \
	    "$dir/env" "$dir/role.json"
	mkdir -p "$dir/run" "$dir/log" "$dir/mon.a" "$dir/osd.0" "$dir/rgw.a" \
	    "$dir/crash"

	# shellcheck disable=SC2046
	set -- $(fresh_values)
	[ $# -eq 5 ] || die "could not pick free ports and keys"
	mon_port=$1 sts_key=$3 ak=$4 sk=$5
	if [ -z "$port" ]; then
		port=$2
	else
		port_free "$port" || die "port $port is taken"
	fi
	fsid=$(uuidgen)
	write_conf
	conf=$dir/ceph.conf

	# One keyring for every entity: ceph-mon --mkfs takes them all, caps
	# included, into its auth database.
	k=$dir/keyring
	{
		ceph-authtool "$k" --create-keyring --gen-key -n mon. \
		    --cap mon 'allow *' &&
		ceph-authtool "$k" --gen-key -n client.admin --cap mon 'allow *' \
		    --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' &&
		ceph-authtool "$k" --gen-key -n osd.0 --cap mon 'allow profile osd' \
		    --cap osd 'allow *' --cap mgr 'allow profile osd' &&
		ceph-authtool "$k" --gen-key -n client.rgw.a --cap mon 'allow rw' \
		    --cap osd 'allow rwx' --cap mgr 'allow rw' &&
		monmaptool --create --fsid "$fsid" \
		    --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" &&
		ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" \
		    --keyring "$k"
	} >"$dir/log/mkfs.log" 2>&1 ||
		{ cat "$dir/log/mkfs.log" >&2; fail "mon mkfs failed"; }

	# The daemons fork into the background and write their pid files.
	ceph-mon -c "$conf" -i a >>"$dir/log/mkfs.log" 2>&1 ||
		fail "ceph-mon did not start"
	i=0
	until ceph -c "$conf" --connect-timeout 5 mon stat >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 60 ] || fail "mon.a not up in 30 s"
		sleep 0.5
	done

	osd_uuid=$(uuidgen)
	osd_id=$(ceph -c "$conf" --connect-timeout 10 osd new "$osd_uuid") ||
		fail "ceph osd new failed"
	[ "$osd_id" = 0 ] || fail "unexpected osd id $osd_id"
	ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" \
	    >>"$dir/log/mkfs.log" 2>&1 || fail "osd mkfs failed"
	# It prints a harmless "falling back to public interface".
	ceph-osd -c "$conf" -i 0 >>"$dir/log/mkfs.log" 2>&1 ||
		fail "ceph-osd did not start"
	i=0
	until [ "$(ceph -c "$conf" --connect-timeout 5 osd stat -f json \
	    2>/dev/null | $PY -c '
import json, sys
print(json.load(sys.stdin).get("num_up_osds", 0))' 2>/dev/null)" = 1 ]; do
		i=$((i + 1))
		[ $i -lt 120 ] || fail "osd.0 not up in 60 s"
		alive osd.0 || [ $i -lt 10 ] || fail "osd.0 exited"
		sleep 0.5
	done

	# RGW makes its pools on first start, then serves.
	radosgw -c "$conf" -n client.rgw.a >>"$dir/log/mkfs.log" 2>&1 ||
		fail "radosgw did not start"
	i=0
	until [ "$(rgw_status "$port")" = 200 ] && alive client.rgw.a; do
		i=$((i + 1))
		[ $i -lt 240 ] || fail "rgw not answering on port $port in 120 s"
		sleep 0.5
	done

	bucket=${BUCKET:-bucket}
	role=${ROLE:-S3Access}
	user=${RGW_USER:-tester}
	# radosgw-admin waits for the cluster without a bound of its own.
	ra="timeout 120 radosgw-admin -c $conf"
	$ra user create --uid="$user" --display-name="STS tester" \
	    --access-key="$ak" --secret-key="$sk" >/dev/null 2>>"$dir/log/mkfs.log" ||
		fail "radosgw-admin user create failed"
	trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/'$user'"]},"Action":["sts:AssumeRole"]}]}'
	perm='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::'$bucket'","arn:aws:s3:::'$bucket'/*"]}]}'
	$ra role create --role-name="$role" --path=/ \
	    --assume-role-policy-doc="$trust" >"$dir/role.json" \
	    2>>"$dir/log/mkfs.log" || fail "radosgw-admin role create failed"
	$ra role-policy put --role-name="$role" --policy-name=bucket-rw \
	    --policy-doc="$perm" >/dev/null 2>>"$dir/log/mkfs.log" ||
		fail "radosgw-admin role-policy put failed"
	arn=$($PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d.get("arn") or d.get("Arn") or d["role"]["arn"])' "$dir/role.json") ||
		fail "no ARN in $dir/role.json"
	code=$(curl -s -o "$dir/log/bucket.out" -w '%{http_code}' \
	    --aws-sigv4 aws:amz:us-east-1:s3 --user "$ak:$sk" \
	    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT \
	    "http://127.0.0.1:$port/$bucket") || true
	[ "$code" = 200 ] ||
		fail "creating bucket $bucket: $code $(cat "$dir/log/bucket.out")"

	cat >"$dir/env.tmp" <<EOF
RGW_ENDPOINT=http://127.0.0.1:$port
STS_ENDPOINT=http://127.0.0.1:$port
RGW_PORT=$port
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=$ak
AWS_SECRET_ACCESS_KEY=$sk
RGW_USER=$user
ROLE_ARN=$arn
ROLE_NAME=$role
BUCKET=$bucket
CEPH_DIR=$dir
CEPH_CONF=$conf
EOF
	mv "$dir/env.tmp" "$dir/env"
	cat "$dir/env"
}

usage() {
	die "usage: ceph.sh start <dir> [port] | stop <dir>"
}

case ${1:-}:$# in
start:2|start:3)
	port=${3:-}
	case $port in
	*[!0-9]*) die "port must be a number: $port" ;;
	esac
	mkdir -p "$2"
	dir=$(cd "$2" && pwd)
	start ;;
stop:2|stop:3)
	[ -d "$2" ] || exit 0
	dir=$(cd "$2" && pwd)
	stop ;;
*)	usage ;;
esac
