#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds carta's Debian packages (carta-pkcs11, carta-tool, carta-vcard) into
# a folder, from a clean copy of the tree, so nothing is left in the source:
#   tools/scripts/package.sh [OUTDIR]        (default: build/packages)
#   tools/scripts/package.sh --rpm [OUTDIR]  the RPMs of packaging/rpm/carta.spec
#                                            with this system's rpmbuild
# The copy holds the files git knows (committed or not) and new files git does
# not ignore. The unit and integration tests run during the build
# (dh_auto_test); DEB_BUILD_OPTIONS=nocheck skips them. Installs the build
# dependencies it lacks (root, or through sudo).
# Then: sudo apt install ./build/packages/carta-*.deb
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mode=deb
if [ "${1:-}" = --rpm ]; then
	mode=rpm
	shift
fi
out=$(mkdir -p "${1:-$top/build/packages}" && cd "${1:-$top/build/packages}" && pwd)

need="rpm cmake pkgconf libpcsclite-dev libssl-dev libp11-kit-dev gettext libcmocka-dev python3 git"
[ "$mode" = rpm ] || need="debhelper cmake pkgconf libpcsclite-dev libssl-dev libp11-kit-dev gettext jq libcmocka-dev python3 dpkg-dev git"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "carta package: installing:$missing"
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

work=$(mktemp -d /tmp/carta-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/carta"
# a clean copy: what git tracks or would add, never build trees or results
git -C "$top" ls-files -z --cached --others --exclude-standard |
	(cd "$top" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
	tar -C "$top" --null -T - -cf - | tar -C "$work/carta" -xf -

# rpmbuild on Debian: no rpm database knows the BuildRequires (--nodeps; the
# list above installs them), and no find-debuginfo (no -debuginfo package)
if [ "$mode" = rpm ]; then
	ver=$(sed -n 's/^Version: *//p' "$top/packaging/rpm/carta.spec")
	mkdir -p "$work/rpm/SOURCES"
	mv "$work/carta" "$work/carta-$ver"
	tar -C "$work" -czf "$work/rpm/SOURCES/carta-$ver.tar.gz" "carta-$ver"
	echo "carta package: rpmbuild in $work (log: $out/rpmbuild.log)"
	if ! rpmbuild -bb --nodeps --define "_topdir $work/rpm" --define 'debug_package %{nil}' \
		"$work/carta-$ver/packaging/rpm/carta.spec" > "$out/rpmbuild.log" 2>&1; then
		tail -n 40 "$out/rpmbuild.log"
		echo "carta package: rpmbuild failed (full log: $out/rpmbuild.log)" >&2
		exit 1
	fi
	rm -f "$out"/carta-*.rpm
	mv "$work"/rpm/RPMS/*/carta-*.rpm "$out"/
	ls -1 "$out"/carta-*.rpm
	exit 0
fi

echo "carta package: building in $work (log: $out/build.log)"
# no -dbgsym packages: "apt install ./carta-*.deb" would take them too
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }noddebs"
if ! (cd "$work/carta" && dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	echo "carta package: dpkg-buildpackage failed (full log: $out/build.log)" >&2
	exit 1
fi
rm -f "$out"/carta-*.deb "$out"/carta_*.buildinfo "$out"/carta_*.changes
mv "$work"/carta-*.deb "$work"/carta_*.buildinfo "$work"/carta_*.changes "$out"/
ls -1 "$out"/carta-*.deb
