#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The "firma digitale" key set end to end (issue 13), over the real stack
# (pcscd + vpcd + carta-vcard, lib.sh): CNS profiles served with --ds (the CNS1
# application, DF_DS 3F00 1400: docs/reference/cns.md 1.5) and the
# signature-only "dsd" profile.
#   - pkcs11-tool -L: a token per PIN, "NAME (CNS)" and "NAME (firma)" (dsd:
#     the firma token only, "NAME (firma)" too), both in the card's reader;
#     carta-tool names the same tokens; the firma token is not "login
#     required" (docs/pkcs11.md "The signature token needs no login");
#   - SHA256-RSA-PKCS and RSA-PKCS with the signature key, verified by openssl
#     against the qualified certificate the card was given; the key is
#     CKA_ALWAYS_AUTHENTICATE, CKA_SIGN only; the card sees the signature PIN
#     before each signature (also with --ds-pin-per-sign, where the card
#     forgets it after each one);
#   - a wrong signature PIN costs a try of that PIN only, a wrong CNS PIN one of
#     the CNS PIN only (the card's own counters: an empty VERIFY after a reset,
#     and the stats line);
#   - change and unblock of the signature PIN with its own PUK: pkcs11-tool on
#     the firma token (C_SetPIN, --unlock-pin, C_Login(CKU_SO) + C_InitPIN) and
#     carta-tool pin change|unblock --sign; doctor's sign-pin-blocked;
#   - NSS: certutil -K -h all shows both keys; a TLS client login through
#     tstclnt uses the CNS key (named, and picked by NSS itself), and the card
#     log shows the signature PIN was never presented; pdfsig (NSS) signs a PDF
#     with the firma key through the module as registered, both tokens in
#     view: NSS makes the context-specific login itself, the CNS PIN is not
#     presented;
#   - independent check: Debian's OpenSC (itacns) lists the CNS1 application
#     of the --ds card and signs with it, verified by openssl (idemia: OpenSC
#     0.23 reads it but does no RSA-2048 on that ATR; its clean refusal is
#     checked instead);
#   - carta-tool: list/info/pin status/doctor name the same tokens as the
#     module; pin --sign; a DSD card without CNS1 is "not supported" with its ATR.
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_firma.sh [profiles...]
# Ends with "N passed, M failed"; exit status non-zero on any failure.

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"

PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(st classic idemia dsd)
TOOL=$CARTA_BUILD/tools/carta-tool/carta-tool
PORT=44340
SRV=$E2E_DIR/server
DI_SHA256=3031300d060960864801650304020105000420   # RFC 8017 9.2 note 1
NEWDS=24682468
NEWDS2=13571357
NEWDS3=97539753
NEWDS4=86428642
BADPIN=11111
export HOME=$E2E_DIR/home XDG_CACHE_HOME=$E2E_DIR/home/.cache LANG=C.UTF-8 LC_ALL=
unset LANGUAGE
mkdir -p "$HOME"

# OpenSC as test_opensc_cns.sh configures it (extended APDUs through vpcd,
# no file cache, PUK unblock through C_SetPIN in an unlogged session).
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
EOF

hex2bin() {
	# shellcheck disable=SC2059
	printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"
}

# --- the card -----------------------------------------------------------------

# fm_card_up PROFILE [serve options...]: a deterministic identity with the
# signature key set, served in slot 0. Sets CL_W, CL_PROFILE, DSPIN, DSPUK
# (what the card was given), CNS_TOKEN / FIRMA_TOKEN (the labels of issue 13:
# "NAME (CNS)", "NAME (firma)"; a signature-only card's one token is "NAME
# (firma)" too, carta_card_token_label), DS_ONLY.
fm_card_up() {
	local p=$1 serve=()
	shift
	CL_PROFILE=$p
	CL_W=$E2E_DIR/$p-$((++FM_RUN))
	mkdir -p "$CL_W"
	DS_ONLY=0
	[ "$p" = dsd ] && DS_ONLY=1
	[ "$DS_ONLY" = 1 ] || serve=(--ds)
	"$E2E_VCARD" make-identity --seed "e2e-firma-$p" --profile "$p" --ds --out "$CL_W/id" \
		> /dev/null || return 1
	DSPIN=$(cat "$CL_W/id/ds-pin.txt") && DSPUK=$(cat "$CL_W/id/ds-puk.txt") || return 1
	openssl x509 -in "$CL_W/id/ds-cert.pem" -pubkey -noout > "$CL_W/dspub.pem" || return 1
	[ "$DS_ONLY" = 1 ] || openssl x509 -in "$CL_W/id/holder.pem" -pubkey -noout > "$CL_W/pub.pem"
	CNS_TOKEN="$CL_HOLDER (CNS)"
	FIRMA_TOKEN="$CL_HOLDER (firma)"
	head -c 3000 /dev/urandom > "$CL_W/data"
	e2e_start_card 0 "$p" --identity "$CL_W/id" "${serve[@]}" "$@"
}
FM_RUN=0

# Stop the card; its stats line (the card's own counters at the end) in $CL_W/stats.
fm_card_down() {
	e2e_stop_card 0
	e2e_card_stats 0 > "$CL_W/stats"
	cat "$CL_W/stats" >&2
	: > "$E2E_DIR/card0.log"
	e2e_wait e2e_card_absent 0
}

