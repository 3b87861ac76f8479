#!/bin/sh
# The package under a real systemd: boot this machine's own root as a
# container (systemd-nspawn --boot) on a throwaway overlay, with its own
# network namespace, and run in-container.sh there as a oneshot unit.
# Usage: systemd-boot.sh <package.deb> <result file>; needs root and
# systemd-nspawn (Debian systemd-container).  Prints nspawn's console on
# failure; the result file holds "ok - …" / "not ok - …" lines.
set -u
deb=$1
result=$2
here=$(cd "$(dirname "$0")" && pwd)

# Private mounts: the overlay and the tmpfs vanish with this namespace.
exec unshare -m --propagation private sh -s "$deb" "$result" "$here" <<'INNER'
set -u
deb=$1 result=$2 here=$3
base=$(mktemp -d)
mount -t tmpfs tmpfs "$base" || exit 1
mkdir "$base/upper" "$base/work" "$base/root"
mount -t overlay overlay \
    -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$base/root" || exit 1
r=$base/root
mkdir -p "$r/pgltest" "$r/etc/systemd/system/multi-user.target.wants"
cp "$deb" "$r/pgltest/pangolin.deb"
cp "$here/in-container.sh" "$r/pgltest/"
cat > "$r/etc/systemd/system/pgltest.service" <<'UNIT'
[Unit]
Description=pangolin package check
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh /pgltest/in-container.sh
ExecStopPost=/bin/systemctl --no-block poweroff
[Install]
WantedBy=multi-user.target
UNIT
ln -s /etc/systemd/system/pgltest.service \
    "$r/etc/systemd/system/multi-user.target.wants/pgltest.service"
# Not registered with machined and no scope of its own: there is no
# systemd on the host to ask.
timeout 300 systemd-nspawn -q -D "$r" --private-network --register=no \
    --keep-unit --link-journal=no --machine=pgltest --boot \
    >"$base/console" 2>&1
if [ -s "$r/pgltest/result" ]; then
	cp "$r/pgltest/result" "$result"
	# On a failure, what the checks and the journal said.
	grep -q '^not ok' "$result" && tail -60 "$r/pgltest/log" >&2
else
	tail -40 "$base/console" >&2
fi
umount "$r"
umount "$base"
rmdir "$base"
INNER
