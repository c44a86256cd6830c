#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The packages in a brand-new Debian 12 root (debootstrap minbase), as a new
# user would meet them (docs/packaging.md "The fresh-root test"):
#   1. apt install ./carta-*.deb pulls its dependencies from Debian;
#   2. a Firefox ESR profile made by Firefox itself logs in (TLS client
#      certificate, openssl s_server -Verify 1, the virtual card from
#      carta-vcard behind pcscd + vpcd) with no carta command run;
#   3. Chromium logs in under Xvfb after the autostart command has run;
#   4. register puts the module in a new Thunderbird profile;
#   5. with opensc-pkcs11 installed, a new Firefox profile lists one token;
#   6. apt purge leaves no file of the packages and no policy entry.
# Root (chroot, namespaces) and the network (deb.debian.org) are needed.
#   tests/pkg/test_fresh_root.sh            builds the packages (package.sh)
#   CARTA_DEBS=DIR tests/pkg/test_fresh_root.sh   uses the .debs in DIR
# CARTA_PKG_CACHE (default /work/cache) keeps bookworm-minbase.tar and the
# downloaded .debs (apt-archives/) between runs; the root itself is new
# every run. CARTA_FFTOOLS: the folder of marionette.py
# (default ../shared/tools/firefox). Ends with "N passed, M failed".
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
HERE=$TOP/tests/pkg
CACHE=${CARTA_PKG_CACHE:-/work/cache}
TAR=$CACHE/bookworm-minbase.tar
FFTOOLS=${CARTA_FFTOOLS:-$TOP/../shared/tools/firefox}
MIRROR=${CARTA_MIRROR:-http://deb.debian.org/debian}

[ "$(id -u)" -eq 0 ] || { echo "run as root (chroot, namespaces)" >&2; exit 2; }
for f in marionette.py; do
	[ -f "$FFTOOLS/$f" ] || { echo "$FFTOOLS/$f missing (set CARTA_FFTOOLS)" >&2; exit 2; }
done
command -v debootstrap >/dev/null || { echo "apt-get install debootstrap" >&2; exit 2; }
W=$(mktemp -d /tmp/carta-pkg.XXXXXX)
R=$W/root
OUT=$W/out.txt
trap 'rm -rf "$W"' EXIT
: > "$OUT"
say() { printf '%s\n' "$*" | tee -a "$OUT"; }

t0=$(date +%s)
if [ -n "${CARTA_DEBS:-}" ]; then
	DEBS=$(cd "$CARTA_DEBS" && pwd)
else
	DEBS=$W/debs
	if "$TOP/tools/scripts/package.sh" "$DEBS" > "$W/package.txt" 2>&1; then
		say "ok   tools/scripts/package.sh builds the packages (dh_auto_test: $(grep -o '[0-9]*% tests passed.*' "$DEBS/build.log" | tail -1))"
	else
		say "FAIL tools/scripts/package.sh builds the packages"; tail -20 "$W/package.txt"
	fi
fi
ls "$DEBS"/carta-pkcs11_*.deb "$DEBS"/carta-tool_*.deb "$DEBS"/carta-vcard_*.deb >/dev/null || exit 1

# The minbase root, made once and kept as a tarball; each run unpacks a new one.
if [ ! -f "$TAR" ]; then
	mkdir -p "$CACHE"
	rm -rf "$CACHE/root.tmp"
	debootstrap --variant=minbase bookworm "$CACHE/root.tmp" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1 ||
		{ tail "$CACHE/debootstrap.log"; exit 1; }
	tar -C "$CACHE/root.tmp" -cf "$TAR.tmp" . && mv "$TAR.tmp" "$TAR" && rm -rf "$CACHE/root.tmp"
fi
mkdir -p "$R" "$CACHE/apt-archives/partial"
tar -C "$R" -xf "$TAR"
mkdir -p "$R/debs" "$R/t/firefox"
cp "$DEBS"/carta-pkcs11_*.deb "$DEBS"/carta-tool_*.deb "$DEBS"/carta-vcard_*.deb "$R/debs/"
cp "$HERE"/in_root.sh "$HERE"/*.py "$R/t/"
cp "$FFTOOLS"/marionette.py "$R/t/firefox/"
# minbase has no /etc/hosts: Firefox and Chromium must find "localhost"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$R/etc/hosts"
cp /etc/resolv.conf "$R/etc/resolv.conf"
# debootstrap lists bookworm alone; a user's Debian 12 also has its updates and
# security suites, where Firefox ESR, Chromium and Thunderbird move on
cat > "$R/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${CARTA_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main
EOF
# no daemon starts inside the root (pcscd's postinst): the test starts its own
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod +x "$R/usr/sbin/policy-rc.d"

# in_root PHASE [unshare options]: one phase in a private mount namespace.
# The root is made a mount point of its own (bound on itself) before anything
# is mounted in it. Inside the chroot the browsers still cannot create a user
# namespace (Firefox logs "CanCreateUserNamespace() clone() failure: EPERM")
# and run without that layer of their sandbox; Chromium runs --no-sandbox.
in_root() {
	local phase=$1
	shift
	unshare --mount --propagation private --kill-child "$@" -- bash -c '
		R=$1 CACHE=$2 PHASE=$3
		mount --bind "$R" "$R"
		mount -t proc proc "$R/proc"
		mount -t sysfs sysfs "$R/sys"
		mount --rbind /dev "$R/dev"
		mount -t tmpfs -o mode=755 tmpfs "$R/run"
		mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
		mount --bind "$CACHE/apt-archives" "$R/var/cache/apt/archives"
		exec chroot "$R" /t/in_root.sh "$PHASE"' bash "$R" "$CACHE" "$phase" 2>&1 | tee -a "$OUT"
}

in_root install
t1=$(date +%s)
# no network for the test itself: its own loopback, ports and processes
in_root test --net --pid --fork
t2=$(date +%s)
in_root purge --net --pid --fork
t3=$(date +%s)
rm -f "$R/var/cache/apt/archives/lock"

pass=$(grep -c '^ok ' "$OUT")
fail=$(grep -c '^FAIL ' "$OUT")
printf 'times: packages and install %ss, test %ss, purge %ss, total %ss\n' $((t1 - t0)) $((t2 - t1)) $((t3 - t2)) $((t3 - t0))
printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
