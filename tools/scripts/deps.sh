#!/usr/bin/env bash
# Installs the Debian 12 packages carta needs, idempotently.
#   deps.sh build   - compiler, CMake, the libraries carta links against (libxml2:
#                     the trusted list of carta-tool verify --ca), cmocka,
#                     python3 (the structure checks, tests/structure), jq (the Firefox
#                     policy helper and its test, tests/pkg/test_firefox_policy.sh)
#   deps.sh test    - build + the end-to-end stack (pcscd, vpcd, OpenSC, NSS, GnuTLS, libp11, curl)
#   deps.sh pkg     - build + what the packages and their test need (debhelper, lintian,
#                     rpm, debootstrap: tools/scripts/package.sh, tests/pkg/test_fresh_root.sh)
# Runs apt-get only for packages that are missing. Root, or sudo when not root.
set -euo pipefail
want=${1:-test}
build_pkgs="build-essential cmake pkg-config libpcsclite-dev libssl-dev libp11-kit-dev libcmocka-dev
            clang libclang-rt-14-dev gettext python3 jq libxml2-dev"
test_pkgs="pcscd vsmartcard-vpcd pcsc-tools opensc opensc-pkcs11 libnss3-tools gnutls-bin p11-kit
           p11-kit-modules libengine-pkcs11-openssl curl openssl iproute2 util-linux procps python3 openssh-client man-db groff-base firefox-esr
           gdb poppler-utils ghostscript python3-asn1crypto"
pkg_pkgs="debhelper dpkg-dev lintian rpm debootstrap git"
case "$want" in
  build) pkgs="$build_pkgs" ;;
  pkg)   pkgs="$build_pkgs $pkg_pkgs" ;;
  test)  pkgs="$build_pkgs $test_pkgs" ;;
  *) echo "usage: $0 build|test|pkg" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "carta: need root or sudo to install:$missing" >&2; exit 1; }
  SUDO=sudo
fi
echo "carta: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
