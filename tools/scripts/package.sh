#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds carta's Debian packages (carta-pkcs11, carta-tool, carta-vcard) into
# a folder, from a clean copy of the tree, so nothing is left in the source:
#   tools/scripts/package.sh [OUTDIR]        (default: build/packages)
# The copy holds the files git knows (committed or not) and new files git does
# not ignore. The unit and integration tests run during the build
# (dh_auto_test); DEB_BUILD_OPTIONS=nocheck skips them. Installs the build
# dependencies it lacks (root, or through sudo).
# Then: sudo apt install ./build/packages/carta-*.deb
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mkdir -p "${1:-$top/build/packages}" && cd "${1:-$top/build/packages}" && pwd)

need="debhelper cmake pkgconf libpcsclite-dev libssl-dev libp11-kit-dev gettext jq libcmocka-dev python3 dpkg-dev git"
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