# stats_has KEY=VALUE...: the last stats line says so.
stats_has() {
	local kv
	for kv in "$@"; do
		grep -qw -- "$kv" "$CL_W/stats" || { echo "stats: expected $kv in: $(cat "$CL_W/stats")"; return 1; }
	done
}

# pkcs11-tool on one token of carta, chosen by its label.
p11t() {
	local tok=$1
	shift
	timeout 60 pkcs11-tool --module "$CL_MODULE" --token-label "$tok" "$@"
}
firma() { p11t "$FIRMA_TOKEN" "$@"; }
cns() { p11t "$CNS_TOKEN" "$@"; }

# The card's own view of a PIN: a reset (security state gone), then an empty
# VERIFY (ISO 7816-4 status query, carta-vcard answers it by default) sent raw.
# The signature PIN is found from its DF 3F00 1400 8110, selected first as
# OpenSC does for a PIN object with a path (docs/reference/cns.md 1.6); ST/Incard
# masks (st, dsd) take the reference with the 0x80 flag (1.6: 0x9A, 0x90).
card_pin_sw() {
	local which=$1 pre=() ref
	case $which in
	sign) pre=(-s 00:A4:08:0C:04:14:00:81:10); ref=1A ;;
	*) ref=10 ;;
	esac
	case $CL_PROFILE in
	st | dsd) ref=$(printf '%02X' $((0x$ref | 0x80))) ;;
	esac
	timeout 20 opensc-tool -r 0 --reset > /dev/null 2>&1 || return 1
	timeout 20 opensc-tool -r 0 "${pre[@]}" -s "00:20:00:$ref" 2>&1 |
		sed -n 's/.*SW1=0x\([0-9a-fA-F]*\), SW2=0x\([0-9a-fA-F]*\).*/\1\2/p' |
		tail -n1 | tr a-f A-F
}
# card_pins AUTH_SW SIGN_SW: both counters as the card tells them.
card_pins() {
	local ok=0
	if [ "$DS_ONLY" != 1 ]; then
		cl_expect_eq "card: CNS PIN (empty VERIFY)" "$1" "$(card_pin_sw auth)" || ok=1
	fi
	cl_expect_eq "card: signature PIN (empty VERIFY)" "$2" "$(card_pin_sw sign)" || ok=1
	return $ok
}

# The card's APDU log from line $1 on.
log_mark() { wc -l < "$E2E_DIR/card0.log"; }
log_since() { tail -n +"$(($1 + 1))" "$E2E_DIR/card0.log"; }
# A VERIFY / CHANGE / RESET RETRY COUNTER of the signature PIN with data, an
# MSE naming key 10, a PSO COMPUTE DIGITAL SIGNATURE (docs/reference/cns.md
# 1.6, 1.8): what using the signature token looks like on the wire.
SIGN_USE='^> 00 (20|24|2C) 00 (1A|9A) [0-9A-F]{2} |^> 00 22 F1 B[68] 03 83 01 10|^> 00 2A 9E 9A'
log_no_sign_use() {
	if log_since "$1" | grep -Eq "$SIGN_USE"; then
		echo "the signature PIN or key was used:"
		log_since "$1" | grep -E "$SIGN_USE"
		return 1
	fi
	log_since "$1" | grep -q '^>' || { echo "no APDU in the log segment"; return 1; }
}
# Every PSO CDS in the segment comes after a VERIFY of the signature PIN that
# no earlier PSO CDS used up: the PIN was presented before each signature.
log_verify_before_each_sign() {
	log_since "$1" | awk '
		/^> 00 20 00 (1A|9A) [0-9A-F][0-9A-F] / { fresh = 1 }
		/^> 00 2A 9E 9A/ { n++; if (!fresh) bad++; fresh = 0 }
		END { printf "signatures %d, without a fresh VERIFY %d\n", n, bad; exit !(n >= '"${2:-1}"' && bad == 0) }'
}

# --- listing ----------------------------------------------------------------------

# pkcs11-tool -L: exactly the expected token labels, each in the card's reader.
tokens_listed() {
	local want got
	timeout 60 pkcs11-tool --module "$CL_MODULE" -L > "$CL_W/L.txt" 2>&1 || { cat "$CL_W/L.txt"; return 1; }
	cat "$CL_W/L.txt"
	if [ "$DS_ONLY" = 1 ]; then want=$FIRMA_TOKEN; else want=$(printf '%s\n%s' "$CNS_TOKEN" "$FIRMA_TOKEN"); fi
	got=$(sed -n 's/^ *token label *: *//p' "$CL_W/L.txt" | sed 's/ *$//' | sort)
	cl_expect_eq "token labels" "$(sort <<<"$want")" "$got" || return 1
	# every token sits in a slot of the card's reader (Virtual PCD 00 00)
	awk '/^Slot /{slot=$0} /token label/{print slot}' "$CL_W/L.txt" | grep -v 'Virtual PCD 00 00' &&
		{ echo "a token outside the card's reader"; return 1; }
	return 0
}

# Only the CNS token is "login required": the firma token's key asks for its
# PIN at each use, so NSS never presents another token's password to it
# (docs/pkcs11.md "The signature token needs no login").
login_required_flags() {
	flags_lack "$FIRMA_TOKEN" 'login required' &&
		if [ "$DS_ONLY" != 1 ]; then flags_have "$CNS_TOKEN" 'login required'; fi
}

