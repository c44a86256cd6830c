#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Acceptance: OpenSC's own PKCS#11 module (driver itacns) reads our virtual
# CNS through pcscd + vpcd, signs, changes and unblocks the PIN. This is the
# cross-check that the virtual card matches what others expect (docs/design.md).
# Run as root: CARTA_BUILD=<build dir> tests/e2e/test_opensc_cns.sh [profiles...]
# Ends with "N passed, M failed"; exit status non-zero on any failure.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
e2e_init "$@"

OPENSC=${OPENSC_PKCS11:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
PIN=12345678
PUK=87654321
NEWPIN=24680
PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(st classic)

# OpenSC config: PUK unblock through C_SetPIN in an unlogged session, and
# extended APDUs through vpcd, which advertises no reader limits
# (docs/reference/test-stack.md "vpcd quirks").
export OPENSC_CONF=$E2E_DIR/opensc.conf
cat > "$OPENSC_CONF" <<'EOF'
app default {
	reader_driver pcsc {
		max_send_size = 65535;
		max_recv_size = 65536;
	}
	framework pkcs15 {
		use_file_caching = no;
	}
	pkcs11 {
		user_pin_unblock_style = set_pin_in_unlogged_session;
	}
}
app opensc-pkcs11 {
	pkcs11 {
		user_pin_unblock_style = set_pin_in_unlogged_session;
	}
}
EOF

p11() { timeout 60 pkcs11-tool --module "$OPENSC" --slot-index 0 "$@"; }

# The card's own view of the PIN counter: reset the card (security state
# cleared), then an empty VERIFY (ISO 7816-4 status query, on by default in
# carta-vcard) sent raw by opensc-tool. Prints the SW as e.g. 63C2.
card_sw() {
	timeout 20 opensc-tool -r 0 --reset >/dev/null 2>&1 || return 1
	timeout 20 opensc-tool -r 0 -s "$1" 2>&1 |
		sed -n 's/.*SW1=0x\([0-9a-fA-F]*\), SW2=0x\([0-9a-fA-F]*\).*/\1\2/p' |
		tr a-f A-F
}
pin_status_is() {
	local sw
	sw=$(card_sw "00:20:00:$1")
	echo "card SW $sw, expected $2"
	[ "$sw" = "$2" ]
}

sign_and_verify() {
	local pin=$1 w=$2
	p11 -l -p "$pin" -s -m SHA256-RSA-PKCS --id 01 -i "$w/data" -o "$w/sig" &&
		openssl dgst -sha256 -verify "$w/pub.pem" -signature "$w/sig" "$w/data"
}

login_fails() { ! p11 -l -p "$1" -O; }

read_cert() {
	local w=$1
	p11 -r -y cert --id 01 -o "$w/cert.der" &&
		cmp "$w/cert.der" "$w/id/holder.der" &&
		openssl x509 -inform DER -in "$w/cert.der" -pubkey -noout > "$w/pub.pem"
}

token_listed() { p11 -L | grep -q 'token label *: MARIO ROSSI'; }
cert_shown() { p11 -O | grep -q 'CN=RSSMRA85M01H501Q'; }

block_pin() {
	local i
	for i in 1 2 3; do
		login_fails 11111 || return 1
	done
	pin_status_is "$1" 6983
}

e2e_restart_pcscd_and_wait() { e2e_restart_pcscd && e2e_wait e2e_card_present 0; }

unlock_pin() { p11 --unlock-pin --puk "$PUK" --new-pin "$PIN"; }

run_profile() {
	local profile=$1 ref=10 w=$E2E_DIR/$1
	# ST/Incard cards get the PIN reference | 0x80 (docs/reference/cns.md 1.6).
	[ "$profile" = st ] && ref=90
	mkdir -p "$w"
	head -c 1000 /dev/urandom > "$w/data"
	"$E2E_VCARD" make-identity --seed "e2e-$profile" --profile "$profile" --out "$w/id" ||
		return 1
	e2e_start_card 0 "$profile" --identity "$w/id" || return 1

	e2e_check "$profile: pkcs11-tool -L shows the token" token_listed
	e2e_check "$profile: -O shows the holder certificate" cert_shown
	e2e_check "$profile: certificate read back equals the card's" read_cert "$w"
	e2e_check "$profile: sign SHA256-RSA-PKCS, openssl verifies" sign_and_verify "$PIN" "$w"
	e2e_check "$profile: card PIN counter full" pin_status_is $ref 63C3
	e2e_check "$profile: --change-pin" p11 -l -p "$PIN" --change-pin --new-pin "$NEWPIN"
	e2e_check "$profile: old PIN refused" login_fails "$PIN"
	e2e_check "$profile: card counter after one wrong PIN" pin_status_is $ref 63C2
	e2e_check "$profile: sign with the new PIN" sign_and_verify "$NEWPIN" "$w"
	e2e_check "$profile: card counter reset by the good PIN" pin_status_is $ref 63C3
	e2e_check "$profile: three wrong PINs block" block_pin $ref
	e2e_check "$profile: blocked PIN refused" login_fails "$NEWPIN"
	e2e_check "$profile: --unlock-pin with the PUK" unlock_pin
	e2e_check "$profile: card counter after unblock" pin_status_is $ref 63C3
	e2e_check "$profile: sign after unblock" sign_and_verify "$PIN" "$w"
	e2e_check "$profile: removal seen by PC/SC" e2e_remove_card 0
	e2e_check "$profile: reinsertion seen by PC/SC" e2e_insert_card 0
	e2e_check "$profile: pcscd restart, card back" e2e_restart_pcscd_and_wait
	e2e_check "$profile: token after reinsertion" token_listed
	e2e_stop_card 0
	e2e_card_stats 0 >&2
}

for p in "${PROFILES[@]}"; do
	run_profile "$p" || e2e_check "$p: card start" false
done
e2e_summary
