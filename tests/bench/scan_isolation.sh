#!/bin/sh
# Scan planning isolation bench (issue 42): `sh tests/bench/scan_isolation.sh`
# from the repository root after `make all`; tests/bench/run.sh calls it.
# One tenant's reader plans scans of an 80,000-file table from several
# clients at once while another tenant's latency is measured, beside the
# same probes on the quiet server in the same run
# (tests/bench/scan_isolation.mjs).  Writes
# build/bench/scan-isolation-results.md.
#
#   SCAN_ISO_PROBES SCAN_ISO_CLIENTS SCAN_ISO_PROBE_SECS SCAN_ISO_SERVER_ENV
#   PGL_BIN (default build/release/pangolin)
set -eu

BIN=${PGL_BIN:-build/release/pangolin}
[ -x "$BIN" ] || {
	echo "scan isolation bench: $BIN is missing: run 'make all' first" >&2
	exit 2
}
[ -d tests/integration/node_modules ] || {
	echo "scan isolation bench: tests/integration/node_modules is missing: run 'make deps-test'" >&2
	exit 2
}
mkdir -p build/bench
PGL_BIN=$BIN node tests/bench/scan_isolation.mjs build/bench/scan-isolation-results.md
