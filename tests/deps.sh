#!/bin/sh
# Install what is missing on a Debian machine.  `build` is what `make run`
# needs; `test` adds what `make test` and `make bench` need.  Only missing
# packages are installed, so a prepared machine does nothing here.
set -eu

BUILD_PKGS="gcc make patch pkg-config kore libjansson-dev libsqlite3-dev uuid-dev libssl-dev zlib1g-dev libpq-dev libmongoc-dev libbson-dev libargon2-dev libjwt-dev libcurl4-openssl-dev libhiredis-dev libavro-dev libsystemd-dev libunistring-dev libnats-dev libjemalloc-dev"
TEST_PKGS="libcmocka-dev clang libclang-rt-14-dev sqlite3 wrk curl postgresql swift-proxy swift-object swift-container swift-account python3-swift memcached redis-server python3-avro chromium bsdutils dpkg-dev systemd systemd-container haproxy nginx ceph-mon ceph-osd radosgw ceph-common uuid-runtime nats-server openssl"

want=$BUILD_PKGS
[ "${1:-build}" = test ] && want="$BUILD_PKGS $TEST_PKGS"

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

# Node may come from elsewhere (e.g. a nodesource build that bundles npm
# and conflicts with Debian's npm package): only install what is absent.
# The build needs it too: the API page's viewer is an npm package, and
# its OpenAPI document is turned from YAML into JSON by node.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
	echo "installing:$missing"
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
		--no-install-recommends $missing
fi

# npm packages of the pages (assets/api-docs: Swagger UI, uPlot for the
# console's charts, the YAML reader), pinned by its lock file; again whenever the lock file changed
# since they were installed.  No package's install script runs: they are
# files to embed, and one of them would only report the install home.
lock=assets/api-docs/package-lock.json
stamp=assets/api-docs/node_modules/.pangolin-lock
if ! cmp -s $lock $stamp; then
	(cd assets/api-docs && SCARF_ANALYTICS=false npm ci --ignore-scripts \
		--no-audit --no-fund --loglevel=error)
	cp $lock $stamp
fi

# npm packages of the integration suite, pinned by its lock file; again
# whenever the lock file changed since they were installed.  In the
# background, beside the build that follows (a fresh clone spends about
# 25 s on it, mostly waiting on the registry): the test runners wait for
# it (tests/npm-wait.sh), its output in build/npm-integration.log.
lock=tests/integration/package-lock.json
stamp=tests/integration/node_modules/.pangolin-lock
if [ "${1:-build}" = test ] && [ -f $lock ] && ! cmp -s $lock $stamp; then
	mkdir -p build
	rm -f build/npm-integration.rc
	(
	cd tests/integration &&
	    npm ci --no-audit --no-fund --loglevel=error </dev/null \
	    >../../build/npm-integration.log 2>&1
	rc=$?
	cd ../.. || exit 1
	[ $rc -eq 0 ] && cp $lock $stamp
	echo $rc >build/npm-integration.rc
	) &
	echo $! >build/npm-integration.pid
fi
exit 0
