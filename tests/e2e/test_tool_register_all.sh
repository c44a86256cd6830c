#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# carta-tool register --all --quiet as the desktop login runs it: a non-root
# user (a uid with no account, HOME in the work dir) with three Firefox
# profiles (two in ~/.mozilla/firefox, one in the XDG place), Chromium's
# ~/.pki/nssdb and a Thunderbird profile (~/.thunderbird). Silent the first
# time, silent and changing no byte the second, no modutil run when all is
# registered; a module moved from /usr/local to /usr, and an entry (under
# another name) whose file was removed, are corrected; a database held by a
# running browser neither fails nor prints; unregister --all --quiet is the
# reverse. NSS's modutil -list (run as the user) is the oracle.
# Run as root: CARTA_BUILD=<plain build dir> tests/e2e/test_tool_register_all.sh
# Ends with "N passed, M failed"; exit status non-zero on any failure.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
e2e_init "$@"

TOOL=$CARTA_BUILD/tools/carta-tool/carta-tool
U=4711
chmod 711 "$E2E_DIR"
export HOME=$E2E_DIR/home LANG=C.UTF-8 LC_ALL=
unset LANGUAGE XDG_CONFIG_HOME
# the module as two packages would install it: /usr/local, then /usr
OLD=$E2E_DIR/usr-local/lib/carta-pkcs11.so NEW=$E2E_DIR/usr/lib/carta-pkcs11.so
mkdir -p "${OLD%/*}" "${NEW%/*}" "$E2E_DIR/bin"
cp "$CARTA_BUILD/src/pkcs11/carta-pkcs11.so" "$OLD"
cp "$CARTA_BUILD/src/pkcs11/carta-pkcs11.so" "$NEW"
# every modutil carta-tool runs is counted
printf '#!/bin/sh\necho "$*" >> %s/modutil.calls\nexec /usr/bin/modutil "$@"\n' "$E2E_DIR" > "$E2E_DIR/bin/modutil"
chmod 755 "$E2E_DIR/bin/modutil"
: > "$E2E_DIR/modutil.calls"
chmod 666 "$E2E_DIR/modutil.calls"

as_user() { setpriv --reuid=$U --regid=$U --clear-groups env PATH="$E2E_DIR/bin:$PATH" "$@"; }

profile() { # INI-DIR NAME PATH: one profile with an empty NSS database
	mkdir -p "$1/$3"
	printf '[Profile%s]\nName=%s\nIsRelative=1\nPath=%s\n\n' "$(cat "$1/profiles.ini" 2>/dev/null | grep -c '^\[Profile')" \
		"$2" "$3" >> "$1/profiles.ini"
	certutil -N -d "sql:$1/$3" --empty-password
}
FF=$HOME/.mozilla/firefox XFF=$HOME/.config/mozilla/firefox TB=$HOME/.thunderbird
profile "$FF" work w1.work
profile "$FF" home h2.home
profile "$XFF" xdg x3.xdg
profile "$TB" default-release t1.default-release
mkdir -p "$HOME/.pki/nssdb"
certutil -N -d "sql:$HOME/.pki/nssdb" --empty-password
DBS=("$FF/w1.work" "$FF/h2.home" "$XFF/x3.xdg" "$TB/t1.default-release" "$HOME/.pki/nssdb")
chown -R $U:$U "$HOME"

