#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# carta-pkcs11.so through pkcs11-tool on the virtual CIE 3.0 (cie-nxp,
# cie-gemalto), over the real stack (pcscd + vpcd + carta-vcard, lib.sh), with
# each SM error style of the virtual card (docs/virtual-card.md "Switches").
#   - token listing; no certificate before the first login (fresh cache,
#     docs/reference/cie.md 8 I3); after a login the certificate is the card's and
#     is cached in $XDG_CACHE_HOME/carta/cie-<NIS>.der;
#   - on a reinserted / restarted card the certificate is listed without a
#     login (from the cache); a corrupted cache file is ignored (its hash does
#     not match the SOD) and the next login repairs it;
#   - SHA256-RSA-PKCS and RSA-PKCS (DigestInfo input) signatures verified by
#     openssl; no PSS mechanism (docs/reference/cie.md 5: card-side PKCS#1 v1.5 only);
#   - 8-digit PIN rules (C_Login: CKR_PIN_INCORRECT, no try spent), --change-pin, three wrong PINs
#     (CKR_PIN_INCORRECT, CKR_PIN_INCORRECT, CKR_PIN_LOCKED) seen in the token
#     flags, unblock with the PUK both ways (C_SetPIN in an unlogged session in
#     a later process, and C_Login(CKU_SO, PUK) + C_InitPIN).
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_p11tool_cie.sh [profiles...]
# Ends with "N passed, M failed"; exit status non-zero on any failure.

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"

PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(cie-nxp cie-gemalto)
STYLES=(0 1)
NEWPIN=87654320
UNBLOCKPIN=11223344
INITPIN=55667788
WRONGPIN=11111111
CIE_ID=43494530 # CKA_ID "CIE0" (docs/reference/cie.md 5)

# The SM error style is a card setting (sm_error_style); carta-vcard serve
# takes it as --sm-error-style when it has that option.
if "$E2E_VCARD" --help 2>&1 | grep -q -- '--sm-error-style'; then
	HAVE_SM_STYLE=1
else
	HAVE_SM_STYLE=0
fi

# SHA-256 DigestInfo prefix (RFC 8017 9.2 note 1).
DI_SHA256=3031300d060960864801650304020105000420

hex2bin() {
	# shellcheck disable=SC2059
	printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"
}

# --- checks -----------------------------------------------------------------

# -L: the token is there; its label is $1 (a regex).
token_label_is() {
	cl_p11 -L > "$CL_W/L.txt" 2>&1 || { cat "$CL_W/L.txt"; return 1; }
	cl_grep "$CL_W/L.txt" "token label *: *$1 *\$" &&
		cl_grep "$CL_W/L.txt" "serial num *: *$NIS *\$" &&
		cl_grep "$CL_W/L.txt" 'pin min/max *: *8/8'
}

# -O [login args]: the certificate is (not) listed.
objects() { cl_p11 "$@" -O > "$CL_W/O.txt" 2>&1 || { cat "$CL_W/O.txt"; return 1; }; }
cert_listed() {
	objects "$@" || return 1
	cl_grep "$CL_W/O.txt" '^Certificate Object; type = X.509 cert' &&
		cl_grep "$CL_W/O.txt" "subject: .*CN=$CF\$" &&
		cl_grep "$CL_W/O.txt" "ID: *$CIE_ID"
}
no_cert_listed() {
	objects || return 1
	if grep -Eq '^(Certificate|Public Key) Object' "$CL_W/O.txt"; then
		echo "expected no certificate / public key object without a login, got:"
		cat "$CL_W/O.txt"
		return 1
	fi
}
privkey_listed() {
	objects -l -p "$1" || return 1
	cl_grep "$CL_W/O.txt" '^Private Key Object; RSA' &&
		cl_grep "$CL_W/O.txt" 'Allowed mechanisms: .*SHA256-RSA-PKCS'
}

