#!/usr/bin/env bash
# Builds OpenSC's p11test (src/tests/p11test, cmocka) from Debian's opensc source
# package, as docs/reference/test-stack.md 2b describes, into $1 (default build-test/p11test).
# Prints the path of the p11test binary. Idempotent: reuses a previous build.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dest=${1:-$top/build-test/p11test}
bin="$dest/p11test"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
src_list=/etc/apt/sources.list.d/carta-deb-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
	$SUDO tee "$src_list" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	$SUDO apt-get update -qq >&2
fi
need=""
for p in dpkg-dev autoconf automake libtool pkg-config libpcsclite-dev libssl-dev libcmocka-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
# shellcheck disable=SC2086
[ -z "$need" ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && apt-get source -qq opensc >&2 )
osc=$(find "$work" -maxdepth 1 -type d -name 'opensc-*' | head -n1)
# p11test 0.23's interface_test hard-codes OpenSC's own 2.x list version (2.20);
# a module that offers a 2.40 list is just as valid, so accept any 2.x >= 2.20
# (later OpenSC releases dropped that exact check).
sed -i 's/assert_int_equal(((CK_VERSION \*)\(interfaces\[1\]\.\|interface->\)pFunctionList)->minor, 20);/assert_true(((CK_VERSION *)\1pFunctionList)->minor >= 20);/' \
	"$osc/src/tests/p11test/p11test_case_interface.c"
[ "$(grep -c 'minor >= 20' "$osc/src/tests/p11test/p11test_case_interface.c")" = 2 ] ||
	{ echo "p11test.sh: could not adapt interface_test" >&2; exit 1; }
( cd "$osc" && autoreconf -fi >/dev/null 2>&1 &&
  ./configure -q --disable-doc --disable-man --disable-zlib --disable-readline --disable-notify \
	--enable-cmocka >/dev/null &&
  make -s -C src/tests/p11test >/dev/null 2>&1 ) >&2
mkdir -p "$dest"
cp "$osc/src/tests/p11test/p11test" "$bin" 2>/dev/null ||
	cp "$osc/src/tests/p11test/.libs/p11test" "$bin"
echo "$bin"
