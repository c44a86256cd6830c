#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Card coverage over the real stack (pcscd + vpcd + carta-vcard, lib.sh): the
# card variants independent tests found, each served by the virtual card's
# own switch (docs/virtual-card.md) and met by carta-pkcs11.so, pkcs11-tool
# and carta-tool as a user meets them:
#   - a CNS 1.1 card that refuses extended APDUs (67 00 or 6D 00): listed, and
#     it signs, falling back to short APDUs; no PIN try spent;
#   - a health-professional card with HPC in its historical bytes (Trento):
#     served by the CNS driver; it signs;
#   - the Bit4id Digital-DNA Key: "not supported yet" in carta-tool (English
#     and Italian), "(token not recognized)" for PKCS#11 clients, doctor's
#     unsupported-card finding;
#   - a CNS card behind a CIE's contactless ATR: "not recognised", the ATR-only
#     guess said as "to be confirmed";
#   - a CIE behind a reader that builds its own ATR (3B FE 91 00 FF 91 81 71 FE
#     40 ... + the CIE's historical bytes): recognised, logs in and signs;
#   - a CIE whose last wrong VERIFY answers 63 C0 instead of 69 83: locked,
#     then unblocked with the PUK both ways.
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_card_coverage.sh
# Ends with "N passed, M failed"; exit status non-zero on any failure.

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"

TOOL=$CARTA_BUILD/tools/carta-tool/carta-tool
WRONG=11111111
NEWPIN=24681357
INITPIN=55667788
CIE_ID=43494530 # CKA_ID "CIE0" (docs/reference/cie.md 5)
# A contactless reader's own ATR around the NXP CIE's historical bytes
# (docs/virtual-card.md "ATR override", docs/reference/cie.md 1.1).
READER_ATR="3B FE 91 00 FF 91 81 71 FE 40 00 80 31 80 65 49 54 4E 58 50 12 0F FF 82 90 B0"

sign_verifies() { # ID PIN
	cl_p11 -l -p "$2" -s -m SHA256-RSA-PKCS --id "$1" -i "$CL_W/data" -o "$CL_W/sig" \
		> "$CL_W/sign.txt" 2>&1 || { cat "$CL_W/sign.txt"; return 1; }
	openssl dgst -sha256 -verify "$CL_W/pub.pem" -signature "$CL_W/sig" "$CL_W/data"
}

cert_listed() {
	cl_p11 -O > "$CL_W/O.txt" 2>&1 || { cat "$CL_W/O.txt"; return 1; }
	cl_grep "$CL_W/O.txt" '^Certificate Object; type = X.509 cert'
}

tool_list_has() { # REGEX [env...]
	local re=$1
	shift
	env "$@" "$TOOL" list > "$CL_W/list.txt" 2>&1
	cl_grep "$CL_W/list.txt" "$re"
}

tool_info_has() { # REGEX [env...]
	local re=$1
	shift
	env "$@" "$TOOL" info > "$CL_W/info.txt" 2>&1
	cl_grep "$CL_W/info.txt" "$re"
}

token_not_recognized() {
	cl_p11 -L > "$CL_W/L.txt" 2>&1
	cl_grep "$CL_W/L.txt" 'token not recognized'
}

doctor_finds() {
	"$TOOL" doctor > "$CL_W/doctor.txt" 2>&1
	cl_grep "$CL_W/doctor.txt" "\\[$1\\]"
}

flags_have() {
	cl_p11 -L > "$CL_W/L.txt" 2>&1
	cl_grep "$CL_W/L.txt" "token flags *:.*$1"
}

login_fails_with() { # PIN CKR
	if cl_p11 -l -p "$1" -O > "$CL_W/lf.txt" 2>&1; then
		echo "login with PIN $1 succeeded, expected $2"
		return 1
	fi
	cl_grep "$CL_W/lf.txt" "$2"
}

# The card's own count: an empty VERIFY after a reset (the status query,
# docs/reference/cns.md 1.6; 0x80 flag on ST masks).
cns_pin_sw() {
	timeout 20 opensc-tool -r 0 --reset > /dev/null 2>&1 || return 1
	timeout 20 opensc-tool -r 0 -s "00:20:00:$1" 2>&1 |
		sed -n 's/.*SW1=0x\([0-9a-fA-F]*\), SW2=0x\([0-9a-fA-F]*\).*/\1\2/p' |
		tail -n1 | tr a-f A-F
}

# Extended APDUs refused with $sw: the st profile (CNS 1.1, extended by its ATR).
no_extended() {
	local sw=$1 t="st --no-extended $1"
	cl_card_up st --no-extended "$sw" || { e2e_check "$t: card start" false; return; }
	head -c 2000 /dev/urandom > "$CL_W/data"
	e2e_check "$t: -O lists the certificate" cert_listed
	e2e_check "$t: SHA256-RSA-PKCS signs, openssl verifies" sign_verifies 01 "$CL_PIN"
	e2e_check "$t: card PIN counter still full" cl_expect_eq "PIN status" 63C3 "$(cns_pin_sw 90)"
	cl_card_down
}

