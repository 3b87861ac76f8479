#!/bin/sh
# make deb: turn the tree `make install DESTDIR=<root> PREFIX=/usr` staged
# into a Debian package.  Usage: mkdeb.sh <root> <out.deb> <version>
#
# Depends are the packages of the shared libraries the binary and the
# plugins link (Kore is compiled in): dpkg-shlibdeps when dpkg-dev is
# there, else ldd and dpkg -S (no version bounds).  Every file under
# /etc is a conffile, so an operator's edits survive upgrades.
set -eu

root=$1
out=$2
version=$3
here=$(cd "$(dirname "$0")" && pwd)

[ -x "$root/usr/bin/pangolin" ] || {
	echo "mkdeb: $root/usr/bin/pangolin missing (make install DESTDIR=$root PREFIX=/usr)" >&2
	exit 1
}
elves="$root/usr/bin/pangolin $(ls "$root"/usr/lib/pangolin/plugins/*.so)"
arch=$(dpkg --print-architecture)

depends_shlibdeps() {
	tmp=$(mktemp -d)
	mkdir "$tmp/debian"
	printf 'Source: pangolin\n\nPackage: pangolin\nArchitecture: any\n' \
	    > "$tmp/debian/control"
	args=""
	for f in $elves; do
		args="$args -e$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"
	done
	# shellcheck disable=SC2086
	(cd "$tmp" && dpkg-shlibdeps -O $args 2>/dev/null) |
	    sed -n 's/^shlibs:Depends=//p'
	rm -rf "$tmp"
}

depends_ldd() {
	for f in $elves; do
		ldd "$f" | awk '$3 ~ /^\// { print $3 }'
	done | sort -u | while read -r lib; do
		dpkg -S "$(readlink -f "$lib")" 2>/dev/null ||
		    dpkg -S "$lib" 2>/dev/null || true
	done | cut -d: -f1 | sort -u | paste -sd, - | sed 's/,/, /g'
}

if command -v dpkg-shlibdeps >/dev/null 2>&1; then
	depends=$(depends_shlibdeps)
else
	depends=$(depends_ldd)
fi
[ -n "$depends" ] || { echo "mkdeb: could not compute Depends" >&2; exit 1; }

rm -rf "$root/DEBIAN"
mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" \
    -e "s|@DEPENDS@|$depends|" "$here/deb/control.in" > "$root/DEBIAN/control"
(cd "$root" && find etc -type f | sort | sed 's|^|/|') > "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do
	install -m 755 "$here/deb/$s" "$root/DEBIAN/$s"
done
# DEB_COMPRESS: xz (the default, what a release ships) or gzip; the
# package test takes gzip (its xz of the sanitizer build cost 19 s of CPU).
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-xz}" --build "$root" "$out" >/dev/null
echo "mkdeb: $out"
