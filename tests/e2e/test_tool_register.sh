#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# carta-tool register / unregister on Firefox profiles (one with an NSS
# database, one fresh) and ~/.pki/nssdb: added once, idempotent, a moved
# module is updated, every change reported; NSS's modutil -list is the oracle.
# Run as root: CARTA_BUILD=<plain build dir> tests/e2e/test_tool_register.sh
# Ends with "N passed, M failed"; exit status non-zero on any failure.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
e2e_init "$@"

TOOL=$CARTA_BUILD/tools/carta-tool/carta-tool
MODULE=$CARTA_BUILD/src/pkcs11/carta-pkcs11.so
export HOME=$E2E_DIR/home LANG=C.UTF-8 LC_ALL=
unset LANGUAGE
FF=$HOME/.mozilla/firefox
mkdir -p "$FF/a.old" "$FF/b.fresh"
certutil -N -d "sql:$FF/a.old" --empty-password
cat > "$FF/profiles.ini" <<INI
[Install4F96D1932A9F858E]
Default=a.old

[Profile1]
Name=fresh
IsRelative=1
Path=b.fresh

[Profile0]
Name=old
IsRelative=1
Path=a.old
Default=1

[General]
StartWithLastProfile=1
Version=2
INI

tool() {
	timeout 60 "$TOOL" "$@" > "$E2E_DIR/out" 2>&1
	rc=$?
	printf '$ carta-tool %s\n' "$*"; cat "$E2E_DIR/out"; echo "(exit $rc)"
}
has() { grep -qF -- "$1" "$E2E_DIR/out" || { echo "missing: $1"; return 1; }; }
# modutil's own view: how many modules in DIR load LIB
loaded() { # DIR LIB COUNT
	local n
	n=$(modutil -dbdir "sql:$1" -list 2>/dev/null </dev/null | grep -c "library name: $2\$")
	echo "$1: $n x $2"
	[ "$n" = "$3" ]
}

t_firefox() {
	tool register --firefox --module "$MODULE" && [ "$rc" = 0 ] &&
		has "added to Firefox profile \"old\"" && has "added to Firefox profile \"fresh\"" &&
		loaded "$FF/a.old" "$MODULE" 1 && loaded "$FF/b.fresh" "$MODULE" 1 && [ ! -e "$HOME/.pki" ]
}
t_again() {
	tool register --firefox --module "$MODULE" && [ "$rc" = 0 ] &&
		has "already registered in Firefox profile \"old\"" && has "already registered in Firefox profile \"fresh\"" &&
		loaded "$FF/a.old" "$MODULE" 1 && loaded "$FF/b.fresh" "$MODULE" 1
}
t_chrome() {
	tool register --chrome --module "$MODULE" && [ "$rc" = 0 ] && has "added to Chrome/Chromium" &&
		loaded "$HOME/.pki/nssdb" "$MODULE" 1
}
t_all_json() {
	tool register --all --json --module "$MODULE" && [ "$rc" = 0 ] &&
		python3 -c "import json,sys; j=json.load(open('$E2E_DIR/out')); a=[c['action'] for c in j['changes']]; print(a); sys.exit(0 if a==['unchanged']*3 else 1)"
}
t_moved() {
	cp "$MODULE" "$E2E_DIR/moved-carta-pkcs11.so"
	ln -sf "$E2E_DIR/moved-carta-pkcs11.so" "$E2E_DIR/carta-pkcs11.so"
	tool register --module "$E2E_DIR/carta-pkcs11.so" && [ "$rc" = 0 ] && has "module path updated in" &&
		loaded "$FF/a.old" "$E2E_DIR/carta-pkcs11.so" 1 && loaded "$FF/a.old" "$MODULE" 0 &&
		loaded "$HOME/.pki/nssdb" "$E2E_DIR/carta-pkcs11.so" 1
}
t_unregister() {
	tool unregister && [ "$rc" = 0 ] && has "removed from Firefox profile \"old\"" &&
		has "removed from Chrome/Chromium" && loaded "$FF/a.old" "$E2E_DIR/carta-pkcs11.so" 0 &&
		loaded "$FF/b.fresh" "$E2E_DIR/carta-pkcs11.so" 0 && loaded "$HOME/.pki/nssdb" "$E2E_DIR/carta-pkcs11.so" 0 &&
		! grep -q 'carta-pkcs11.so' "$FF/a.old/pkcs11.txt" "$FF/b.fresh/pkcs11.txt" "$HOME/.pki/nssdb/pkcs11.txt" &&
		tool unregister && [ "$rc" = 0 ] && has "not registered in Firefox profile \"old\""
}
t_errors() {
	tool register --module /nonexistent/carta-pkcs11.so && [ "$rc" = 1 ] && has "module not found" &&
		HOME=$E2E_DIR/empty tool register --firefox --module "$MODULE" && [ "$rc" = 1 ] && has "no Firefox profile found"
}
t_italian() {
	LANG=it_IT.UTF-8 tool register --firefox --module "$MODULE" && [ "$rc" = 0 ] &&
		has "aggiunto a profilo di Firefox \"old\""
}

e2e_check "register --firefox: both profiles" t_firefox
e2e_check "register --firefox again: unchanged" t_again
e2e_check "register --chrome: ~/.pki/nssdb created" t_chrome
e2e_check "register --all --json: all unchanged" t_all_json
e2e_check "moved module: path updated, one entry" t_moved
e2e_check "unregister, twice" t_unregister
e2e_check "errors" t_errors
e2e_check "Italian report" t_italian
e2e_summary