hpc_card() {
	local t="hpc (Trento professional card)"
	cl_card_up hpc || { e2e_check "$t: card start" false; return; }
	head -c 2000 /dev/urandom > "$CL_W/data"
	e2e_check "$t: carta-tool list names the CNS driver" tool_list_has 'cns'
	e2e_check "$t: -O lists the certificate" cert_listed
	e2e_check "$t: SHA256-RSA-PKCS signs, openssl verifies" sign_verifies 01 "$CL_PIN"
	cl_card_down
}

dnakey_card() {
	local t="dnakey (Bit4id Digital-DNA Key)"
	cl_card_up dnakey || { e2e_check "$t: card start" false; return; }
	e2e_check "$t: carta-tool list says not supported yet" \
		tool_list_has 'Digital-DNA Key: not supported yet'
	e2e_check "$t: ... and in Italian" \
		tool_list_has 'Digital-DNA Key: non ancora supportata' LANGUAGE=it LANG=it_IT.UTF-8
	e2e_check "$t: pkcs11-tool -L: token not recognized" token_not_recognized
	e2e_check "$t: doctor: unsupported-card finding" doctor_finds unsupported-card
	cl_card_down
}

cie_reader_atr() {
	local t="cie-nxp behind a reader-made ATR"
	export XDG_CACHE_HOME=$E2E_DIR/cache-reader-atr
	mkdir -p "$XDG_CACHE_HOME"
	cl_card_up cie-nxp --atr "$READER_ATR" || { e2e_check "$t: card start" false; return; }
	head -c 2000 /dev/urandom > "$CL_W/data"
	e2e_check "$t: carta-tool list names the CIE" tool_list_has 'CIE'
	e2e_check "$t: login + SHA256-RSA-PKCS, openssl verifies" sign_verifies "$CIE_ID" "$CL_PIN"
	cl_card_down
}

# A CNS card behind a CIE's contactless ATR: the ATR alone points at the CIE
# driver, the probe says no: carta-tool says "not recognised" and gives the
# ATR-only guess as "to be confirmed", never as a verdict.
atr_guess() {
	local t="classic behind a CIE contactless ATR"
	cl_card_up classic --atr "3B 8F 80 01 80 31 80 65 B0 85 03 00 EF 12 0F FF 82 90 00 73" ||
		{ e2e_check "$t: card start" false; return; }
	e2e_check "$t: carta-tool info: not recognised" tool_info_has 'card not recognised'
	e2e_check "$t: ... driver cie (to be confirmed)" tool_info_has 'driver cie \(to be confirmed\)'
	e2e_check "$t: ... in Italian: da confermare" tool_info_has 'da confermare' LANGUAGE=it LANG=it_IT.UTF-8
	cl_card_down
}

cie_last_try() {
	local sw=$1 p=$2 t="$2 --cie-last-try-sw $1"
	export XDG_CACHE_HOME=$E2E_DIR/cache-last-$p-$sw
	mkdir -p "$XDG_CACHE_HOME"
	cl_card_up "$p" --cie-last-try-sw "$sw" || { e2e_check "$t: card start" false; return; }
	head -c 2000 /dev/urandom > "$CL_W/data"
	e2e_check "$t: wrong PIN 1: CKR_PIN_INCORRECT" login_fails_with "$WRONG" CKR_PIN_INCORRECT
	e2e_check "$t: token flags: count low" flags_have 'user PIN count low'
	e2e_check "$t: wrong PIN 2: CKR_PIN_INCORRECT" login_fails_with "$WRONG" CKR_PIN_INCORRECT
	e2e_check "$t: token flags: final try" flags_have 'final user PIN try'
	e2e_check "$t: wrong PIN 3: CKR_PIN_LOCKED" login_fails_with "$WRONG" CKR_PIN_LOCKED
	e2e_check "$t: token flags: user PIN locked" flags_have 'user PIN locked'
	e2e_check "$t: right PIN refused while blocked" login_fails_with "$CL_PIN" CKR_PIN_LOCKED
	e2e_check "$t: --unlock-pin with the PUK" cl_p11 --unlock-pin --puk "$CL_PUK" --new-pin "$NEWPIN"
	e2e_check "$t: unblocked PIN signs, openssl verifies" sign_verifies "$CIE_ID" "$NEWPIN"
	for _ in 1 2 3; do cl_p11 -l -p "$WRONG" -O > /dev/null 2>&1; done
	e2e_check "$t: blocked again: locked" flags_have 'user PIN locked'
	e2e_check "$t: SO login with the PUK + --init-pin" \
		cl_p11 --login --login-type so --so-pin "$CL_PUK" --init-pin --new-pin "$INITPIN"
	e2e_check "$t: PIN set by C_InitPIN signs" sign_verifies "$CIE_ID" "$INITPIN"
	cl_card_down
}

no_extended 6700
no_extended 6d00
hpc_card
dnakey_card
cie_reader_atr
atr_guess
cie_last_try 63c0 cie-nxp
cie_last_try 63c0 cie-gemalto
cie_last_try 6983 cie-nxp
e2e_summary