# The firma token's certificate is the qualified one the card was given; its
# private key says always-authenticate and can only sign.
firma_objects() {
	firma -r -y cert --id "$DSID" -o "$CL_W/ds.der" > /dev/null 2>&1 || { echo "no cert $DSID"; return 1; }
	cmp "$CL_W/ds.der" "$CL_W/id/ds-cert.der" || return 1
	firma -l -p "$DSPIN" -O --type privkey > "$CL_W/priv.txt" 2>&1
	cat "$CL_W/priv.txt"
	cl_grep "$CL_W/priv.txt" 'Access:.*always authenticate' &&
		cl_grep "$CL_W/priv.txt" 'Usage: *sign *$'
}

# The CNS token holds the authentication certificate only.
cns_objects() {
	cns -O --type cert > "$CL_W/cnsO.txt" 2>&1
	cat "$CL_W/cnsO.txt"
	cl_expect_eq "certificates on the CNS token" 1 "$(grep -c '^Certificate Object' "$CL_W/cnsO.txt")" &&
		cns -r -y cert --id "$(sed -n 's/^ *ID: *//p' "$CL_W/cnsO.txt" | head -n1)" \
			-o "$CL_W/cns.der" > /dev/null 2>&1 && cmp "$CL_W/cns.der" "$CL_W/id/holder.der"
}

# carta-tool names the same tokens as the module, and both PINs with their tries.
tool_tokens() {
	local labels
	timeout 60 "$TOOL" list --json > "$CL_W/list.json" || return 1
	labels=$(python3 -c "import json; print('\n'.join(sorted(t['label'] for t in json.load(open('$CL_W/list.json'))['readers'][0]['tokens'])))")
	cl_expect_eq "carta-tool list: tokens" "$(sed -n 's/^ *token label *: *//p' "$CL_W/L.txt" | sed 's/ *$//' | sort)" "$labels" || return 1
	timeout 60 "$TOOL" info --json > "$CL_W/info.json" || return 1
	python3 - "$CL_W/info.json" "$CL_W/id/ds-cert.pem" "$DS_ONLY" <<'PY'
import json, subprocess, sys
j = json.load(open(sys.argv[1]))
subj = subprocess.run(["openssl", "x509", "-in", sys.argv[2], "-noout", "-subject", "-nameopt", "RFC2253"],
                      capture_output=True, text=True).stdout
cn = [p for p in subj.split(",") if "CN=" in p][0].split("CN=")[1].strip()
sign = [k for k in j["keys"] if k["role"] == "sign"]
auth = [k for k in j["keys"] if k["role"] == "auth"]
pins = {(p["role"], p["kind"]): p for p in j["pins"]}
ok = (len(sign) == 1 and sign[0]["always_authenticate"] and "decrypt" not in sign[0]["usage"]
      and any(c["role"] == "sign" and c["subject"].endswith("CN=" + cn) for c in j["certificates"])
      and pins[("sign", "pin")]["tries_left"] == 3 and ("sign", "puk") in pins
      and (sys.argv[3] == "1" or (len(auth) == 1 and not auth[0]["always_authenticate"]
                                  and pins[("auth", "pin")]["tries_left"] == 3)))
print(json.dumps({"keys": j["keys"], "pins": j["pins"]}, indent=1))
sys.exit(0 if ok else 1)
PY
}

# carta-tool doctor names each token with its use; a signature-only card
# gets the sign-only-card note (not a problem).
tool_doctor_tokens() {
	timeout 60 "$TOOL" doctor > "$CL_W/doctor.txt" 2>&1
	timeout 60 "$TOOL" doctor --json > "$CL_W/doctor.json" 2>/dev/null
	cat "$CL_W/doctor.txt"
	grep -F "token \"$FIRMA_TOKEN\" for signing documents" "$CL_W/doctor.txt" | grep -q '^ok ' ||
		{ echo "doctor does not name '$FIRMA_TOKEN'"; return 1; }
	if [ "$DS_ONLY" = 1 ]; then
		python3 -c "
import json, sys
f = [x for x in json.load(open('$CL_W/doctor.json'))['findings'] if x['id'] == 'sign-only-card']
sys.exit(0 if len(f) == 1 and f[0]['severity'] == 'info' else 1)"
	else
		grep -F "token \"$CNS_TOKEN\" for logging in to websites" "$CL_W/doctor.txt" | grep -q '^ok '
	fi
}

# A signature-only card has no PIN for logging in: without --sign the PIN
# commands say so (exit 2) and send nothing.
tool_needs_sign() {
	tool_pins "$BADPIN\n" pin verify && expect_rc 2 && has "--sign" "$CL_W/err" && card_pins - 63C3
}

# --- signatures ---------------------------------------------------------------------

sign_sha256() {
	local pin=$1 out=$CL_W/sig.$RANDOM
	firma -l -p "$pin" -s -m SHA256-RSA-PKCS --id "$DSID" -i "$CL_W/data" -o "$out" &&
		openssl dgst -sha256 -verify "$CL_W/dspub.pem" -signature "$out" "$CL_W/data"
}

