#!/bin/sh
# Isolation bench (issue 23): `sh tests/bench/isolation.sh` from the
# repository root after `make all`; tests/bench/run.sh calls it.  One
# tenant attacks (idle connections, non-reading clients, an S3 endpoint
# that never answers, a large merge, big unpaged lists, creates on the
# stalled endpoint) while another tenant's latency is
# measured, beside the same probes on the quiet server in the same run
# (tests/bench/isolation.mjs).  Writes build/bench/isolation-results.md.
#
#   ISO_PROBES ISO_PROBE_SECS ISO_IDLE_CONNS ISO_SLOW_READERS ISO_MERGE_TABLES
set -eu

[ -x build/release/pangolin ] || {
	echo "isolation bench: build/release/pangolin is missing: run 'make all' first" >&2
	exit 2
}
[ -d tests/integration/node_modules ] || {
	echo "isolation bench: tests/integration/node_modules is missing: run 'make deps-test'" >&2
	exit 2
}
# The idle flood holds ISO_IDLE_CONNS sockets in this process.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mkdir -p build/bench
PGL_BIN=build/release/pangolin node tests/bench/isolation.mjs build/bench/isolation-results.md