cache_file() { printf '%s/carta/cie-%s.der' "$XDG_CACHE_HOME" "$NIS"; }
cache_is_cert() { cmp "$(cache_file)" "$CL_W/id/holder.der"; }
no_cache() {
	[ ! -e "$(cache_file)" ] || { echo "unexpected cache file $(cache_file)"; return 1; }
}
# Flip one byte in the middle of the cached certificate (inside the TBS).
corrupt_cache() {
	local f off b
	f=$(cache_file)
	[ -f "$f" ] || { echo "no cache file $f"; return 1; }
	off=$(($(stat -c %s "$f") / 2))
	b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "\\$(printf '%03o' $((b ^ 0x5a)))" |
		dd of="$f" bs=1 seek="$off" conv=notrunc status=none || return 1
	! cmp -s "$f" "$CL_W/id/holder.der"
}

reinsert() { e2e_remove_card 0 && e2e_insert_card 0; }
restart_card() {
	e2e_stop_card 0 && e2e_start_card 0 "$CL_PROFILE" --identity "$CL_W/id" "${CARD_OPTS[@]}"
}

# The certificate read back from the token is the card's.
read_cert() {
	cl_p11 -r -y cert --id "$CIE_ID" -o "$CL_W/cert.der" || return 1
	cmp "$CL_W/cert.der" "$CL_W/id/holder.der" || return 1
	openssl x509 -inform DER -in "$CL_W/cert.der" -pubkey -noout > "$CL_W/tokpub.pem"
}

sign_sha256() {
	rm -f "$CL_W/sig.sha256"
	cl_p11 -l -p "$1" -s -m SHA256-RSA-PKCS --id "$CIE_ID" -i "$CL_W/data" \
		-o "$CL_W/sig.sha256" &&
		openssl dgst -sha256 -verify "$CL_W/tokpub.pem" -signature "$CL_W/sig.sha256" \
			"$CL_W/data"
}

sign_rsa_pkcs() {
	rm -f "$CL_W/sig.pkcs"
	openssl dgst -sha256 -binary "$CL_W/data" > "$CL_W/hash" &&
		{ hex2bin "$DI_SHA256"; cat "$CL_W/hash"; } > "$CL_W/di" &&
		cl_p11 -l -p "$1" -s -m RSA-PKCS --id "$CIE_ID" -i "$CL_W/di" -o "$CL_W/sig.pkcs" &&
		openssl pkeyutl -verify -pubin -inkey "$CL_W/tokpub.pem" -in "$CL_W/di" \
			-sigfile "$CL_W/sig.pkcs" &&
		openssl dgst -sha256 -verify "$CL_W/tokpub.pem" -signature "$CL_W/sig.pkcs" \
			"$CL_W/data"
}

mechs_no_pss() {
	cl_p11 -M > "$CL_W/M.txt" 2>&1 || { cat "$CL_W/M.txt"; return 1; }
	cl_grep "$CL_W/M.txt" '^ *RSA-PKCS, .*hw.*sign' &&
		cl_grep "$CL_W/M.txt" '^ *SHA256-RSA-PKCS, .*hw.*sign' || return 1
	if grep -Eq 'PSS|RSA-X-509|OAEP|decrypt' "$CL_W/M.txt"; then
		echo "the CIE offers PKCS#1 v1.5 signatures only, got:"
		cat "$CL_W/M.txt"
		return 1
	fi
}

login_ok() { cl_p11 -l -p "$1" -O > /dev/null; }
# login_fails PIN REGEX
login_fails() {
	if cl_p11 -l -p "$1" -O > "$CL_W/lf.txt" 2>&1; then
		echo "login with PIN $1 succeeded, expected a failure"
		return 1
	fi
	cl_grep "$CL_W/lf.txt" "$2"
}