sign_rsa_pkcs() {
	local pin=$1
	openssl dgst -sha256 -binary "$CL_W/data" > "$CL_W/hash" &&
		{ hex2bin "$DI_SHA256"; cat "$CL_W/hash"; } > "$CL_W/di" &&
		firma -l -p "$pin" -s -m RSA-PKCS --id "$DSID" -i "$CL_W/di" -o "$CL_W/sig.pkcs" &&
		openssl pkeyutl -verify -pubin -inkey "$CL_W/dspub.pem" -in "$CL_W/di" -sigfile "$CL_W/sig.pkcs"
}

# pkcs11-tool logs in as CKU_USER, then after C_SignInit, seeing
# CKA_ALWAYS_AUTHENTICATE, as CKU_CONTEXT_SPECIFIC with the same PIN (its
# sign_data). Asking for the context-specific login first, with no operation
# in progress, is refused by PKCS#11 (v2.40 C_Login: CKR_OPERATION_NOT_INITIALIZED),
# and must not cost a try.
context_login_without_op() {
	if firma -l --login-type context-specific -p "$DSPIN" -O > "$CL_W/ctx.txt" 2>&1; then
		cat "$CL_W/ctx.txt"
		echo "a context-specific login with no operation was accepted"
		return 1
	fi
	cl_grep "$CL_W/ctx.txt" CKR_OPERATION_NOT_INITIALIZED
}

sign_twice_each_verified() {
	local m
	m=$(log_mark)
	sign_sha256 "$DSPIN" && sign_sha256 "$DSPIN" && log_verify_before_each_sign "$m" 2
}

# --- PINs ---------------------------------------------------------------------------

login_fails() { # TOKEN PIN CKR
	if p11t "$1" -l -p "$2" -O > "$CL_W/lf.txt" 2>&1; then
		echo "login to '$1' with $2 succeeded, expected $3"
		return 1
	fi
	cl_grep "$CL_W/lf.txt" "$3"
}
login_ok() { p11t "$1" -l -p "$2" -O > /dev/null; }

flags_of() { # TOKEN: its flags line in -L
	timeout 60 pkcs11-tool --module "$CL_MODULE" -L 2>/dev/null |
		awk -v t="$1" '/token label/ { sub(/^ *token label *: */, ""); sub(/ *$/, ""); cur = $0 }
			/token flags/ && cur == t { print }'
}
flags_have() { # TOKEN TEXT
	local f
	f=$(flags_of "$1")
	grep -q -- "$2" <<<"$f" || { echo "'$1' flags lack '$2': $f"; return 1; }
}
flags_lack() {
	local f
	f=$(flags_of "$1")
	[ -n "$f" ] || { echo "no token '$1'"; return 1; }
	! grep -q -- "$2" <<<"$f" || { echo "'$1' flags have '$2': $f"; return 1; }
}

wrong_ds_only() {
	login_fails "$FIRMA_TOKEN" "$BADPIN" CKR_PIN_INCORRECT && card_pins 63C3 63C2 &&
		flags_have "$FIRMA_TOKEN" 'user PIN count low' &&
		if [ "$DS_ONLY" != 1 ]; then flags_lack "$CNS_TOKEN" 'user PIN count low'; fi
}
wrong_cns_only() {
	login_fails "$CNS_TOKEN" "$BADPIN" CKR_PIN_INCORRECT && card_pins 63C2 63C2
}
tool_counts() { # AUTH SIGN: carta-tool pin status --json agrees with the card
	timeout 60 "$TOOL" pin status --json > "$CL_W/ps.json"
	python3 -c "
import json, sys
p = {(x['role'], x['kind']): x['tries_left'] for x in json.load(open('$CL_W/ps.json'))['pins']}
print(p)
sys.exit(0 if p[('sign', 'pin')] == $2 and ('$DS_ONLY' == '1' or p[('auth', 'pin')] == $1) else 1)"
}
good_logins_reset() {
	login_ok "$FIRMA_TOKEN" "$DSPIN" && { [ "$DS_ONLY" = 1 ] || login_ok "$CNS_TOKEN" "$CL_PIN"; } &&
		card_pins 63C3 63C3
}

three_wrong_ds() {
	local _
	for _ in 1 2 3; do
		login_fails "$FIRMA_TOKEN" "$BADPIN" 'CKR_PIN_INCORRECT|CKR_PIN_LOCKED' || return 1
	done
	card_pins 63C3 6983 && flags_have "$FIRMA_TOKEN" 'user PIN locked' &&
		if [ "$DS_ONLY" != 1 ]; then flags_lack "$CNS_TOKEN" 'user PIN locked' && login_ok "$CNS_TOKEN" "$CL_PIN"; fi
}

unlock_wrong_puk() {
	if firma --unlock-pin --puk 99999999 --new-pin "$NEWDS2" > "$CL_W/uw.txt" 2>&1; then
		cat "$CL_W/uw.txt"
		echo "a wrong signature PUK unblocked the PIN"
		return 1
	fi
	cl_grep "$CL_W/uw.txt" 'CKR_PIN_INCORRECT' && card_pins 63C3 6983
}