tool() {
	as_user timeout 120 "$TOOL" "$@" > "$E2E_DIR/out" 2> "$E2E_DIR/err"
	rc=$?
	printf '$ carta-tool %s\n' "$*"; cat "$E2E_DIR/out"; sed 's/^/stderr: /' "$E2E_DIR/err"; echo "(exit $rc)"
}
silent() { [ ! -s "$E2E_DIR/out" ] && [ ! -s "$E2E_DIR/err" ] || { echo "output where none was expected"; return 1; }; }
# modutil's own view, as the user: how many modules in DIR load LIB
loaded() { # DIR LIB COUNT
	local n
	n=$(as_user /usr/bin/modutil -dbdir "sql:$1" -list 2>/dev/null </dev/null | grep -c "library name: $2\$")
	echo "$1: $n x $2"
	[ "$n" = "$3" ]
}
all_loaded() { # LIB COUNT
	local d
	for d in "${DBS[@]}"; do loaded "$d" "$1" "$2" || return 1; done
}
state() { # checksums and times of every database file
	local d
	for d in "${DBS[@]}"; do (cd "$d" && stat -c '%n %Y %s' ./* && sha256sum ./*); done
}
calls() { wc -l < "$E2E_DIR/modutil.calls"; }

t_first() {
	tool register --all --quiet --module "$OLD" && [ "$rc" = 0 ] && silent && all_loaded "$OLD" 1
}
t_second() {
	state > "$E2E_DIR/before"
	local c0
	c0=$(calls)
	tool register --all --quiet --module "$OLD" && [ "$rc" = 0 ] && silent &&
		state > "$E2E_DIR/after" && diff "$E2E_DIR/before" "$E2E_DIR/after" &&
		echo "modutil runs: $(($(calls) - c0))" && [ "$(calls)" = "$c0" ]
}
t_report() {
	tool register --all --module "$OLD" && [ "$rc" = 0 ] &&
		[ "$(grep -c '^already registered in ' "$E2E_DIR/out")" = 5 ] &&
		grep -qF 'already registered in Thunderbird profile "default-release"' "$E2E_DIR/out" &&
		grep -qF 'already registered in Firefox profile "xdg"' "$E2E_DIR/out"
}
t_italian() {
	LANG=it_IT.UTF-8 tool register --thunderbird --module "$OLD" && [ "$rc" = 0 ] &&
		grep -qF 'già registrato in profilo di Thunderbird "default-release"' "$E2E_DIR/out"
}
t_moved() {
	tool register --all --quiet --module "$NEW" && [ "$rc" = 0 ] && silent &&
		all_loaded "$NEW" 1 && all_loaded "$OLD" 0
}
# an entry of ours under another name, whose file then goes away
t_removed() {
	as_user /usr/bin/modutil -dbdir "sql:$TB/t1.default-release" -delete carta -force </dev/null >/dev/null &&
		as_user /usr/bin/modutil -dbdir "sql:$TB/t1.default-release" -add "CNS card" -libfile "$OLD" -force </dev/null >/dev/null &&
		loaded "$TB/t1.default-release" "$OLD" 1 && rm "$OLD" &&
		tool register --all --quiet --module "$NEW" && [ "$rc" = 0 ] && silent &&
		all_loaded "$NEW" 1 && ! grep -q "usr-local" "$TB/t1.default-release/pkcs11.txt"
}
# a profile whose browser runs (its "lock" link) and holds the database locked
hold() { # DIR: lock cert9.db and key4.db until the file DIR.go is removed
	as_user python3 -c '
import os, sqlite3, sys, time
d = sys.argv[1]
c = [sqlite3.connect(os.path.join(d, f), isolation_level=None) for f in ("cert9.db", "key4.db")]
for x in c: x.execute("BEGIN EXCLUSIVE")
open(d + ".held", "w").close()
while os.path.exists(d + ".go"): time.sleep(0.05)' "$1" &
	HOLD_PID=$!
	e2e_wait test -e "$1.held"
}
BUSY=$FF/h2.home
t_busy_setup() {
	as_user /usr/bin/modutil -dbdir "sql:$BUSY" -delete carta -force </dev/null && loaded "$BUSY" "$NEW" 0 &&
		touch "$BUSY.go" && chmod 666 "$BUSY.go" && hold "$BUSY"
}
t_busy_quiet() {
	as_user ln -sfn "127.0.0.1:+4242" "$BUSY/lock" &&
		tool register --all --quiet --module "$NEW" && [ "$rc" = 0 ] && silent && loaded "$BUSY" "$NEW" 0
}
t_busy_said() {
	tool register --all --module "$NEW" && [ "$rc" = 0 ] &&
		grep -qF 'in use by its running program, not changed' "$E2E_DIR/out"
}
t_locked_no_browser() {
	rm -f "$BUSY/lock"
	tool register --all --quiet --module "$NEW" && [ "$rc" = 1 ] && [ ! -s "$E2E_DIR/out" ] &&
		grep -qF 'modutil failed for Firefox profile "home"' "$E2E_DIR/err"
}
t_busy_after() {
	rm -f "$BUSY.go"; wait "$HOLD_PID"
	tool register --all --quiet --module "$NEW" && [ "$rc" = 0 ] && silent && all_loaded "$NEW" 1
}
t_unregister() {
	tool unregister --all --quiet && [ "$rc" = 0 ] && silent && all_loaded "$NEW" 0 &&
		! grep -l 'carta-pkcs11.so' "${DBS[@]/%//pkcs11.txt}" &&
		tool unregister --all --quiet && [ "$rc" = 0 ] && silent
}

e2e_check "first register --all --quiet: silent, every database lists the module" t_first
e2e_check "second run: silent, no byte changed, no modutil run" t_second
e2e_check "without --quiet: 5 databases already registered" t_report
e2e_check "Thunderbird, in Italian" t_italian
e2e_check "module moved /usr/local -> /usr: corrected, silently" t_moved
e2e_check "entry whose module file is gone: replaced" t_removed
e2e_check "running browser: its database locked" t_busy_setup
e2e_check "running browser: --quiet is silent, exit 0, db untouched" t_busy_quiet
e2e_check "running browser: said without --quiet, exit 0" t_busy_said
e2e_check "locked database, no browser: an error (exit 1, stderr)" t_locked_no_browser
e2e_check "browser closed: registered at the next run" t_busy_after
e2e_check "unregister --all --quiet, twice" t_unregister
e2e_summary
