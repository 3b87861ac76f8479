#!/bin/sh
# Wait for the integration suite's npm packages (Azurite, iceberg-js, the
# page tests' driver...), which tests/deps.sh installs in the background
# beside the build.  Exits 0 once tests/integration/node_modules matches
# its lock file; 1, with the install's last lines, when the install
# failed or none runs (`make deps-test` installs them).  Run from the
# repository's top.
lock=tests/integration/package-lock.json
stamp=tests/integration/node_modules/.pangolin-lock
[ -f $lock ] || exit 0
i=0
until cmp -s $lock $stamp; do
	pid=$(cat build/npm-integration.pid 2>/dev/null)
	if [ -f build/npm-integration.rc ] || [ -z "$pid" ] ||
	    ! kill -0 "$pid" 2>/dev/null; then
		# It may have ended between the two looks.
		cmp -s $lock $stamp && exit 0
		echo "npm-wait: tests/integration's npm packages are not" \
		    "installed (make deps-test)" >&2
		tail -20 build/npm-integration.log >&2 2>/dev/null
		exit 1
	fi
	i=$((i + 1))
	if [ $i -ge 600 ]; then
		echo "npm-wait: npm ci in tests/integration still runs" \
		    "after 600 s" >&2
		exit 1
	fi
	sleep 1
done
exit 0