# carta-tool with values on fd 3; stdout in $CL_W/out, stderr in $CL_W/err.
tool_pins() {
	local pins=$1
	shift
	timeout 60 "$TOOL" --pin-fd 3 "$@" 3< <(printf '%b' "$pins") > "$CL_W/out" 2> "$CL_W/err"
	rc=$?
	printf '$ carta-tool %s (exit %d)\n' "$*" "$rc"
	cat "$CL_W/out" "$CL_W/err"
}
expect_rc() { [ "$rc" = "$1" ] || { echo "expected exit $1, got $rc"; return 1; }; }
has() { grep -qF -- "$1" "$2" || { echo "missing '$1' in $2"; return 1; }; }

tool_change_sign() {
	tool_pins "$1\n$2\n$2\n" pin change --sign && expect_rc 0 && has "Signature PIN changed." "$CL_W/out" &&
		tool_pins "$2\n" pin verify --sign && expect_rc 0 && card_pins 63C3 63C3 && sign_sha256 "$2"
}
tool_block_sign() {
	tool_pins "$BADPIN\n" pin verify --sign && expect_rc 5 && has "2 tries left" "$CL_W/err" &&
		tool_pins "$BADPIN\n" pin verify --sign && expect_rc 5 &&
		tool_pins "$BADPIN\n" pin verify --sign && expect_rc 6 &&
		has "pin unblock --sign" "$CL_W/err" && card_pins 63C3 6983 &&
		tool_pins "" pin status && expect_rc 6 && grep -A1 'for signing documents' "$CL_W/out" | grep -q BLOCKED
}
tool_doctor_sign_blocked() {
	timeout 60 "$TOOL" doctor --json > "$CL_W/doctor.json"
	python3 -c "
import json, sys
ids = [f['id'] for f in json.load(open('$CL_W/doctor.json'))['findings']]
print(ids)
sys.exit(0 if 'sign-pin-blocked' in ids and 'pin-blocked' not in ids else 1)"
}
tool_unblock_sign() {
	tool_pins "87878787\n$1\n$1\n" pin unblock --sign && expect_rc 5 && has "PUK" "$CL_W/err" &&
		card_pins 63C3 6983 &&
		tool_pins "$DSPUK\n$1\n$1\n" pin unblock --sign && expect_rc 0 &&
		has "Signature PIN unblocked and set." "$CL_W/out" && card_pins 63C3 63C3 && sign_sha256 "$1"
}
tool_italian() {
	LANG=it_IT.UTF-8 tool_pins "$1\n$2\n$2\n" pin change --sign && expect_rc 0 &&
		has "PIN di firma cambiato." "$CL_W/out" && LANG=it_IT.UTF-8 tool_pins "" pin status &&
		has "per firmare documenti" "$CL_W/out"
}

# --- NSS ----------------------------------------------------------------------------

nss_setup() {
	local db=$CL_W/nss
	mkdir -p "$db" &&
		certutil -N -d "sql:$db" --empty-password &&
		modutil -dbdir "sql:$db" -add carta -libfile "$CL_MODULE" -force > /dev/null &&
		certutil -A -d "sql:$db" -n srvca -t CT,, -a -i "$SRV/srvca.pem" &&
		printf '%s:%s\n%s:%s\n' "$CNS_TOKEN" "$CL_PIN" "$FIRMA_TOKEN" "$DSPIN" > "$CL_W/pwfile"
}

# certutil -K -h all: an RSA key in each token's section of the listing
# ('certutil: Checking token "LABEL" ...', then '< 0> rsa  ID  NICKNAME').
nss_key_of() {
	awk -v t="Checking token \"$1\"" 'index($0, "Checking token") { cur = index($0, t) > 0 }
		cur && / rsa / { found = 1 } END { exit !found }' "$CL_W/K.txt" ||
		{ echo "no key in the section of '$1'"; return 1; }
}
nss_keys() {
	timeout 120 certutil -K -h all -d "sql:$CL_W/nss" -f "$CL_W/pwfile" > "$CL_W/K.txt" 2>&1
	cat "$CL_W/K.txt"
	nss_key_of "$FIRMA_TOKEN" && { [ "$DS_ONLY" = 1 ] || nss_key_of "$CNS_TOKEN"; }
}

# The server page shows the CNS certificate (CN = codice fiscale/serial...).
page_ok() {
	if ! grep -Eq "Subject:.*CN *= *$CL_CF\\\\?/" "$1"; then
		echo "no 'Subject: ...CN=$CL_CF/...' on the server page; client output:"
		tail -n 40 "$1"
		return 1
	fi
	grep -Em1 'Subject:.*CN' "$1"
}

# tstclnt TLS 1.3 with the CNS key: named (-n), or chosen by NSS (no -n) among
# the certificates of both tokens. Either way the signature PIN is never
# presented nor its key used, and its counter stays full.
tls_login() {
	local nick=$1 out=$CL_W/tstclnt-$RANDOM.out m n=()
	[ -n "$nick" ] && n=(-n "$nick")
	m=$(log_mark)
	printf 'GET / HTTP/1.0\r\n\r\n' > "$CL_W/req.txt"
	timeout 60 tstclnt -4 -h localhost -p "$PORT" -d "sql:$CL_W/nss" "${n[@]}" -w "$CL_PIN" \
		-V tls1.2:tls1.3 -A "$CL_W/req.txt" > "$out" 2>&1
	page_ok "$out" && log_no_sign_use "$m" && card_pins 63C3 63C3
}

