#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# carta and Debian's opensc-pkcs11 side by side: p11-kit lists the CNS twice;
# carta-tool doctor names OpenSC's module (path and p11-kit name) and the
# fix; "carta-tool p11kit hide opensc-pkcs11" (root only, an /etc file, the
# package's file untouched) leaves one token for p11-kit list-modules and for
# pkcs11-tool through p11-kit-proxy, and unhide undoes it; a file the admin
# wrote is never touched. OpenSC added by hand to a Firefox profile next to
# carta: doctor names the profile and the modutil command, which fixes it.
# /etc is an overlay private to this mount namespace.
# Run as root: CARTA_BUILD=<plain build dir> tests/e2e/test_tool_opensc.sh
# Ends with "N passed, M failed"; exit status non-zero on any failure.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
e2e_init "$@"

TOOL=$CARTA_BUILD/tools/carta-tool/carta-tool
MODULE=$CARTA_BUILD/src/pkcs11/carta-pkcs11.so
PKG=/usr/share/p11-kit/modules
OPENSC=$(pkg-config --variable=p11_module_path p11-kit-1)/opensc-pkcs11.so
PROXY=$(pkg-config --variable=proxy_module p11-kit-1)
ETCFILE=/etc/pkcs11/modules/opensc-pkcs11.module
SERIAL=6090330564549961   # the st profile's serial, as both modules show it
export HOME=$E2E_DIR/home LANG=C.UTF-8 LC_ALL=
unset LANGUAGE XDG_CONFIG_HOME

# opensc-pkcs11 installed (tools/scripts/deps.sh test): its p11-kit file
# and module are what this test is about
e2e_check "opensc-pkcs11 is installed" test -f "$PKG/opensc-pkcs11.module" -a -f "$OPENSC"
pkg_sum=$(sha256sum "$PKG/opensc-pkcs11.module")

# /etc private: what carta-tool writes there stays in this namespace
mkdir -p "$E2E_DIR/etc-up" "$E2E_DIR/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$E2E_DIR/etc-up,workdir=$E2E_DIR/etc-work" /etc ||
	{ e2e_check "private /etc overlay" false; e2e_summary; exit 1; }
rm -rf /etc/pkcs11/modules
# p11-kit's package directory as installed, plus carta.module
chmod 711 "$E2E_DIR"
mkdir -p "$E2E_DIR/p11"
cp -a "$PKG/." "$E2E_DIR/p11/"
printf 'module: %s\n' "$MODULE" > "$E2E_DIR/p11/carta.module"
mount --bind "$E2E_DIR/p11" "$PKG"

FFPROF=$HOME/.mozilla/firefox/t1.default
mkdir -p "$FFPROF"
printf '[Profile0]\nName=default\nIsRelative=1\nPath=t1.default\nDefault=1\n' > "$HOME/.mozilla/firefox/profiles.ini"
certutil -N -d "sql:$FFPROF" --empty-password
timeout 60 "$TOOL" register --firefox --quiet --module "$MODULE"
e2e_start_card 0 st

# how many tokens with the card's serial p11-kit's programs see
p11kit_tokens() { # COUNT
	local n
	n=$(timeout 60 p11-kit list-modules 2>/dev/null | grep -c "serial-number: $SERIAL\$")
	echo "p11-kit list-modules: $n token(s) with serial $SERIAL"
	[ "$n" = "$1" ]
}
proxy_tokens() { # COUNT
	local n
	n=$(timeout 60 pkcs11-tool --module "$PROXY" -L 2>/dev/null | grep -c "serial num *: $SERIAL\$")
	echo "pkcs11-tool via p11-kit-proxy: $n token(s) with serial $SERIAL"
	[ "$n" = "$1" ]
}
opensc_listed() { timeout 60 p11-kit list-modules 2>/dev/null | grep -q "^opensc-pkcs11: "; }

