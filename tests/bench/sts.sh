#!/bin/sh
# STS vending bench (issue 30): `sh tests/bench/sts.sh` from the repository
# root after `make all`; tests/bench/run.sh calls it.
#
# A throwaway Ceph RGW with STS (tests/servers/ceph.sh) on loopback, and
# the release binary with one worker (tests/bench/sts_load.js): loadTable
# without delegation, with vended STS credentials warm (the worker's
# cached credentials) and cold (one AssumeRole to RGW), one connection,
# one request at a time, in the same run.  The baseline is loadTable
# without delegation: warm/none is what vending costs a hot table,
# cold/none what a first load (or a refresh) costs.
#
# Environment: STS_LOAD_TABLES (200), STS_LOAD_ROUNDS (20).
# Prints the table and writes it as Markdown to build/bench/sts-results.md.
# Exits 2 if it could not measure (Ceph did not start, a load failed), 1 if
# the warm loads called STS (the cache did not serve them).
set -eu

OUT=build/bench
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-sts-bench.XXXXXX")
CEPH=$TMP/ceph

die() {
	echo "sts bench: $*" >&2
	exit 2
}

cleanup() {
	rc=$?
	trap - EXIT INT TERM
	sh tests/servers/ceph.sh stop "$CEPH" >/dev/null 2>&1 || true
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -f Makefile ] || die "run from the repository root (sh tests/bench/sts.sh)"
[ -x build/release/pangolin ] && [ -x build/release/bench/sts_bench ] ||
	die "build/release/pangolin or its bench programs are missing: run 'make bench'"
[ -d tests/integration/node_modules ] ||
	die "tests/integration/node_modules is missing: run 'make deps-test'"
command -v radosgw >/dev/null 2>&1 ||
	die "radosgw is not installed: run 'make deps-test' (Ceph packages)"
mkdir -p "$OUT"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
echo "sts bench: $(nproc) CPUs, load average $LOAD_START; starting Ceph RGW"
sh tests/servers/ceph.sh start "$CEPH" >"$TMP/env" 2>"$TMP/ceph.err" ||
	{ cat "$TMP/ceph.err" >&2; die "Ceph did not start"; }
set -a
. "$TMP/env"
set +a
PGL_BIN=$PWD/build/release/pangolin node tests/bench/sts_load.js \
    >"$TMP/rows" 2>"$TMP/load.err" ||
	{ cat "$TMP/load.err" >&2; die "the loads failed"; }
# The raw AssumeRole round trip through the server's own client, after.
build/release/bench/sts_bench "$RGW_ENDPOINT" "$AWS_ACCESS_KEY_ID" \
    "$AWS_SECRET_ACCESS_KEY" "$ROLE_ARN" "$BUCKET" 50 >>"$TMP/rows" ||
	die "the raw AssumeRole calls failed"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)

HDR1="machine: $(nproc) CPUs, ${CPU:-unknown}, Linux $(uname -r); load average at start $LOAD_START, at end $LOAD_END"
HDR2="method: release binary, 1 worker, SQLite store, an STS warehouse on Ceph RGW $(radosgw --version 2>/dev/null | awk '{ print $3 }') (loopback, memstore); GET loadTable of ${STS_LOAD_TABLES:-200} tables, one keep-alive connection; cold = each table's first vended load, after a load without delegation cached its metadata; warm and none alternate over ${STS_LOAD_ROUNDS:-20} rounds; raw = 50 AssumeRole calls through the server's STS client in-process (tests/bench/sts_bench.c), after the loads"

table() {
	awk -F'|' -v none="$(awk -F'|' '$2 == "none" { print $4 }' "$TMP/rows")" '
	BEGIN { f = "%-26s %7s %10s %10s %12s %9s\n"
		printf f, "loadTable", "loads", "median us", "p90 us", "AssumeRole", "/ none" }
	$1 == "sts" {
		name = $2 == "none" ? "without delegation" : $2 == "warm" ? \
		    "vended, warm (cached)" : "vended, cold (AssumeRole)"
		printf f, name, $3, $4, $5, $6, sprintf("%.2f", $4 / none)
	}
	$1 == "assume" {
		printf f, "AssumeRole alone (raw)", $2, $3, $4, $2,
		    sprintf("%.2f", $3 / none)
	}' "$TMP/rows"
}
echo
echo "$HDR1"
echo "$HDR2"
echo
table
{
	echo "# Pangolin STS vending bench results"
	echo
	echo "- $HDR1"
	echo "- $HDR2"
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo
	echo '```'
	table
	echo '```'
} >"$OUT/sts-results.md"
echo
echo "sts bench: written $OUT/sts-results.md"
awk -F'|' '$2 == "warm" && $6 > 0 { exit 1 }' "$TMP/rows" ||
	{ echo "sts bench: the warm loads called AssumeRole" >&2; exit 1; }