# pdfsig (NSS) signs with the firma key through the module as registered in
# the NSS database, both tokens in view (not carta-tool's p11-kit server):
# NSS finds the key without a login (the token is not "login required") and,
# after C_SignInit, makes the context-specific login itself for the
# CKA_ALWAYS_AUTHENTICATE key (PK11_Sign). The module's call log shows that
# login on the firma token's session and no C_Login(CKU_USER) there; the
# card saw the signature PIN before the signature; pdfsig finds the
# signature valid, made with the qualified certificate. poppler 22.12's
# pdfsig gives its one password (-nss-pwd) to every token that wants a
# login, so the card of this phase has the signature PIN as its CNS PIN too
# (carta-tool sign exports the one token through p11-kit server instead).
nss_pdf_firma() {
	local nick m cn fs=21 log=$CL_W/carta-pdfsig.log
	[ "$DS_ONLY" = 1 ] && fs=01   # the session of slot 32 (firma), or 0 (dsd)
	nick=$(firma -O --type cert 2>/dev/null | sed -n 's/^ *label: *//p' | head -n1 | sed 's/ *$//')
	[ -n "$nick" ] || { echo "no certificate label on the firma token"; return 1; }
	cn=$(openssl x509 -in "$CL_W/id/ds-cert.pem" -noout -subject -nameopt sep_multiline,utf8 |
		sed -n 's/^ *CN=//p')
	gs -q -sDEVICE=pdfwrite -o "$CL_W/doc.pdf" -c '72 720 moveto showpage' || return 1
	m=$(log_mark)
	CARTA_DEBUG=2 CARTA_DEBUG_FILE=$log timeout 120 pdfsig "$CL_W/doc.pdf" "$CL_W/doc-signed.pdf" \
		-add-signature -nssdir "sql:$CL_W/nss" -nick "$FIRMA_TOKEN:$nick" -nss-pwd "$DSPIN" \
		-kpw "$DSPIN" > "$CL_W/pdfsig-add.txt" 2>&1
	cat "$CL_W/pdfsig-add.txt"
	grep -E 'C_Login|C_SignInit|C_Sign\(' "$log"
	grep -Eq "C_Login\(session 0x[0-9a-f]*$fs, CKU_CONTEXT_SPECIFIC, PIN given\) = CKR_OK" "$log" ||
		{ echo "no context-specific login on the firma token"; return 1; }
	! grep -Eq "C_Login\(session 0x[0-9a-f]*$fs, CKU_USER" "$log" ||
		{ echo "NSS logged in to the firma token as CKU_USER"; return 1; }
	log_verify_before_each_sign "$m" 1 || return 1
	pdfsig -nssdir "sql:$CL_W/nss" -nocert "$CL_W/doc-signed.pdf" > "$CL_W/pdfsig.txt" 2>&1
	cat "$CL_W/pdfsig.txt"
	grep -q 'Signature Validation: Signature is Valid.' "$CL_W/pdfsig.txt" &&
		grep -qF "Signer Certificate Common Name: $cn" "$CL_W/pdfsig.txt"
}

# A signature-only card offers NSS nothing for a TLS login: the server gets no
# certificate, and the signature PIN is not presented.
tls_nothing_offered() {
	local out=$CL_W/tstclnt-dsd.out m
	m=$(log_mark)
	printf 'GET / HTTP/1.0\r\n\r\n' > "$CL_W/req.txt"
	if timeout 60 tstclnt -4 -h localhost -p "$PORT" -d "sql:$CL_W/nss" -w "$DSPIN" \
		-V tls1.2:tls1.3 -A "$CL_W/req.txt" > "$out" 2>&1 && grep -q 'Subject:.*CN' "$out"; then
		echo "a client certificate was sent:"
		grep 'Subject:' "$out"
		return 1
	fi
	log_no_sign_use "$m" && card_pins - 63C3
}

# --- OpenSC ---------------------------------------------------------------------------

osc() { timeout 60 pkcs11-tool --module "$CL_OPENSC" "$@"; }
# itacns names its tokens after the PIN objects: "NAME (PIN CNS1)" is the
# signature PIN 0x1A of DF 8110 (docs/reference/cns.md 1.5 table).
osc_lists_cns1() {
	osc -L > "$CL_W/oL.txt" 2>&1
	cat "$CL_W/oL.txt"
	cl_grep "$CL_W/oL.txt" 'token label *: .*PIN CNS1' &&
		osc --token-label "$(sed -n 's/^ *token label *: *\(.*PIN CNS1)\).*/\1/p' "$CL_W/oL.txt" | head -n1)" \
			-r -y cert --id 10 -o "$CL_W/osc-ds.der" && cmp "$CL_W/osc-ds.der" "$CL_W/id/ds-cert.der"
}
osc_signs_cns1() {
	local tok
	tok=$(sed -n 's/^ *token label *: *\(.*PIN CNS1)\).*/\1/p' "$CL_W/oL.txt" | head -n1)
	[ -n "$tok" ] || { echo "no CNS1 token"; return 1; }
	osc --token-label "$tok" -l -p "$DSPIN" -s -m SHA256-RSA-PKCS --id 10 -i "$CL_W/data" \
		-o "$CL_W/osc.sig" && openssl dgst -sha256 -verify "$CL_W/dspub.pem" \
		-signature "$CL_W/osc.sig" "$CL_W/data"
}

