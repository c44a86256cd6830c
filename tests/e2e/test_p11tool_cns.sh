#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# carta-pkcs11.so through pkcs11-tool on every virtual CNS profile, over the
# real stack (pcscd + vpcd + carta-vcard, lib.sh): token and certificate
# listing, pkcs11-tool --test, RSA-PKCS / SHA256-RSA-PKCS /
# SHA256-RSA-PKCS-PSS signatures verified by openssl against the certificate
# read back from the token, PIN change, PIN blocking seen in the token flags
# and on the card, unblock with the PUK both ways (C_SetPIN in an unlogged
# session, and C_Login(CKU_SO, PUK) + C_InitPIN).
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_p11tool_cns.sh [profiles...]
# Ends with "N passed, M failed"; exit status non-zero on any failure.

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"

PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(st idemia actalis classic)
NEWPIN=24680
NEWPIN2=1357924
NEWPIN3=97531

# SHA-256 DigestInfo prefix (RFC 8017 9.2 note 1).
DI_SHA256=3031300d060960864801650304020105000420

# hex string -> bytes on stdout (no xxd on a minimal Debian).
hex2bin() {
	# shellcheck disable=SC2059
	printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"
}

# --- checks -----------------------------------------------------------------

token_listed() {
	cl_p11 -L > "$CL_W/L.txt" 2>&1 || { cat "$CL_W/L.txt"; return 1; }
	cl_grep "$CL_W/L.txt" "token label *: *$CL_HOLDER *\$"
}

cert_listed() {
	cl_p11 -O > "$CL_W/O.txt" 2>&1 || { cat "$CL_W/O.txt"; return 1; }
	cl_grep "$CL_W/O.txt" '^Certificate Object; type = X.509 cert' &&
		cl_grep "$CL_W/O.txt" "subject: .*CN=$CL_CF\\\\?/"
}

selftest() {
	cl_p11 --test --login --pin "$1" > "$CL_W/test.txt" 2>&1
	cat "$CL_W/test.txt"
	grep -q '^No errors' "$CL_W/test.txt"
}

# The certificate read back from the token is the card's; its key verifies.
read_cert() {
	[ -n "$ID" ] || { echo "no certificate ID in pkcs11-tool -O"; return 1; }
	cl_p11 -r -y cert --id "$ID" -o "$CL_W/cert.der" || return 1
	cmp "$CL_W/cert.der" "$CL_W/id/holder.der" || return 1
	openssl x509 -inform DER -in "$CL_W/cert.der" -pubkey -noout > "$CL_W/tokpub.pem"
}

sign_rsa_pkcs() {
	local pin=$1
	openssl dgst -sha256 -binary "$CL_W/data" > "$CL_W/hash" &&
		{ hex2bin "$DI_SHA256"; cat "$CL_W/hash"; } > "$CL_W/di" &&
		cl_p11 -l -p "$pin" -s -m RSA-PKCS --id "$ID" -i "$CL_W/di" -o "$CL_W/sig.pkcs" &&
		openssl pkeyutl -verify -pubin -inkey "$CL_W/tokpub.pem" -in "$CL_W/di" \
			-sigfile "$CL_W/sig.pkcs" &&
		openssl pkeyutl -verifyrecover -pubin -inkey "$CL_W/tokpub.pem" \
			-in "$CL_W/sig.pkcs" -out "$CL_W/recovered" &&
		cmp "$CL_W/recovered" "$CL_W/di"
}

sign_sha256() {
	cl_p11 -l -p "$1" -s -m SHA256-RSA-PKCS --id "$ID" -i "$CL_W/data" -o "$CL_W/sig.sha256" &&
		openssl dgst -sha256 -verify "$CL_W/tokpub.pem" -signature "$CL_W/sig.sha256" "$CL_W/data"
}

sign_pss() {
	cl_p11 -l -p "$1" -s -m SHA256-RSA-PKCS-PSS --id "$ID" -i "$CL_W/data" -o "$CL_W/sig.pss" &&
		openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 \
			-verify "$CL_W/tokpub.pem" -signature "$CL_W/sig.pss" "$CL_W/data"
}

login_ok() { cl_p11 -l -p "$1" -O > /dev/null; }
login_fails() {
	if cl_p11 -l -p "$1" -O > "$CL_W/lf.txt" 2>&1; then
		echo "login with PIN $1 succeeded, expected a failure"
		return 1
	fi
	cl_grep "$CL_W/lf.txt" "$2"
}

# Token flags as pkcs11-tool -L prints them.
flags_have() {
	cl_p11 -L > "$CL_W/L.txt" 2>&1
	cl_grep "$CL_W/L.txt" "token flags *:.*$1"
}
flags_lack() {
	cl_p11 -L > "$CL_W/L.txt" 2>&1
	if grep -Eq "token flags *:.*$1" "$CL_W/L.txt"; then
		echo "token flags should not contain '$1':"
		grep 'token flags' "$CL_W/L.txt"
		return 1
	fi
	grep -q 'token flags' "$CL_W/L.txt"
}

