#!/bin/sh
# Federation isolation bench (issue 42): `sh tests/bench/federation.sh`
# from the repository root after `make all`; tests/bench/run.sh calls it.
# Tenant B's latency through a federated catalog on a remote that tenant
# A's catalog also names, while A's calls to it are quiet, slow, and
# failing, in the same run (tests/bench/federation.mjs).  Writes
# build/bench/federation-results.md.
#
#   FED_PROBES FED_PROBE_SECS FED_SLOW_MS FED_A_CLIENTS; PGL_BIN (another build)
set -eu

BIN=${PGL_BIN:-build/release/pangolin}
[ -x "$BIN" ] || {
	echo "federation bench: $BIN is missing: run 'make all' first" >&2
	exit 2
}
[ -d tests/integration/node_modules ] || {
	echo "federation bench: tests/integration/node_modules is missing: run 'make deps-test'" >&2
	exit 2
}
mkdir -p build/bench
PGL_BIN=$BIN node tests/bench/federation.mjs build/bench/federation-results.md