# OpenSC 0.23 registers RSA-1024 only for a card whose ATR says CNS 1.0 and
# that it does not type as IDEMIA 2021 (docs/reference/cns.md 1.3), as the
# idemia profile's ATR does: its debug log says "Card does not support RSA
# with key length 2048". It must refuse cleanly, with no try spent.
osc_refuses_2048() {
	local tok
	tok=$(sed -n 's/^ *token label *: *\(.*PIN CNS1)\).*/\1/p' "$CL_W/oL.txt" | head -n1)
	[ -n "$tok" ] || { echo "no CNS1 token"; return 1; }
	if osc --token-label "$tok" -l -p "$DSPIN" -s -m SHA256-RSA-PKCS --id 10 -i "$CL_W/data" \
		-o "$CL_W/osc.sig" > "$CL_W/osc.txt" 2>&1; then
		echo "OpenSC 0.23 signed with a 2048-bit key on a CNS 1.0 ATR: update this check"
		return 1
	fi
	cl_grep "$CL_W/osc.txt" CKR_FUNCTION_NOT_SUPPORTED && card_pins 63C3 63C3
}

# --- per profile --------------------------------------------------------------------

ds_id() { firma -O --type cert 2>/dev/null | sed -n 's/^ *ID: *//p' | head -n1 | sed 's/ *$//'; }

phase_keys() {
	local p=$1
	fm_card_up "$p" || { e2e_check "$p: card start" false; return; }
	e2e_check "$p: pkcs11-tool -L: the expected tokens" tokens_listed
	e2e_check "$p: the firma token is not 'login required', the CNS token is" login_required_flags
	DSID=$(ds_id)
	e2e_check "$p: firma token: qualified certificate, always-authenticate sign-only key" firma_objects
	[ "$DS_ONLY" = 1 ] || e2e_check "$p: CNS token: the authentication certificate only" cns_objects
	e2e_check "$p: carta-tool list/info: the same tokens, both PINs, the signature key" tool_tokens
	e2e_check "$p: carta-tool doctor names the tokens" tool_doctor_tokens
	e2e_check "$p: context-specific login with no operation refused" context_login_without_op
	e2e_check "$p: ... and cost no try" card_pins 63C3 63C3
	local m
	m=$(log_mark)
	e2e_check "$p: SHA256-RSA-PKCS with the signature key, openssl verifies" sign_sha256 "$DSPIN"
	e2e_check "$p: RSA-PKCS on a DigestInfo, openssl verifies" sign_rsa_pkcs "$DSPIN"
	e2e_check "$p: the card saw the signature PIN before each signature" log_verify_before_each_sign "$m" 2
	e2e_check "$p: wrong signature PIN: only its counter drops" wrong_ds_only
	e2e_check "$p: carta-tool pin status agrees" tool_counts 3 2
	if [ "$DS_ONLY" != 1 ]; then
		e2e_check "$p: wrong CNS PIN: only the CNS counter drops" wrong_cns_only
		e2e_check "$p: carta-tool pin status agrees" tool_counts 2 2
	fi
	e2e_check "$p: right PINs fill both counters again" good_logins_reset
	fm_card_down
	e2e_check "$p: stats: both counters full at the end" \
		stats_has pin_tries=3 ds_pin_tries=3 ds_puk_tries=3
}

phase_per_sign() {
	local p=$1
	fm_card_up "$p" --ds-pin-per-sign || { e2e_check "$p --ds-pin-per-sign: card start" false; return; }
	DSID=$(ds_id)
	e2e_check "$p --ds-pin-per-sign: two signatures, each after its VERIFY, openssl verifies" \
		sign_twice_each_verified
	fm_card_down
}

phase_pins() {
	local p=$1
	fm_card_up "$p" || { e2e_check "$p: card start" false; return; }
	DSID=$(ds_id)
	[ "$DS_ONLY" = 1 ] && e2e_check "$p: carta-tool pin verify without --sign: use --sign" tool_needs_sign
	e2e_check "$p: firma --change-pin" firma --change-pin --pin "$DSPIN" --new-pin "$NEWDS"
	e2e_check "$p: new signature PIN signs" sign_sha256 "$NEWDS"
	e2e_check "$p: old signature PIN refused" login_fails "$FIRMA_TOKEN" "$DSPIN" CKR_PIN_INCORRECT
	[ "$DS_ONLY" = 1 ] || e2e_check "$p: the CNS PIN is unchanged" login_ok "$CNS_TOKEN" "$CL_PIN"
	e2e_check "$p: three wrong signature PINs block it, not the CNS PIN" three_wrong_ds
	e2e_check "$p: wrong signature PUK refused, PIN still blocked" unlock_wrong_puk
	e2e_check "$p: --unlock-pin with the signature PUK" firma --unlock-pin --puk "$DSPUK" --new-pin "$NEWDS2"
	e2e_check "$p: ... card counter full" card_pins 63C3 63C3
	e2e_check "$p: unblocked signature PIN signs" sign_sha256 "$NEWDS2"
	e2e_check "$p: three wrong signature PINs again" three_wrong_ds
	e2e_check "$p: SO login with the signature PUK + --init-pin" \
		firma --login --login-type so --so-pin "$DSPUK" --init-pin --new-pin "$NEWDS3"
	e2e_check "$p: PIN set by C_InitPIN signs" sign_sha256 "$NEWDS3"
	e2e_check "$p: carta-tool pin change --sign" tool_change_sign "$NEWDS3" "$NEWDS4"
	e2e_check "$p: carta-tool pin verify --sign until blocked" tool_block_sign
	e2e_check "$p: carta-tool doctor: sign-pin-blocked (not pin-blocked)" tool_doctor_sign_blocked
	e2e_check "$p: carta-tool pin unblock --sign (wrong PUK, then the right one)" tool_unblock_sign "$NEWDS"
	e2e_check "$p: carta-tool in Italian" tool_italian "$NEWDS" "$NEWDS2"
	fm_card_down
	e2e_check "$p: stats: the CNS PIN was never spent, the signature PIN is full" \
		stats_has pin_tries=3 pin_tries_low=3 ds_pin_tries=3
}

