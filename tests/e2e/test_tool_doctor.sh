#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# carta-tool doctor reproduces each failure in the hermetic stack and names
# exactly the expected findings (their stable ids, from --json, and the text
# line): pcscd stopped, no reader, no card, unknown ATR, expired certificate,
# blocked PIN, module not registered in Firefox, p11-kit file missing/broken.
# Run as root: CARTA_BUILD=<plain build dir> tests/e2e/test_tool_doctor.sh
# Ends with "N passed, M failed"; exit status non-zero on any failure.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
e2e_init "$@"

TOOL=$CARTA_BUILD/tools/carta-tool/carta-tool
MODULE=$CARTA_BUILD/src/pkcs11/carta-pkcs11.so
export HOME=$E2E_DIR/home XDG_CACHE_HOME=$E2E_DIR/home/.cache LANG=C.UTF-8 LC_ALL=
unset LANGUAGE

# A Firefox profile as profiles.ini describes it (no Firefox needed here).
FFPROF=$HOME/.mozilla/firefox/t1.default
mkdir -p "$FFPROF"
printf '[Profile0]\nName=default\nIsRelative=1\nPath=t1.default\nDefault=1\n' > "$HOME/.mozilla/firefox/profiles.ini"
certutil -N -d "sql:$FFPROF" --empty-password

# p11-kit's module directories, private to this mount namespace.
mkdir -p "$E2E_DIR/p11"
for d in /usr/share/p11-kit/modules /etc/pkcs11/modules /usr/local/share/p11-kit/modules; do
	[ -d "$d" ] && mount --bind "$E2E_DIR/p11" "$d"
done
p11kit_file() { printf 'module: %s\n' "$1" > "$E2E_DIR/p11/carta.module"; }
p11kit_none() { rm -f "$E2E_DIR/p11/carta.module"; }

# doctor; then the ids of its findings must be exactly "$@" (sorted)
doctor_finds() {
	local want
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	timeout 120 "$TOOL" doctor > "$E2E_DIR/out" 2>&1
	rc=$?
	cat "$E2E_DIR/out"
	timeout 120 "$TOOL" doctor --json > "$E2E_DIR/json" 2>/dev/null
	got=$(python3 -c "import json; print(' '.join(sorted(f['id'] for f in json.load(open('$E2E_DIR/json'))['findings'])))")
	echo "findings: [$got] expected: [${want% }]"
	[ "$got" = "${want% }" ] || return 1
	if [ $# -eq 0 ]; then
		[ "$rc" = 0 ] && grep -qx 'No problem found.' "$E2E_DIR/out"
	else
		[ "$rc" = 8 ] && for id in "$@"; do grep -q "^\[$id\] .* Fix: ." "$E2E_DIR/out" || return 1; done
	fi
}
line_has() { grep "^\[$1\]" "$E2E_DIR/out" | grep -qF -- "$2"; }

# Every case starts from a working set-up and breaks one thing.
p11kit_file "$MODULE"
timeout 60 "$TOOL" register --firefox --module "$MODULE" >/dev/null

e2e_stop_pcscd
e2e_check "pcscd stopped" doctor_finds pcscd-unreachable

# pcscd without any reader driver
mkdir -p "$E2E_DIR/rc-empty"
pcscd -f -c "$E2E_DIR/rc-empty" >> "$E2E_DIR/pcscd-empty.log" 2>&1 &
empty_pid=$!
e2e_wait test -S /run/pcscd/pcscd.comm
e2e_check "no reader" doctor_finds no-reader
kill "$empty_pid"; wait "$empty_pid" 2>/dev/null
e2e_start_pcscd

e2e_check "no card" doctor_finds no-card
e2e_check "no card, in Italian" bash -c "LANG=it_IT.UTF-8 '$TOOL' doctor | tee /dev/stderr | grep -q '^\[no-card\] .* Soluzione: '"

ATR="3B 98 13 40 0A A5 03 01 01 01 AD 13 11"
e2e_start_card 0 classic --atr "$ATR"
e2e_check "unknown ATR" doctor_finds unknown-atr
e2e_check "unknown ATR is printed" line_has unknown-atr "ATR $ATR"
e2e_stop_card 0; e2e_wait e2e_card_absent 0

e2e_start_card 0 st --expired
e2e_check "expired certificate" doctor_finds cert-expired
e2e_check "expiry date is printed" line_has cert-expired "expired on 2021-"
e2e_stop_card 0; e2e_wait e2e_card_absent 0

e2e_start_card 0 st
e2e_check "working card: no finding" doctor_finds
for i in 1 2 3; do timeout 60 "$TOOL" --pin-fd 3 pin verify 3< <(echo 11111) >/dev/null 2>&1; done
e2e_check "blocked PIN" doctor_finds pin-blocked

timeout 60 "$TOOL" unregister --firefox >/dev/null
e2e_check "module not registered in Firefox" doctor_finds pin-blocked not-registered
e2e_check "the profile is named" line_has not-registered 'Firefox profile "default"'
timeout 60 "$TOOL" register --firefox --module "$MODULE" >/dev/null

p11kit_none
e2e_check "p11-kit module file missing" doctor_finds pin-blocked p11kit-missing
p11kit_file /nonexistent/carta-pkcs11.so
e2e_check "p11-kit module file broken" doctor_finds pin-blocked p11kit-broken
p11kit_file "$MODULE"
e2e_check "all fixed but the PIN" doctor_finds pin-blocked
e2e_summary