# doctor; the ids of its findings (from --json) must be exactly "$@"
doctor_finds() {
	local want got
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	timeout 120 "$TOOL" doctor > "$E2E_DIR/out" 2>&1
	rc=$?
	cat "$E2E_DIR/out"
	timeout 120 "$TOOL" doctor --json > "$E2E_DIR/json" 2>/dev/null
	got=$(python3 -c "import json; print(' '.join(sorted(f['id'] for f in json.load(open('$E2E_DIR/json'))['findings'])))")
	echo "findings: [$got] expected: [${want% }]"
	[ "$got" = "${want% }" ] && if [ $# -eq 0 ]; then [ "$rc" = 0 ]; else [ "$rc" = 8 ]; fi
}
line_has() { grep "^\[$1\]" "$E2E_DIR/out" | grep -qF -- "$2" || { echo "no [$1] line with: $2"; return 1; }; }

t_doctor_dup() {
	doctor_finds duplicate-module && line_has duplicate-module "$OPENSC" &&
		line_has duplicate-module "serial $SERIAL" && line_has duplicate-module '"sudo carta-tool p11kit hide opensc-pkcs11"'
}
t_italian() {
	LANG=it_IT.UTF-8 timeout 120 "$TOOL" doctor > "$E2E_DIR/out" 2>&1
	cat "$E2E_DIR/out"
	line_has duplicate-module "è mostrata anche da $OPENSC" && line_has duplicate-module 'Soluzione: carta gestisce'
}
t_not_root() {
	setpriv --reuid=4711 --regid=4711 --clear-groups "$TOOL" p11kit hide opensc-pkcs11 > "$E2E_DIR/out" 2>&1
	rc=$?
	cat "$E2E_DIR/out"
	[ "$rc" = 1 ] && grep -qF 'run it as root' "$E2E_DIR/out" && [ ! -e "$ETCFILE" ]
}
# root's umask 077 must not keep the file from users' programs
user_tokens() { # COUNT: p11-kit list-modules as a user
	local n
	n=$(setpriv --reuid=4711 --regid=4711 --clear-groups timeout 60 p11-kit list-modules 2>/dev/null |
		grep -c "serial-number: $SERIAL\$")
	echo "p11-kit list-modules as a user: $n token(s) with serial $SERIAL"
	[ "$n" = "$1" ]
}
t_hide() {
	(umask 077; timeout 60 "$TOOL" p11kit hide opensc-pkcs11) && cat "$ETCFILE" && grep -qx 'enable-in:' "$ETCFILE" &&
		[ "$(sha256sum "$PKG/opensc-pkcs11.module")" = "$pkg_sum" ] && ! opensc_listed &&
		p11kit_tokens 1 && proxy_tokens 1 && user_tokens 1
}
t_hide_again() {
	timeout 60 "$TOOL" p11kit hide opensc-pkcs11 > "$E2E_DIR/out" 2>&1 && cat "$E2E_DIR/out" &&
		grep -qF 'already hidden' "$E2E_DIR/out" && timeout 60 "$TOOL" p11kit hide opensc-pkcs11 --quiet > "$E2E_DIR/out" 2>&1 &&
		[ ! -s "$E2E_DIR/out" ]
}
t_unhide() {
	timeout 60 "$TOOL" p11kit unhide opensc-pkcs11 && [ ! -e "$ETCFILE" ] && opensc_listed && p11kit_tokens 2 &&
		timeout 60 "$TOOL" p11kit unhide opensc-pkcs11 > "$E2E_DIR/out" 2>&1 && grep -qF 'not hidden' "$E2E_DIR/out"
}
t_admin_file() {
	printf 'disable-in: firefox\n' > "$ETCFILE"
	local sum rc1 rc2
	sum=$(sha256sum "$ETCFILE")
	timeout 60 "$TOOL" p11kit hide opensc-pkcs11; rc1=$?
	timeout 60 "$TOOL" p11kit unhide opensc-pkcs11; rc2=$?
	echo "hide: $rc1, unhide: $rc2"
	[ "$rc1" = 1 ] && [ "$rc2" = 1 ] && [ "$(sha256sum "$ETCFILE")" = "$sum" ] && rm "$ETCFILE"
}
t_bad_names() {
	timeout 60 "$TOOL" p11kit hide no-such-module; local r1=$?
	timeout 60 "$TOOL" p11kit hide ../../tmp/x; local r2=$?
	timeout 60 "$TOOL" p11kit hide carta; local r3=$?
	echo "no-such-module: $r1, ../../tmp/x: $r2, carta: $r3"
	[ "$r1" = 1 ] && [ "$r2" = 2 ] && [ "$r3" = 2 ] && [ ! -e /etc/pkcs11/modules/no-such-module.module ]
}
# OpenSC added by hand to the Firefox profile, p11-kit's copy hidden
t_nss_dup() {
	timeout 60 "$TOOL" p11kit hide opensc-pkcs11 --quiet &&
		modutil -dbdir "sql:$FFPROF" -add "OpenSC smartcard" -libfile "$OPENSC" -force </dev/null >/dev/null &&
		doctor_finds duplicate-nss && line_has duplicate-nss 'Firefox profile "default"' &&
		line_has duplicate-nss "\"OpenSC smartcard\" ($OPENSC)"
}
t_nss_fix() {
	local cmd
	cmd=$(grep '^\[duplicate-nss\]' "$E2E_DIR/out" | sed 's/.* Fix: close the program and remove that module: //')
	echo "running: $cmd"
	[[ "$cmd" == modutil\ * ]] && eval "$cmd -force" </dev/null && doctor_finds &&
		! grep -q opensc "$FFPROF/pkcs11.txt"
}

e2e_check "p11-kit lists the CNS twice (carta and OpenSC)" p11kit_tokens 2
e2e_check "... and so it does for a user" user_tokens 2
e2e_check "doctor: duplicate-module, OpenSC's path, the fix" t_doctor_dup
e2e_check "doctor: duplicate-module in Italian" t_italian
e2e_check "p11kit hide as a user: refused, nothing written" t_not_root
e2e_check "p11kit hide: one token for p11-kit and p11-kit-proxy" t_hide
e2e_check "doctor after hide: no finding" doctor_finds
e2e_check "p11kit hide again: said, silent with --quiet" t_hide_again
e2e_check "p11kit unhide: OpenSC back, twice" t_unhide
e2e_check "an admin's own file: never touched" t_admin_file
e2e_check "unknown and bad module names" t_bad_names
e2e_check "OpenSC in a Firefox profile: duplicate-nss" t_nss_dup
e2e_check "the modutil command doctor gives fixes it" t_nss_fix
e2e_stop_card 0; e2e_wait e2e_card_absent 0
e2e_start_card 0 cie-nxp
e2e_check "CIE (OpenSC does not read it), OpenSC visible again: no duplicate" \
	bash -c "'$TOOL' p11kit unhide opensc-pkcs11 --quiet && '$TOOL' doctor --json | python3 -c \"import json,sys; f=[x['id'] for x in json.load(sys.stdin)['findings']]; print(f); sys.exit(1 if [i for i in f if i.startswith('duplicate')] else 0)\""
e2e_summary