phase_nss() {
	local p=$1 srvsec=()
	fm_card_up "$p" || { e2e_check "$p: card start" false; return; }
	# 1024-bit keys (classic, dsd): OpenSSL's security level 2 refuses them
	[ "$(openssl x509 -in "$CL_W/id/ds-cert.pem" -noout -text |
		sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p')" -ge 2048 ] ||
		srvsec=(-cipher 'DEFAULT:@SECLEVEL=1')
	cl_start_s_server "$SRV" "$PORT" "$CL_W/id/ca.pem" "${srvsec[@]}" ||
		{ e2e_check "$p: s_server start" false; fm_card_down; return; }
	e2e_check "$p: NSS DB with the module" nss_setup
	e2e_check "$p: certutil -K -h all shows both keys" nss_keys
	if [ "$DS_ONLY" = 1 ]; then
		e2e_check "$p: tstclnt: no client certificate offered, signature PIN not presented" tls_nothing_offered
	else
		local cert
		cert=$(cns -O --type cert 2>/dev/null | sed -n 's/^ *label: *//p' | head -n1 | sed 's/ *$//')
		e2e_check "$p: tstclnt with '$CNS_TOKEN:$cert': CNS certificate, signature PIN untouched" \
			tls_login "$CNS_TOKEN:$cert"
		e2e_check "$p: tstclnt, NSS choosing the certificate: the CNS one, signature PIN untouched" \
			tls_login ""
	fi
	cl_stop_s_server
	fm_card_down
	e2e_check "$p: stats: signature PIN full" stats_has ds_pin_tries=3
}

# A card whose CNS PIN is the signature PIN (nss_pdf_firma says why).
phase_nss_pdf() {
	local p=$1 same=()
	fm_card_up "$p" || { e2e_check "$p: card start" false; return; }
	[ "$DS_ONLY" = 1 ] || same=(--pin "$DSPIN")
	fm_card_down
	e2e_start_card 0 "$p" --identity "$CL_W/id" "${same[@]}" $([ "$DS_ONLY" = 1 ] || echo --ds) ||
		{ e2e_check "$p: card start" false; return; }
	e2e_check "$p: NSS DB with the module" nss_setup
	e2e_check "$p: pdfsig (NSS) signs with the firma key: its own context-specific login" \
		nss_pdf_firma
	fm_card_down
	e2e_check "$p: stats: signature PIN full" stats_has ds_pin_tries=3
}

phase_opensc() {
	local p=$1
	fm_card_up "$p" || { e2e_check "$p: card start" false; return; }
	e2e_check "$p: OpenSC lists the CNS1 application and reads its certificate" osc_lists_cns1
	if [ "$p" = idemia ]; then
		e2e_check "$p: OpenSC 0.23 cannot sign RSA-2048 on a CNS 1.0 ATR: refused, no try spent" \
			osc_refuses_2048
	else
		e2e_check "$p: OpenSC signs with the CNS1 key, openssl verifies" osc_signs_cns1
	fi
	fm_card_down
}

# A DSD card without the CNS1 application: "not supported", with its ATR.
dsd_unsupported() {
	local atr="3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 04 03 01 01 01 44 53 44 10 31 80 97"
	CL_PROFILE=classic
	CL_W=$E2E_DIR/dsd-empty
	mkdir -p "$CL_W"
	"$E2E_VCARD" make-identity --seed e2e-firma-empty --profile classic --out "$CL_W/id" > /dev/null &&
		e2e_start_card 0 classic --identity "$CL_W/id" --atr "$atr" ||
		{ e2e_check "DSD ATR without CNS1: card start" false; return; }
	e2e_check "DSD ATR without CNS1: carta-tool list: not supported" \
		bash -c "'$TOOL' list | tee /dev/stderr | grep -q 'not supported'"
	e2e_check "DSD ATR without CNS1: doctor: unsupported-card with the ATR" \
		bash -c "'$TOOL' doctor | tee /dev/stderr | grep '^\[unsupported-card\]' | grep -qF 'ATR $atr'"
	fm_card_down
}

cl_make_server_cert "$SRV" || { e2e_check "server certificate" false; e2e_summary; exit 1; }
for p in "${PROFILES[@]}"; do
	echo "--- profile $p"
	phase_keys "$p"
	phase_per_sign "$p"
	phase_pins "$p"
	phase_nss "$p"
	phase_nss_pdf "$p"
	[ "$p" = dsd ] || phase_opensc "$p"
done
dsd_unsupported
e2e_summary
