#!/bin/sh
# The Debian package, end to end without a VM: `make deb` of <build dir>'s
# flavor (default build/test), its control data, conffiles and file list;
# the unit through `systemd-analyze verify`; the package unpacked into a
# temporary root (dpkg -x) and its postinst run there (DPKG_ROOT) to create
# the user and the state directory; then the installed binary started from
# that root as the service user, with the installed pangolin.toml pointed
# into the root, the environment the unit gives it, and a stand-in for
# systemd's notification socket: READY=1 must come, and only once
# /health/ready answers 200; a client creates a namespace; SIGTERM sends
# STOPPING=1 and exits 0; LOG_FORMAT=json lines are all JSON.
#
# Then, as root with systemd-nspawn, the same package under a real
# systemd: this machine's root booted as a container on a throwaway
# overlay (systemd-boot.sh, in-container.sh): dpkg -i, enable --now,
# Type=notify readiness, /health/ready, a namespace, LOG_FORMAT=json in
# the journal, auth without a secret refused (exit 2, no restart), and a
# clean stop.  Ends with "package: N passed, M failed" for
# tests/run-all.sh.
set -u
out=${1:-build/test}
cd "$(dirname "$0")/../.." || exit 2
flavor=$(basename "$out")

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
check() {	# check "<what>" <command...>
	what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
finish() {
	echo "package: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

tmp=$(mktemp -d)
pid=""
npid=""
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$npid" ] && kill "$npid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The service user must reach the files below.
chmod 755 "$tmp"

# --- the package --------------------------------------------------------------

deb=$tmp/pangolin.deb
if ! DEB_COMPRESS=gzip make --no-print-directory FLAVOR="$flavor" deb DEB="$deb" >"$tmp/make.log" 2>&1; then
	cat "$tmp/make.log"
	bad "make deb builds the package"
	finish
fi
ok "make deb builds the package"

field() { dpkg-deb -f "$deb" "$1"; }
check "control: Package pangolin, Version from VERSION" \
    test "$(field Package) $(field Version)" = "pangolin $(cat VERSION)"
deps=$(field Depends)
# The release build links jemalloc (build.conf); the test build does not.
libs="libc6 libsqlite3-0 libsystemd0 libssl3 libjansson4 libunistring2 libnats3.4"
[ "$flavor" = release ] && libs="$libs libjemalloc2"
check "control: Depends lists the linked libraries ($libs)" \
    sh -c 'for p in $2; do
	echo "$1" | grep -q "\\b$p\\b" || exit 1; done' - "$deps" "$libs"
check "control: no Kore dependency (it is compiled in)" \
    sh -c '! echo "$1" | grep -qi kore' - "$deps"
# The test flavor's switch to cheap password hashes (src/auth/hash.c,
# PGL_CHECKS) is not in what ships: no code reads the name.
[ "$flavor" = release ] &&
    check "the shipped binary has no test-only switch (PGL_TEST_ARGON2_CHEAP)" \
    sh -c '! dpkg-deb --fsys-tarfile "$1" | tar -xO ./usr/bin/pangolin |
	grep -qa PGL_TEST_ARGON2_CHEAP' - "$deb"
dpkg-deb -e "$deb" "$tmp/DEBIAN"
check "conffiles: the config and the secrets file" \
    test "$(cat "$tmp/DEBIAN/conffiles")" = "/etc/pangolin/pangolin.env
/etc/pangolin/pangolin.toml"
dpkg-deb -c "$deb" | awk '{ print $1, $6 }' | sed 's| \./| /|' > "$tmp/files"
check "files: binary, plugins, unit, sysusers.d, tmpfiles.d, config, bash completion" sh -c '
	for f in "-rwxr-xr-x /usr/bin/pangolin" \
	    "-rw-r--r-- /usr/lib/pangolin/plugins/store-sqlite.so" \
	    "-rw-r--r-- /usr/lib/pangolin/plugins/cache.so" \
	    "-rw-r--r-- /usr/lib/systemd/system/pangolin.service" \
	    "-rw-r--r-- /usr/lib/sysusers.d/pangolin.conf" \
	    "-rw-r--r-- /usr/lib/tmpfiles.d/pangolin.conf" \
	    "-rw-r--r-- /etc/pangolin/pangolin.toml" \
	    "-rw-r--r-- /usr/share/bash-completion/completions/pangolin" \
	    "-rw------- /etc/pangolin/pangolin.env"; do
		grep -qxF -- "$f" "$1" || { echo "missing: $f"; exit 1; }
	done' - "$tmp/files"

root=$tmp/root
mkdir "$root"
dpkg -x "$deb" "$root"
toml=$root/etc/pangolin/pangolin.toml
unit=$root/usr/lib/systemd/system/pangolin.service
check "pangolin.toml ships no secret (jwt_secret, root_password unset)" \
    sh -c '! grep -Eq "^[[:space:]]*(jwt_secret|root_password|root_user)[[:space:]]*=" "$1"' - "$toml"
check "pangolin.toml: loopback, no-auth evaluation mode, store and warehouse in /var/lib/pangolin, plugins named by path" \
    sh -c 'grep -qx "bind = \"127.0.0.1\"" "$1" && grep -qx "no_auth = true" "$1" &&
	grep -qx "path = \"/var/lib/pangolin/pangolin.db\"" "$1" &&
	grep -qx "warehouse_root = \"/var/lib/pangolin/warehouse\"" "$1" &&
	grep -qx "plugin = \"/usr/lib/pangolin/plugins/store-sqlite.so\"" "$1"' - "$toml"
check "bash completion: sourced, it completes pangolin admin's areas" \
    bash --norc --noprofile -c '. "$1" && complete -p pangolin >/dev/null &&
	COMP_WORDS=(pangolin admin gen) COMP_CWORD=2 && _pangolin &&
	[ "${COMPREPLY[*]}" = generate-code ]' - \
    "$root/usr/share/bash-completion/completions/pangolin"
check "pangolin.env sets nothing (every line a comment)" \
    sh -c '! grep -v "^#" "$1" | grep -q .' - "$root/etc/pangolin/pangolin.env"
check "unit: notify, own user, state directory, hardening, secrets file" sh -c '
	for l in Type=notify NotifyAccess=main User=pangolin Group=pangolin \
	    StateDirectory=pangolin NoNewPrivileges=yes ProtectSystem=strict \
	    ProtectHome=yes PrivateTmp=yes ReadWritePaths=/var/lib/pangolin \
	    EnvironmentFile=-/etc/pangolin/pangolin.env \
	    "ExecStart=/usr/bin/pangolin -c /etc/pangolin/pangolin.toml"; do
		grep -qxF "$l" "$1" || { echo "missing: $l"; exit 1; }
	done' - "$unit"

# systemd-analyze verify resolves ExecStart on this machine: the same
# unit with the binary's path inside the unpacked root.
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$unit" \
	    > "$tmp/pangolin.service"
	if systemd-analyze verify "$tmp/pangolin.service" >"$tmp/verify" 2>&1 &&
	    ! grep -q . "$tmp/verify"; then
		ok "systemd-analyze verify: clean"
	else
		cat "$tmp/verify"
		bad "systemd-analyze verify: clean"
	fi
else
	bad "systemd-analyze not installed (apt-get install systemd)"
fi

# --- postinst in the unpacked root --------------------------------------------

# Creating a user in the root's /etc/passwd and chown to it need root.
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$root/etc" "$root/var/lib"
	if DPKG_ROOT=$root sh "$tmp/DEBIAN/postinst" configure >"$tmp/postinst.log" 2>&1; then
		ok "postinst configure runs"
	else
		cat "$tmp/postinst.log"
		bad "postinst configure runs"
	fi
	uid=$(awk -F: '$1 == "pangolin" { print $3 }' "$root/etc/passwd" 2>/dev/null)
	gid=$(awk -F: '$1 == "pangolin" { print $3 }' "$root/etc/group" 2>/dev/null)
	check "postinst: a pangolin system user and group (uid < 1000, nologin)" \
	    sh -c '[ -n "$1" ] && [ "$1" -lt 1000 ] && [ -n "$2" ] &&
		grep -q "^pangolin:.*:/var/lib/pangolin:/usr/sbin/nologin$" "$3"' \
	    - "$uid" "$gid" "$root/etc/passwd"
	check "postinst: /var/lib/pangolin owned by pangolin, 0750" \
	    test "$(stat -c '%u:%g %a' "$root/var/lib/pangolin" 2>/dev/null)" = "$uid:$gid 750"
	check "postinst: pangolin.env stays 0600 root" \
	    test "$(stat -c '%u %a' "$root/etc/pangolin/pangolin.env")" = "0 600"
	as_user="setpriv --reuid=$uid --regid=$gid --clear-groups --no-new-privs"
else
	echo "# not root: postinst and the service user are not exercised"
	mkdir -p "$root/var/lib/pangolin"
	as_user=""
fi

# --- the installed binary, as the service runs it -----------------------------

# A plugin named bare (DATABASE_URL in pangolin.env picks store-postgres
# that way) is found in the installed layout beside the binary.
env -i PATH=/usr/bin:/bin ASAN_OPTIONS=detect_leaks=0 PANGOLIN_NO_AUTH=true \
    PANGOLIN_BIND_ADDRESS=127.0.0.1 \
    DATABASE_URL="sqlite://$tmp/bare/pangolin.db" \
    "$root/usr/bin/pangolin" --check-config >"$tmp/bare.out" 2>&1
check "a bare plugin name resolves to <bindir>/../lib/pangolin/plugins" \
    grep -qF "$root/usr/bin/../lib/pangolin/plugins/store-sqlite.so" "$tmp/bare.out"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The installed config with its absolute paths moved into the root.
sed -e "s|/usr/lib/pangolin/|$root/usr/lib/pangolin/|" \
    -e "s|/var/lib/pangolin|$root/var/lib/pangolin|" "$toml" > "$tmp/pangolin.toml"
chmod 644 "$tmp/pangolin.toml"

python3 tests/package/notify.py "$tmp/notify.sock" "$port" "$tmp/notify.out" &
npid=$!
i=0
while ! grep -q listening "$tmp/notify.out" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done

# The unit's environment: EnvironmentFile (all comments) adds nothing;
# WorkingDirectory is the state directory.  PORT keeps off busy ports.
(cd "$root/var/lib/pangolin" &&
    exec env -i PATH=/usr/bin:/bin PORT="$port" LOG_FORMAT=json \
    NOTIFY_SOCKET="$tmp/notify.sock" \
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 \
    $as_user "$root/usr/bin/pangolin" -c "$tmp/pangolin.toml") \
    >"$tmp/server.log" 2>&1 &
pid=$!

i=0
while ! grep -q "^probe" "$tmp/notify.out" 2>/dev/null && [ $i -lt 300 ]; do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1; i=$((i + 1))
done
check "sd_notify: READY=1 arrives" grep -q "^msg READY=1" "$tmp/notify.out"
check "sd_notify: /health/ready already answers 200 when READY=1 arrives" \
    grep -qx "probe 200" "$tmp/notify.out"

curl_() { curl -s --noproxy '*' -o "$tmp/body" -w '%{http_code}' "$@"; }
check "GET /health/ready: 200" \
    test "$(curl_ "http://127.0.0.1:$port/health/ready")" = 200
check "a client creates a namespace in the default catalog" \
    test "$(curl_ -X POST -H 'content-type: application/json' \
	-d '{"namespace":["appliance"]}' "http://127.0.0.1:$port/v1/demo/namespaces")" = 200
check "... and lists it" sh -c 'curl -s --noproxy "*" "$1" | grep -q appliance' \
    - "http://127.0.0.1:$port/v1/demo/namespaces"

# The operator's online backup (README "Install on a VM"), with the
# installed config, while the service runs.
env -i PATH=/usr/bin:/bin ASAN_OPTIONS=detect_leaks=0 \
    "$root/usr/bin/pangolin" admin backup "$tmp/backup.db" -c "$tmp/pangolin.toml" \
    >"$tmp/backup.out" 2>&1
check "pangolin admin backup with the installed config: a copy holding the namespace" \
    sh -c 'sqlite3 "$1" .dump | grep -q appliance' - "$tmp/backup.db"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
check "SIGTERM: exit 0" test "$rc" -eq 0
i=0
while ! grep -q "^msg STOPPING=1" "$tmp/notify.out" && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
check "sd_notify: STOPPING=1 on SIGTERM" grep -q "^msg STOPPING=1" "$tmp/notify.out"
check "READY=1 sent once" test "$(grep -c '^msg READY=1' "$tmp/notify.out")" -eq 1

state=$root/var/lib/pangolin
check "the store and the warehouse are in the state directory" \
    test -f "$state/pangolin.db" -a -d "$state/warehouse"
if [ -n "$as_user" ]; then
	check "... owned by the service user" \
	    test "$(stat -c %u "$state/pangolin.db") $(stat -c %u "$state/warehouse")" = "$uid $uid"
fi
if python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert {"ts", "level", "process", "msg"} <= o.keys(), line
    n += o["msg"] == "access"
assert n >= 4, "access lines: %d" % n
' "$tmp/server.log" 2>"$tmp/json.err"; then
	ok "LOG_FORMAT=json: every server log line is a JSON object"
else
	head -5 "$tmp/json.err" "$tmp/server.log"
	bad "LOG_FORMAT=json: every server log line is a JSON object"
fi
check "no sanitizer report" sh -c '! grep -Eq "AddressSanitizer|runtime error:" "$1"' - "$tmp/server.log"

# --- under a real systemd -----------------------------------------------------

# This machine's root booted as a container (systemd-boot.sh): the unit
# itself, started, restarted and stopped by systemd.  Needs root and
# systemd-nspawn (tests/deps.sh installs systemd-container).
if [ "$(id -u)" -eq 0 ] && command -v systemd-nspawn >/dev/null 2>&1 &&
    command -v unshare >/dev/null 2>&1; then
	sh tests/package/systemd-boot.sh "$deb" "$tmp/systemd.result"
	if [ -s "$tmp/systemd.result" ]; then
		cat "$tmp/systemd.result"
		pass=$((pass + $(grep -c '^ok - ' "$tmp/systemd.result")))
		fail=$((fail + $(grep -c '^not ok - ' "$tmp/systemd.result")))
	else
		bad "systemd: the container booted and ran the checks"
	fi
else
	echo "# not root or no systemd-nspawn: the unit is not run under systemd"
fi

finish
