#!/bin/sh
# Azure warehouses bench (issue 44): `sh tests/bench/azure.sh` from the
# repository root after `make all`; tests/bench/run.sh calls it.
#
# loadTable and commit rates on an Azure warehouse (Azurite, Microsoft's
# Blob emulator, npm azurite from the integration suite's node_modules)
# beside the same on an S3 warehouse (OpenStack Swift with s3api,
# tests/servers/swift.sh), one pangolin holding a catalog on each, in the
# same run, rounds interleaved; medians (tests/bench/azure_load.mjs says
# what each row does).  Both emulators run on this machine and take CPU
# from the server: the figures compare the two clients and stores on one
# machine, not the clouds.
#
# Environment: AZURE_BENCH_SECS (3), AZURE_BENCH_ROUNDS (5),
# AZURE_BENCH_CONNS (8), AZURE_BENCH_TABLES (50), AZURE_BENCH_WORKERS (2),
# PGL_BIN (build/release/pangolin).
# Prints the table and writes it as Markdown to build/bench/azure-results.md.
# Exits 2 if it could not measure (an emulator did not start, a call failed).
set -eu

OUT=build/bench
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-azure-bench.XXXXXX")

die() {
	echo "azure bench: $*" >&2
	exit 2
}

cleanup() {
	rc=$?
	trap - EXIT INT TERM
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -f Makefile ] || die "run from the repository root (sh tests/bench/azure.sh)"
BIN=${PGL_BIN:-build/release/pangolin}
[ -x "$BIN" ] || die "$BIN is missing: run 'make bench'"
[ -x tests/integration/node_modules/.bin/azurite-blob ] ||
	die "Azurite is missing: run 'make deps-test' (npm ci in tests/integration)"
command -v swift-proxy-server >/dev/null 2>&1 ||
	die "Swift is not installed: run 'make deps-test'"
mkdir -p "$OUT"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
echo "azure bench: $(nproc) CPUs, load average $LOAD_START; starting Azurite and Swift"
PGL_BIN=$BIN node tests/bench/azure_load.mjs >"$TMP/rows" 2>"$TMP/load.err" ||
	{ cat "$TMP/load.err" >&2; die "the bench failed"; }
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
AZURITE=$(node -p "require('./tests/integration/node_modules/azurite/package.json').version" 2>/dev/null || echo '?')

HDR1="machine: $(nproc) CPUs, ${CPU:-unknown}, Linux $(uname -r); load average at start $LOAD_START, at end $LOAD_END"
HDR2="method: $BIN, ${AZURE_BENCH_WORKERS:-2} workers, SQLite store; Azure = Azurite $AZURITE (Shared Key, loopback), S3 = Swift s3api (SigV4, loopback); ${AZURE_BENCH_CONNS:-8} keep-alive clients for ${AZURE_BENCH_SECS:-3} s per row, ${AZURE_BENCH_ROUNDS:-5} rounds interleaved, medians (min-max); cold = a second server on the same database loading each of ${AZURE_BENCH_TABLES:-50} tables once, one at a time"

table() {
	awk -F'|' '
	$1 == "row" { key = $3; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
		v[$2, key] = $4; r[$2, key] = $5 }
	END {
		f = "%-34s %10s %15s %10s %15s %9s\n"
		printf f, "", "Azure", "(range)", "S3", "(range)", "Azure/S3"
		for (i = 1; i <= n; i++) {
			k = order[i]
			ratio = "-"
			if (v["s3", k] + 0 > 0)
				ratio = sprintf("%.2f", v["azure", k] / v["s3", k])
			printf f, k, v["azure", k], r["azure", k], v["s3", k], r["s3", k], ratio
		}
	}' "$TMP/rows"
}
echo
echo "$HDR1"
echo "$HDR2"
echo
table
{
	echo "# Pangolin Azure warehouse bench results"
	echo
	echo "- $HDR1"
	echo "- $HDR2"
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo
	echo '```'
	table
	echo '```'
} >"$OUT/azure-results.md"
echo
echo "azure bench: written $OUT/azure-results.md"