flags_have() {
	cl_p11 "${2:--L}" > "$CL_W/L.txt" 2>&1
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

# Three wrong PINs: CKR_PIN_INCORRECT twice, then CKR_PIN_LOCKED (the card
# answers 63C2, 63C1, 6983: docs/virtual-card.md, docs/reference/cie.md 8 G1).
three_wrong() {
	login_fails "$WRONGPIN" 'CKR_PIN_INCORRECT' &&
		login_fails "$WRONGPIN" 'CKR_PIN_INCORRECT' &&
		login_fails "$WRONGPIN" 'CKR_PIN_LOCKED'
}

blocked_file() { printf '%s/carta/cie-%s.pin-blocked' "$XDG_CACHE_HOME" "$NIS"; }
blocked_remembered() { [ -e "$(blocked_file)" ] || { echo "no $(blocked_file)"; return 1; }; }
blocked_forgotten() { [ ! -e "$(blocked_file)" ] || { echo "$(blocked_file) left behind"; return 1; }; }

unlock_setpin() { cl_p11 --unlock-pin --puk "$CL_PUK" --new-pin "$1"; }
unlock_so() { cl_p11 --login --login-type so --so-pin "$CL_PUK" --init-pin --new-pin "$1"; }

run_one() {
	local p=$1 style=$2 t
	t="$p sm-style $style"
	CARD_OPTS=()
	# the style switch is part of the virtual card (issue 3): its absence fails
	if [ "$HAVE_SM_STYLE" != 1 ]; then
		e2e_check "$t: carta-vcard serve has --sm-error-style" false
		return 0
	fi
	CARD_OPTS=(--sm-error-style "$style")
	export XDG_CACHE_HOME=$E2E_DIR/cache-$p-$style
	rm -rf "$XDG_CACHE_HOME"
	mkdir -p "$XDG_CACHE_HOME"
	cl_card_up "$p" "${CARD_OPTS[@]}" || { e2e_check "$t: card start" false; return 0; }
	NIS=$(cat "$CL_W/id/nis.txt")
	CF=$(sed -n 's/^cf //p' "$CL_W/id/identity.txt")
	HOLDER="$(sed -n 's/^given //p' "$CL_W/id/identity.txt") $(sed -n 's/^surname //p' "$CL_W/id/identity.txt")"
	head -c 3000 /dev/urandom > "$CL_W/data"

	# Fresh cache: the holder is unknown before the first login.
	e2e_check "$t: -L shows the token (label CIE <NIS>, serial = NIS)" token_label_is "CIE $NIS"
	e2e_check "$t: -O before the first login: no certificate" no_cert_listed
	e2e_check "$t: no cache file yet" no_cache
	e2e_check "$t: --login -O lists the certificate (CN=$CF)" cert_listed -l -p "$CL_PIN"
	e2e_check "$t: --login -O lists the private key" privkey_listed "$CL_PIN"
	e2e_check "$t: cache file = the card's certificate" cache_is_cert
	# the label must not change at login (NSS nicknames, pkcs11:token= URIs)
	e2e_check "$t: -L label unchanged after the first login (CIE $NIS)" token_label_is "CIE $NIS"
	e2e_check "$t: certificate read back = holder.der" read_cert

	# Cache across reinsertion and a restarted card process.
	e2e_check "$t: card removed and reinserted" reinsert
	e2e_check "$t: -O without login lists the certificate (cache)" cert_listed
	e2e_check "$t: card process restarted" restart_card
	e2e_check "$t: -O without login lists the certificate (cache)" cert_listed
	e2e_check "$t: cache file corrupted (one byte)" corrupt_cache
	e2e_check "$t: card removed and reinserted" reinsert
	e2e_check "$t: -O without login: corrupted cache ignored" no_cert_listed
	e2e_check "$t: --login -O lists the certificate again" cert_listed -l -p "$CL_PIN"
	e2e_check "$t: cache file repaired" cache_is_cert
	e2e_check "$t: card removed and reinserted" reinsert
	e2e_check "$t: -O without login lists the certificate (cache)" cert_listed

	# Signatures and mechanisms.
	e2e_check "$t: SHA256-RSA-PKCS, openssl verifies" sign_sha256 "$CL_PIN"
	e2e_check "$t: RSA-PKCS on a DigestInfo, openssl verifies" sign_rsa_pkcs "$CL_PIN"
	e2e_check "$t: -M: RSA-PKCS and SHA256-RSA-PKCS, no PSS" mechs_no_pss

	# PIN rules and change.
	e2e_check "$t: 7-digit PIN refused (CKR_PIN_INCORRECT)" login_fails 1234567 CKR_PIN_INCORRECT
	e2e_check "$t: 9-digit PIN refused (CKR_PIN_INCORRECT)" login_fails 123456789 CKR_PIN_INCORRECT
	e2e_check "$t: 7-digit PIN refused again (CKR_PIN_INCORRECT)" login_fails 7654321 CKR_PIN_INCORRECT
	e2e_check "$t: no try spent by them: the PIN still logs in" login_ok "$CL_PIN"
	e2e_check "$t: --change-pin to $NEWPIN" cl_p11 --change-pin --pin "$CL_PIN" --new-pin "$NEWPIN"
	e2e_check "$t: new PIN logs in and signs" sign_sha256 "$NEWPIN"
	e2e_check "$t: old PIN refused (CKR_PIN_INCORRECT)" login_fails "$CL_PIN" CKR_PIN_INCORRECT
	# The card cannot tell its tries without spending one, but the wrong PIN
	# was answered 63C2: a later process (this -L) shows the count low.
	e2e_check "$t: -L after one wrong PIN: user PIN count low" flags_have 'user PIN count low'
	e2e_check "$t: good PIN resets the count" login_ok "$NEWPIN"
	e2e_check "$t: -L after the good PIN: count not low" flags_lack 'user PIN count low'
	e2e_check "$t: one wrong PIN" login_fails "$WRONGPIN" CKR_PIN_INCORRECT
	e2e_check "$t: a second wrong PIN" login_fails "$WRONGPIN" CKR_PIN_INCORRECT
	e2e_check "$t: -L: final user PIN try" flags_have 'final user PIN try'
	e2e_check "$t: good PIN resets the count again" login_ok "$NEWPIN"
	e2e_check "$t: -L: no final try" flags_lack 'final user PIN try|user PIN count low'

	# Blocking and unblocking with C_SetPIN (unlogged, later process).
	e2e_check "$t: three wrong PINs: INCORRECT, INCORRECT, LOCKED" three_wrong
	e2e_check "$t: -T token flags: user PIN locked" flags_have 'user PIN locked' -T
	e2e_check "$t: -L token flags: user PIN locked" flags_have 'user PIN locked'
	e2e_check "$t: blocked PIN remembered ($(basename "$(blocked_file)"))" blocked_remembered
	e2e_check "$t: right PIN refused while blocked (CKR_PIN_LOCKED)" login_fails "$NEWPIN" CKR_PIN_LOCKED
	e2e_check "$t: --unlock-pin --puk --new-pin $UNBLOCKPIN" unlock_setpin "$UNBLOCKPIN"
	e2e_check "$t: token flags: not locked" flags_lack 'user PIN locked'
	e2e_check "$t: blocked-PIN note removed" blocked_forgotten
	e2e_check "$t: unblocked PIN logs in and signs" sign_sha256 "$UNBLOCKPIN"

	# Blocking again, unblocking with C_Login(SO, PUK) + C_InitPIN.
	e2e_check "$t: three wrong PINs again" three_wrong
	e2e_check "$t: token flags: user PIN locked again" flags_have 'user PIN locked'
	e2e_check "$t: SO login with the PUK + --init-pin $INITPIN" unlock_so "$INITPIN"
	e2e_check "$t: token flags: not locked" flags_lack 'user PIN locked'
	e2e_check "$t: PIN set by C_InitPIN logs in and signs" sign_rsa_pkcs "$INITPIN"
	e2e_check "$t: previous PIN refused" login_fails "$UNBLOCKPIN" CKR_PIN_INCORRECT
	e2e_check "$t: good PIN resets the count" login_ok "$INITPIN"
	cl_card_down
}

for p in "${PROFILES[@]}"; do
	for s in "${STYLES[@]}"; do
		run_one "$p" "$s"
	done
done
e2e_summary