# The card's own view of the PIN: a reset (security state gone), then an
# empty VERIFY (ISO 7816-4 status query; carta-vcard answers it by default)
# sent raw with opensc-tool. Actalis keeps its PINs in the CNS applet, which is
# selected first. ST cards take the reference with the 0x80 flag (docs/reference/cns.md 1.6).
card_pin_sw() {
	local pre=() ref=10
	case $CL_PROFILE in
	st) ref=90 ;;
	actalis) pre=(-s 00:A4:04:0C:0C:A0:00:00:05:30:00:0B:10:40:01:02:1A) ;;
	esac
	timeout 20 opensc-tool -r 0 --reset > /dev/null 2>&1 || return 1
	timeout 20 opensc-tool -r 0 "${pre[@]}" -s "00:20:00:$ref" 2>&1 |
		sed -n 's/.*SW1=0x\([0-9a-fA-F]*\), SW2=0x\([0-9a-fA-F]*\).*/\1\2/p' |
		tail -n1 | tr a-f A-F
}
card_pin_is() {
	cl_expect_eq "card PIN status (empty VERIFY SW)" "$1" "$(card_pin_sw)"
}

three_wrong() {
	local _
	for _ in 1 2 3; do
		login_fails 11111 'CKR_PIN_INCORRECT|CKR_PIN_LOCKED' || return 1
	done
}

unlock_setpin() { cl_p11 --unlock-pin --puk "$CL_PUK" --new-pin "$1"; }
unlock_so() {
	cl_p11 --login --login-type so --so-pin "$CL_PUK" --init-pin --new-pin "$1"
}

run_profile() {
	local p=$1
	cl_card_up "$p" || return 1
	head -c 3000 /dev/urandom > "$CL_W/data"
	ID=$(cl_cert_id)

	e2e_check "$p: -L shows the token '$CL_HOLDER'" token_listed
	e2e_check "$p: -O lists the certificate (CN=$CL_CF/...)" cert_listed
	e2e_check "$p: certificate read back = the card's" read_cert
	e2e_check "$p: --test --login: No errors" selftest "$CL_PIN"
	e2e_check "$p: RSA-PKCS on a DigestInfo, openssl verifies" sign_rsa_pkcs "$CL_PIN"
	e2e_check "$p: SHA256-RSA-PKCS, openssl verifies" sign_sha256 "$CL_PIN"
	e2e_check "$p: SHA256-RSA-PKCS-PSS, openssl verifies" sign_pss "$CL_PIN"
	e2e_check "$p: card PIN counter full" card_pin_is 63C3

	e2e_check "$p: --change-pin" cl_p11 --change-pin --pin "$CL_PIN" --new-pin "$NEWPIN"
	e2e_check "$p: new PIN logs in and signs" sign_sha256 "$NEWPIN"
	e2e_check "$p: old PIN refused (CKR_PIN_INCORRECT)" login_fails "$CL_PIN" CKR_PIN_INCORRECT
	e2e_check "$p: card counter after one wrong PIN" card_pin_is 63C2
	e2e_check "$p: token flags: user PIN count low" flags_have 'user PIN count low'
	e2e_check "$p: good PIN resets the count" login_ok "$NEWPIN"
	e2e_check "$p: token flags: count low gone" flags_lack 'user PIN count low'

	e2e_check "$p: three wrong PINs" three_wrong
	e2e_check "$p: card says blocked (6983)" card_pin_is 6983
	e2e_check "$p: token flags: user PIN locked" flags_have 'user PIN locked'
	e2e_check "$p: blocked PIN refused (CKR_PIN_LOCKED)" login_fails "$NEWPIN" CKR_PIN_LOCKED
	e2e_check "$p: --unlock-pin --puk (C_SetPIN unlogged)" unlock_setpin "$NEWPIN2"
	e2e_check "$p: card counter full after unblock" card_pin_is 63C3
	e2e_check "$p: token flags: not locked" flags_lack 'user PIN locked'
	e2e_check "$p: unblocked PIN signs" sign_pss "$NEWPIN2"

	e2e_check "$p: three wrong PINs again" three_wrong
	e2e_check "$p: token flags: user PIN locked again" flags_have 'user PIN locked'
	e2e_check "$p: SO login with the PUK + --init-pin" unlock_so "$NEWPIN3"
	e2e_check "$p: card counter full after C_InitPIN" card_pin_is 63C3
	e2e_check "$p: PIN set by C_InitPIN signs" sign_rsa_pkcs "$NEWPIN3"
	e2e_check "$p: previous PIN refused" login_fails "$NEWPIN2" CKR_PIN_INCORRECT
	cl_card_down
}

for p in "${PROFILES[@]}"; do
	run_profile "$p" || e2e_check "$p: card start" false
done
e2e_summary
