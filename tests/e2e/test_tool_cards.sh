#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# carta-tool through the real stack (pcscd + vpcd + carta-vcard): list, info,
# personal, cert export, pin status / verify / change / unblock, on CNS and
# CIE profiles, in English and Italian. Each check compares with what the
# virtual card was given (identity files, PINs), never with the tool itself.
# Run as root: CARTA_BUILD=<plain build dir> tests/e2e/test_tool_cards.sh [profiles...]
# Ends with "N passed, M failed"; exit status non-zero on any failure.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
e2e_init "$@"

TOOL=$CARTA_BUILD/tools/carta-tool/carta-tool
MODULE=$CARTA_BUILD/src/pkcs11/carta-pkcs11.so
PIN=12345678
PUK=87654321
PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(st idemia cie-nxp)
export HOME=$E2E_DIR/home XDG_CACHE_HOME=$E2E_DIR/home/.cache LANG=C.UTF-8 LC_ALL=
unset LANGUAGE
mkdir -p "$HOME"

# tool ARGS... : stdout in $out, stderr in $err, exit status in $rc
tool() {
	timeout 60 "$TOOL" "$@" > "$E2E_DIR/out" 2> "$E2E_DIR/err"
	rc=$?
	out=$(cat "$E2E_DIR/out")
	err=$(cat "$E2E_DIR/err")
	printf '$ carta-tool %s\n%s\n%s\n(exit %d)\n' "$*" "$out" "$err" "$rc"
}
# tool_pins "line1\nline2..." ARGS... : values fed on fd 3
tool_pins() {
	local pins=$1
	shift
	timeout 60 "$TOOL" --pin-fd 3 "$@" 3< <(printf '%b' "$pins") > "$E2E_DIR/out" 2> "$E2E_DIR/err"
	rc=$?
	out=$(cat "$E2E_DIR/out")
	err=$(cat "$E2E_DIR/err")
	printf '$ carta-tool --pin-fd 3 %s\n%s\n%s\n(exit %d)\n' "$*" "$out" "$err" "$rc"
}
# json EXPR: evaluate a Python expression over the JSON in $out (as j)
json() { python3 -c "import json,sys; j=json.load(open('$E2E_DIR/out')); sys.exit(0 if ($1) else 1)"; }
expect_rc() { [ "$rc" = "$1" ] || { echo "expected exit $1, got $rc"; return 1; }; }
has() { grep -qF -- "$1" <<<"$2" || { echo "missing: $1"; return 1; }; }
# N: the tool's JSON pin status says N tries left for the PIN. The CIE
# cannot read its counter without spending a try (docs/reference/cie.md 4):
# it reports what the last wrong PIN was answered (63Cx), and -1 (unknown)
# when no wrong PIN was seen since the last correct one (a full counter, 3).
tries_are() {
	local want=$1
	[ "$TRIES_READABLE" = 1 ] || [ "$want" != 3 ] || want=-1
	tool pin status --json
	json "[p for p in j['pins'] if p['kind']=='pin'][0]['tries_left'] == $want"
}

t_list() {
	tool list && expect_rc 0 && has "$FAMILY" "$out" && has "driver:    $DRIVER" "$out" &&
		has "$SERIAL" "$out" && has "no card" "$out" &&
		tool list --json && expect_rc 0 &&
		json "j['readers'][0]['driver'].startswith('$DRIVER') and j['readers'][0]['serial']=='$SERIAL' and not j['readers'][1]['card_present']"
}
t_reader() {
	tool --reader 1 info && expect_rc 3 && has "no card" "$err" &&
		tool --reader "PCD 00 00" list --json && json "len(j['readers'])==1" &&
		tool --reader nosuch info && expect_rc 3
}
t_info() {
	tool info && expect_rc 0 && has "ATR:" "$out" && has "$FAMILY" "$out" && has "$MAKER" "$out" &&
		tool info --json && expect_rc 0 &&
		json "j['driver'].startswith('$DRIVER') and j['serial']=='$SERIAL'" && tries_are 3
}
t_info_cert() { # the subject names the holder; validity read from the certificate
	tool_pins "$PIN\n" info --login --json && expect_rc 0 &&
		json "'$CF' in j['certificates'][0]['subject'] and not j['certificates'][0]['expired'] and j['certificates'][0]['issuer'].startswith('C=IT')"
}
t_personal() {
	tool_pins "$PIN\n" personal --login --json && expect_rc 0 &&
		json "j['codice_fiscale']=='$CF' and j['surname']=='ROSSI' and j['given_name']=='MARIO'" &&
		tool_pins "$PIN\n" personal --login && has "Codice fiscale:" "$out"
}
t_cert() {
	tool_pins "$PIN\n" cert export -o "$E2E_DIR/c.der" && expect_rc 0 &&
		tool_pins "$PIN\n" cert export --pem -o "$E2E_DIR/c.pem" && expect_rc 0 &&
		openssl x509 -inform der -in "$E2E_DIR/c.der" -noout -subject | tee /dev/stderr | grep -q "$CF" &&
		cmp <(openssl x509 -in "$E2E_DIR/c.pem" -outform der) "$E2E_DIR/c.der" &&
		if [ -n "$IDDIR" ]; then cmp "$E2E_DIR/c.der" "$IDDIR/holder.der"; fi
}
t_wrong_pin() { # one wrong VERIFY: exit 5, tries left shown, counter down by one
	tool_pins "${BADPIN}\n" pin verify && expect_rc 5 && has "2 tries left" "$err" && tries_are 2
}
t_rules() { # a too-short PIN and a differing confirmation never reach the card
	tool_pins "123\n" pin verify && expect_rc 7 && has "nothing was sent" "$err" &&
		tool_pins "$PIN\n${NEWPIN}\n${TYPO}\n" pin change && expect_rc 7 && has "differ" "$err" &&
		tries_are 2
}
t_italian() {
	LANG=it_IT.UTF-8 tool_pins "${BADPIN}\n" pin verify && expect_rc 5 && has "1 tentativo rimasto" "$err" &&
		LANG=it_IT.UTF-8 tool_pins "$PIN\n" pin verify && expect_rc 0 && has "PIN corretto." "$out"
}
t_change() { # change, then the new PIN works (carta-tool and a PKCS#11 login) and the old does not
	tool_pins "$PIN\n$NEWPIN\n$NEWPIN\n" pin change && expect_rc 0 && has "PIN changed." "$out" &&
		tool_pins "$NEWPIN\n" pin verify && expect_rc 0 &&
		timeout 60 pkcs11-tool --module "$MODULE" --slot-index 0 --login --pin "$NEWPIN" -O | tee /dev/stderr |
			grep -q 'Certificate Object' &&
		tool_pins "$PIN\n" pin verify && expect_rc 5 && tries_are 2
}
t_block() { # wrong PINs until blocked: exit 6 and status BLOCKED; nothing retried
	tool_pins "${BADPIN}\n" pin verify && expect_rc 5 && has "1 try left" "$err" &&
		tool_pins "${BADPIN}\n" pin verify && expect_rc 6 && has "blocked" "$err" &&
		if [ "$TRIES_READABLE" = 1 ]; then tool pin status && expect_rc 6 && has "BLOCKED" "$out"; fi &&
		tool_pins "$NEWPIN\n" pin verify && expect_rc 6
}
t_unblock() { # a wrong PUK costs a PUK try; the right one sets the new PIN
	tool_pins "${BADPUK}\n$PIN2\n$PIN2\n" pin unblock && expect_rc 5 && has "PUK" "$err" &&
		tool_pins "$PUK\n$PIN2\n$PIN2\n" pin unblock && expect_rc 0 &&
		tool_pins "$PIN2\n" pin verify && expect_rc 0 && tries_are 3
}

for prof in "${PROFILES[@]}"; do
	echo "--- profile $prof"
	e2e_stop_card 0
	# pcscd polls every ~400 ms: the next card must not be mistaken for this one
	e2e_wait e2e_card_absent 0
	IDDIR=
	case $prof in
	cie-*)
		FAMILY="CIE"; DRIVER=cie; MAKER="IAS"; CF=RSSMRA80A01H501U
		BADPIN=11111111; BADPUK=11111111; NEWPIN=24682468; TYPO=24682469; PIN2=13571357
		TRIES_READABLE=0
		e2e_start_card 0 "$prof" || { e2e_check "$prof: card starts" false; continue; } ;;
	*)
		FAMILY="CNS"; DRIVER=cns; MAKER="IC:"; CF=RSSMRA85M01H501Q
		BADPIN=11111; BADPUK=11111111; NEWPIN=24680; TYPO=24681; PIN2=13579
		TRIES_READABLE=1
		IDDIR=$E2E_DIR/id-$prof
		"$E2E_VCARD" make-identity --seed "tool-$prof" --profile "$prof" --out "$IDDIR" >/dev/null
		e2e_start_card 0 "$prof" --identity "$IDDIR" || { e2e_check "$prof: card starts" false; continue; } ;;
	esac
	SERIAL=$(timeout 60 "$TOOL" info --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serial"])')
	if [ -n "$IDDIR" ]; then
		e2e_check "$prof: serial is the card id" [ "$SERIAL" = "$(cat "$IDDIR/card-id.txt")" ]
	else
		e2e_check "$prof: serial is the NIS" grep -qE '^[0-9]{12}$' <<<"$SERIAL"
	fi
	e2e_check "$prof: list" t_list
	e2e_check "$prof: --reader" t_reader
	e2e_check "$prof: info" t_info
	e2e_check "$prof: info certificate" t_info_cert
	e2e_check "$prof: personal" t_personal
	e2e_check "$prof: cert export" t_cert
	e2e_check "$prof: wrong PIN" t_wrong_pin
	e2e_check "$prof: length rules" t_rules
	e2e_check "$prof: Italian messages" t_italian
	e2e_check "$prof: change PIN, login with it" t_change
	e2e_check "$prof: block" t_block
	e2e_check "$prof: unblock" t_unblock
done
e2e_summary
