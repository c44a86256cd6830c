#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# carta-tool sign / verify (issue 14) over the real stack (pcscd + vpcd +
# carta-vcard, lib.sh), the card signing through carta-pkcs11.so:
#   - CAdES-BES .p7m (attached) and .p7s (detached) with the authentication key
#     of st, idemia and cie-nxp, each checked three ways: openssl cms -verify
#     (independent, against the test CA, content compared), carta-tool verify
#     --ca --json, and python3-asn1crypto reading signingCertificateV2 and
#     hashing the card's certificate itself;
#   - parallel (a second signer in the same .p7m) and nested (.p7m.p7m)
#     signatures round-trip through openssl and carta-tool verify;
#   - a .p7m made by openssl cms -sign -cades with a software key verifies
#     with --ca (exit 0); one content byte changed gives exit 9; a detached
#     signature with the wrong content gives 9; truncated and garbage input 11;
#   - a wrong PIN: exit 5, no output file, the card's own counter one down
#     (carta-tool pin status); a blocked PIN: exit 6, no output file;
#   - PAdES: a PDF made here with ghostscript, signed by carta-tool (pdfsig
#     through a temporary NSS database), checked by pdfsig (independent) and
#     carta-tool verify;
#   - --ca with a trusted list (ETSI TS 119 612 XML, as AgID publishes) made
#     here around the test CA: granted, exit 0; withdrawn or naming another
#     CA, exit 10; malformed XML or a list without a CA/QC service, exit 1;
#   - the card removed at the signature APDU itself (carta-vcard --fault
#     remove-before@N): exit 3, "the card was removed", no file left.
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_sign.sh [profiles...]
# Ends with "N passed, M failed"; exit status non-zero on any failure.

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"

PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(st idemia cie-nxp)
TOOL=${CARTA_TOOL:-$CARTA_BUILD/tools/carta-tool/carta-tool}
PY=/usr/bin/python3
START=$(date +%s)

# carta-tool with the build's module and the PIN on descriptor 3; its
# temporary NSS databases go to $E2E_DIR/tmp, checked empty at the end.
mkdir -p "$E2E_DIR/tmp"
export TMPDIR=$E2E_DIR/tmp
ct() { timeout 120 "$TOOL" --module "$CL_MODULE" "$@"; }
ct_pin() { local pin=$1; shift; ct --pin-fd 3 "$@" 3<<< "$pin"; }

# expect_exit CODE command...: the command's exit status is CODE.
expect_exit() {
	local want=$1 rc
	shift
	"$@" > "$CL_W/ee.out" 2>&1
	rc=$?
	cat "$CL_W/ee.out"
	[ "$rc" = "$want" ] || { echo "exit status $rc, expected $want"; return 1; }
}

# The signed content equals the original, by openssl cms -verify against
# the test CA (it checks every SignerInfo).
ossl_verify() { # p7m content-out [extra args]
	local in=$1 out=$2
	shift 2
	openssl cms -verify -binary -inform DER -in "$in" -CAfile "$CL_W/id/ca.pem" \
		-purpose any -out "$out" "$@"
}

# python3-asn1crypto: the SignedData's signers, each with a
# signingCertificateV2 whose certHash is the SHA-256 of the card's
# certificate (holder.der), and its issuerSerial the certificate's.
asn1_check() { # file nsigners [certificate.der]
	"$PY" - "$1" "$2" "${3:-$CL_W/id/holder.der}" <<-'EOF'
	import hashlib, sys
	from asn1crypto import cms, tsp, x509
	ci = cms.ContentInfo.load(open(sys.argv[1], 'rb').read())
	sd = ci['content']
	cert = x509.Certificate.load(open(sys.argv[3], 'rb').read())
	want = hashlib.sha256(cert.dump()).digest()
	signers = list(sd['signer_infos'])
	assert len(signers) == int(sys.argv[2]), ('signers', len(signers))
	for si in signers:
	    attrs = {a['type'].native: a['values'][0] for a in si['signed_attrs']}
	    # older asn1crypto: the attribute by its OID (RFC 5035), parsed here
	    scv2 = attrs.get('signing_certificate_v2', attrs.get('1.2.840.113549.1.9.16.2.47'))
	    for k in ('content_type', 'message_digest', 'signing_time'):
	        assert k in attrs, ('missing', k, list(attrs))
	    assert scv2 is not None, ('no signingCertificateV2', list(attrs))
	    scv2 = tsp.SigningCertificateV2.load(scv2.dump())
	    ids = scv2['certs']
	    h = ids[0]['hash_algorithm']['algorithm'].native
	    assert h == 'sha256', h
	    assert ids[0]['cert_hash'].native == want, 'certHash is not the card certificate'
	    isn = ids[0]['issuer_serial']
	    assert isn['serial_number'].native == cert.serial_number, 'serial'
	    assert si['digest_algorithm']['algorithm'].native == 'sha256'
	print('asn1crypto: %d signer(s), signingCertificateV2 = SHA-256 of the card certificate' % len(signers))
	EOF
}

# carta-tool verify --json: result, signer count, codice fiscale and key
# usage (KU=authentication unless set).
ct_verify_json() { # file result nsigners [args]
	local f=$1 want=$2 n=$3
	shift 3
	ct verify --json --ca "$CL_W/id/ca.pem" "$@" "$f" > "$CL_W/v.json"
	"$PY" - "$CL_W/v.json" "$want" "$n" "$CF" "${KU:-authentication}" <<-'EOF'
	import json, sys
	v = json.load(open(sys.argv[1]))
	print(v)
	assert v['result'] == sys.argv[2], v['result']
	assert len(v['signers']) == int(sys.argv[3]), len(v['signers'])
	for s in v['signers']:
	    assert s['codice_fiscale'] == sys.argv[4], s['codice_fiscale']
	    assert s['key_usage'] == sys.argv[5], s['key_usage']
	    assert s['signing_certificate_v2'] == 'yes' and s['message_digest'] == 'yes'
	    assert s['chain'] == 'yes' and s['signature_valid']
	EOF
}

# The card's own retry counter, through libcarta (not the module): the
# first user PIN, or the Nth with tries_left N.
tries_left() {
	"$TOOL" pin status --json 2>/dev/null | "$PY" -c '
import json, sys
v = json.load(sys.stdin)
pins = v["pins"] if "pins" in v else v
print([p for p in pins if p.get("kind", "pin") in ("pin", "PIN", "user")][int(sys.argv[1])]["tries_left"])' "${1:-0}"
}

sign_attached() {
	ct_pin "$CL_PIN" sign --key auth "$CL_W/doc.txt" && [ -s "$CL_W/doc.txt.p7m" ] &&
		ossl_verify "$CL_W/doc.txt.p7m" "$CL_W/out.txt" && cmp "$CL_W/out.txt" "$CL_W/doc.txt"
}
sign_detached() {
	ct_pin "$CL_PIN" sign --key auth --detached "$CL_W/doc.txt" && [ -s "$CL_W/doc.txt.p7s" ] &&
		ossl_verify "$CL_W/doc.txt.p7s" /dev/null -content "$CL_W/doc.txt" &&
		ct_verify_json "$CL_W/doc.txt.p7s" valid 1 --content "$CL_W/doc.txt" &&
		asn1_check "$CL_W/doc.txt.p7s" 1
}
extract_ok() {
	ct verify --ca "$CL_W/id/ca.pem" --extract "$CL_W/ex.txt" "$CL_W/doc.txt.p7m" &&
		cmp "$CL_W/ex.txt" "$CL_W/doc.txt"
}
sign_parallel() {
	cp "$CL_W/doc.txt.p7m" "$CL_W/par.p7m" &&
		ct_pin "$CL_PIN" sign --key auth "$CL_W/par.p7m" &&
		ossl_verify "$CL_W/par.p7m" "$CL_W/out2.txt" && cmp "$CL_W/out2.txt" "$CL_W/doc.txt" &&
		ct_verify_json "$CL_W/par.p7m" valid 2 && asn1_check "$CL_W/par.p7m" 2
}
sign_nested() {
	ct_pin "$CL_PIN" sign --key auth --nested "$CL_W/doc.txt.p7m" && [ -s "$CL_W/doc.txt.p7m.p7m" ] &&
		ossl_verify "$CL_W/doc.txt.p7m.p7m" "$CL_W/inner.p7m" &&
		cmp "$CL_W/inner.p7m" "$CL_W/doc.txt.p7m" &&
		ct_verify_json "$CL_W/doc.txt.p7m.p7m" valid 2 &&
		grep -q '"levels": *2' "$CL_W/v.json" || { cat "$CL_W/v.json"; false; }
}
# One byte of the content inside the .p7m changed: the marker is unique.
altered_fails() { # p7m
	local off
	off=$(grep -boa 'MARKER-carta' "$1" | head -n1 | cut -d: -f1)
	[ -n "$off" ] || { echo "marker not found"; return 1; }
	cp "$1" "$CL_W/alt.p7m"
	printf 'X' | dd of="$CL_W/alt.p7m" bs=1 seek="$off" conv=notrunc status=none
	if ossl_verify "$CL_W/alt.p7m" /dev/null 2>/dev/null; then
		echo "openssl accepted the altered file"; return 1
	fi
	expect_exit 9 ct verify --ca "$CL_W/id/ca.pem" "$CL_W/alt.p7m" &&
		grep -q 'DOES NOT MATCH' "$CL_W/ee.out"
}
wrong_content_fails() {
	printf 'another content\n' > "$CL_W/other.txt"
	expect_exit 9 ct verify --content "$CL_W/other.txt" "$CL_W/doc.txt.p7s"
}
bad_input() {
	head -c 700 "$CL_W/doc.txt.p7m" > "$CL_W/trunc.p7m" &&
		expect_exit 11 ct verify "$CL_W/trunc.p7m" &&
		head -c 2000 /dev/urandom > "$CL_W/garbage.p7m" &&
		expect_exit 11 ct verify "$CL_W/garbage.p7m" &&
		expect_exit 11 ct verify "$CL_W/doc.txt" &&
		expect_exit 11 ct verify "$CL_W/doc.txt.p7s"
}
usage_errors() {
	expect_exit 2 ct sign --key bogus "$CL_W/doc.txt" &&
		expect_exit 2 ct sign --reason why "$CL_W/doc.txt" &&
		expect_exit 2 ct sign --content "$CL_W/doc.txt" "$CL_W/doc.txt" &&
		expect_exit 2 ct sign --pdf --detached "$CL_W/doc.txt" &&
		expect_exit 2 ct verify &&
		expect_exit 1 ct_pin "$CL_PIN" sign --key auth "$CL_W/no-such-file"
}
wrong_pin() {
	local before after
	before=$(tries_left)
	rm -f "$CL_W/w.txt.p7m"
	printf 'x\n' > "$CL_W/w.txt"
	expect_exit 5 ct_pin "$WRONGPIN" sign --key auth "$CL_W/w.txt" || return 1
	after=$(tries_left)
	echo "tries left before $before, after $after"
	[ -n "$before" ] && [ "$after" = $((before - 1)) ] || return 1
	! ls "$CL_W"/w.txt.p7m "$CL_W"/.w.txt.p7m.* 2>/dev/null
}
# The card removed while carta-tool waits for the PIN (a fifo holds it back
# until carta-tool blocks reading it): exit 3, no file; the card comes back.
removed_midway() {
	local fifo=$CL_W/pin.fifo pid rc
	rm -f "$fifo" "$CL_W/rm.txt.p7m"
	printf 'x\n' > "$CL_W/rm.txt"
	mkfifo "$fifo" || return 1
	"$TOOL" --module "$CL_MODULE" --pin-fd 3 sign --key auth "$CL_W/rm.txt" 3< "$fifo" &
	pid=$!
	exec 4> "$fifo"
	e2e_wait grep -q pipe_read "/proc/$pid/wchan" || { echo "carta-tool never read the PIN"; kill "$pid"; exec 4>&-; return 1; }
	e2e_remove_card 0 || { exec 4>&-; return 1; }
	printf '%s\n' "$CL_PIN" >&4
	exec 4>&-
	wait "$pid"
	rc=$?
	e2e_insert_card 0 || return 1
	echo "exit $rc"
	[ "$rc" = 3 ] && ! ls "$CL_W"/rm.txt.p7m "$CL_W"/.rm.txt.p7m.* 2>/dev/null
}

# carta-tool logs in through the module before pdfsig runs, so pdfsig (and
# NSS's password retries) only ever get a PIN the card accepted: a wrong one
# costs one try, and no PDF is left behind.
pdf_wrong_pin() {
	local before after
	before=$(tries_left)
	ct_pin "$WRONGPIN" sign --key auth "$CL_W/doc.pdf" -o "$CL_W/wp.pdf"
	[ $? != 0 ] || { echo "signing with a wrong PIN succeeded"; return 1; }
	after=$(tries_left)
	echo "tries left before $before, after $after"
	[ -n "$before" ] && [ "$after" = $((before - 1)) ] &&
		! ls "$CL_W"/wp.pdf "$CL_W"/.wp.pdf.* 2>/dev/null
}
blocked_pin() {
	local i
	for i in 1 2 3; do ct_pin "$WRONGPIN" sign --key auth "$CL_W/w.txt" > /dev/null 2>&1; done
	[ "$(tries_left)" = 0 ] || { echo "counter: $(tries_left)"; return 1; }
	expect_exit 6 ct_pin "$CL_PIN" sign --key auth "$CL_W/w.txt" &&
		! ls "$CL_W"/w.txt.p7m "$CL_W"/.w.txt.p7m.* 2>/dev/null
}
sign_pdf() {
	gs -q -sDEVICE=pdfwrite -o "$CL_W/doc.pdf" \
		-c '/Helvetica findfont 14 scalefont setfont 72 720 moveto (carta e2e PAdES) show showpage' ||
		return 1
	ct_pin "$CL_PIN" sign --key auth --reason "carta e2e" "$CL_W/doc.pdf" &&
		[ -s "$CL_W/doc-signed.pdf" ] &&
		[ "$(stat -c %a "$CL_W/doc-signed.pdf")" = "$(stat -c %a "$CL_W/doc.txt.p7m")" ] &&
		pdfsig -nocert "$CL_W/doc-signed.pdf" > "$CL_W/pdfsig.txt" 2>&1
	cat "$CL_W/pdfsig.txt"
	grep -q 'Signature Validation: Signature is Valid.' "$CL_W/pdfsig.txt" &&
		grep -Eq "Signature Type: (ETSI.CAdES|adbe.pkcs7).detached" "$CL_W/pdfsig.txt" &&
		expect_exit 0 ct verify "$CL_W/doc-signed.pdf" &&
		grep -q 'Chain: not checked' "$CL_W/ee.out" &&
		ct verify --json "$CL_W/doc-signed.pdf" | grep -q '"result": *"valid"'
}
# With --ca the chain is NSS's to judge (poppler: certificateUsageEmailSigner);
# the test identity's authentication certificate (extendedKeyUsage
# clientAuth only) is not accepted for it: exit 10, as pdfsig itself says.
pdf_ca_untrusted() {
	expect_exit 10 ct verify --ca "$CL_W/id/ca.pem" "$CL_W/doc-signed.pdf" &&
		grep -q 'Signature: valid' "$CL_W/ee.out"
}
pdf_altered_fails() {
	# a byte inside the signed range (the page's text) changed
	local off
	off=$(grep -boa 'PAdES' "$CL_W/doc-signed.pdf" | head -n1 | cut -d: -f1)
	cp "$CL_W/doc-signed.pdf" "$CL_W/alt.pdf"
	if [ -n "$off" ]; then
		printf 'X' | dd of="$CL_W/alt.pdf" bs=1 seek="$off" conv=notrunc status=none
	else
		# compressed page stream: change a byte of the first object instead
		printf 'X' | dd of="$CL_W/alt.pdf" bs=1 seek=20 conv=notrunc status=none
	fi
	expect_exit 9 ct verify "$CL_W/alt.pdf"
}

# make_tsl OUT STATUS TYPE CERT.pem...: a trusted list in the shape of AgID's
# TSL-IT.xml (ETSI TS 119 612 V2.2.1: namespace, TSPService path, the
# service type and status URIs), one service per certificate. An
# X509Certificate in ds:Signature and in ServiceHistory, where carta-tool
# must not look, holds the first certificate too.
make_tsl() {
	"$PY" - "$@" <<-'EOF'
	import base64, subprocess, sys
	out, status, svctype, pems = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
	def b64(pem):
	    der = subprocess.run(['openssl', 'x509', '-in', pem, '-outform', 'DER'],
	                         check=True, capture_output=True).stdout
	    s = base64.b64encode(der).decode()
	    return '\n'.join(s[i:i + 64] for i in range(0, len(s), 64))
	u = 'http://uri.etsi.org/TrstSvc/'
	svc = ''.join(f"""
	 <tsl:TSPService><tsl:ServiceInformation>
	  <tsl:ServiceTypeIdentifier>{u}Svctype/{svctype}</tsl:ServiceTypeIdentifier>
	  <tsl:ServiceName><tsl:Name xml:lang="it">CA di prova</tsl:Name></tsl:ServiceName>
	  <tsl:ServiceDigitalIdentity><tsl:DigitalId>
	   <tsl:X509Certificate>{b64(p)}</tsl:X509Certificate>
	  </tsl:DigitalId></tsl:ServiceDigitalIdentity>
	  <tsl:ServiceStatus>{u}TrustedList/Svcstatus/{status}</tsl:ServiceStatus>
	  <tsl:StatusStartingTime>2016-06-30T22:00:00Z</tsl:StatusStartingTime>
	 </tsl:ServiceInformation>
	 <tsl:ServiceHistory><tsl:ServiceHistoryInstance>
	  <tsl:ServiceTypeIdentifier>{u}Svctype/CA/QC</tsl:ServiceTypeIdentifier>
	  <tsl:ServiceDigitalIdentity><tsl:DigitalId>
	   <tsl:X509Certificate>{b64(pems[0])}</tsl:X509Certificate>
	  </tsl:DigitalId></tsl:ServiceDigitalIdentity>
	  <tsl:ServiceStatus>{u}TrustedList/Svcstatus/granted</tsl:ServiceStatus>
	 </tsl:ServiceHistoryInstance></tsl:ServiceHistory>
	 </tsl:TSPService>""" for p in pems)
	open(out, 'w').write(f"""<?xml version="1.0" encoding="UTF-8"?>
	<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#"
	 xmlns:ds="http://www.w3.org/2000/09/xmldsig#" TSLTag="http://uri.etsi.org/19612/TSLTag">
	 <tsl:SchemeInformation><tsl:TSLVersionIdentifier>5</tsl:TSLVersionIdentifier>
	  <tsl:SchemeTerritory>IT</tsl:SchemeTerritory></tsl:SchemeInformation>
	 <tsl:TrustServiceProviderList><tsl:TrustServiceProvider>
	  <tsl:TSPInformation><tsl:TSPName><tsl:Name xml:lang="it">carta e2e</tsl:Name></tsl:TSPName></tsl:TSPInformation>
	  <tsl:TSPServices>{svc}</tsl:TSPServices>
	 </tsl:TrustServiceProvider></tsl:TrustServiceProviderList>
	 <ds:Signature><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{b64(pems[0])}</ds:X509Certificate>
	 </ds:X509Data></ds:KeyInfo></ds:Signature>
	</tsl:TrustServiceStatusList>
	""")
	EOF
}
# Another CA, for lists that do not name the card's.
other_ca() {
	[ -s "$E2E_DIR/other-ca.pem" ] ||
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
			-out "$E2E_DIR/other-ca.pem" -days 30 -subj "/CN=carta other CA" > /dev/null 2>&1
}
tsl_granted() {
	make_tsl "$CL_W/tsl.xml" granted CA/QC "$CL_W/id/ca.pem" &&
		expect_exit 0 ct verify --ca "$CL_W/tsl.xml" "$CL_W/doc.txt.p7m" &&
		grep -q 'Chain: trusted' "$CL_W/ee.out" &&
		ct verify --json --ca "$CL_W/tsl.xml" "$CL_W/doc.txt.p7m" | grep -q '"chain": *"yes"'
}
# The same list with the service withdrawn; a list of another CA only; the
# card's CA as a time-stamping service (not CA/QC) beside another CA.
tsl_untrusted() {
	other_ca &&
		make_tsl "$CL_W/tsl-w.xml" withdrawn CA/QC "$CL_W/id/ca.pem" &&
		expect_exit 10 ct verify --ca "$CL_W/tsl-w.xml" "$CL_W/doc.txt.p7m" &&
		grep -q 'Chain: NOT TRUSTED' "$CL_W/ee.out" && grep -q 'status granted' "$CL_W/ee.out" &&
		make_tsl "$CL_W/tsl-o.xml" granted CA/QC "$E2E_DIR/other-ca.pem" &&
		expect_exit 10 ct verify --ca "$CL_W/tsl-o.xml" "$CL_W/doc.txt.p7m" &&
		grep -q 'Chain: NOT TRUSTED' "$CL_W/ee.out" &&
		make_tsl "$CL_W/tsl-t.xml" granted TSA/QTST "$CL_W/id/ca.pem" &&
		expect_exit 1 ct verify --ca "$CL_W/tsl-t.xml" "$CL_W/doc.txt.p7m" &&
		grep -q 'no CA/QC service' "$CL_W/ee.out"
}
# Malformed XML (the good list cut short, and random bytes after '<'): the
# error exit with a reason, no report.
tsl_garbage() {
	head -c 1500 "$CL_W/tsl.xml" > "$CL_W/tsl-cut.xml" &&
		expect_exit 1 ct verify --ca "$CL_W/tsl-cut.xml" "$CL_W/doc.txt.p7m" &&
		grep -q 'not well-formed XML' "$CL_W/ee.out" && ! grep -q '^Result' "$CL_W/ee.out" &&
		{ printf '<'; head -c 3000 /dev/urandom; } > "$CL_W/tsl-rnd.xml" &&
		expect_exit 1 ct verify --ca "$CL_W/tsl-rnd.xml" "$CL_W/doc.txt.p7m" &&
		grep -q 'not usable as a trusted list' "$CL_W/ee.out"
}
# A PDF checks through NSS: the list's certificate goes into its database
# (exit 10 as with the PEM, the auth certificate is not for email signing);
# a malformed list is the error exit there too.
pdf_tsl() {
	expect_exit 10 ct verify --ca "$CL_W/tsl.xml" "$CL_W/doc-signed.pdf" &&
		grep -q 'Signature: valid' "$CL_W/ee.out" &&
		expect_exit 1 ct verify --ca "$CL_W/tsl-cut.xml" "$CL_W/doc-signed.pdf"
}

run_profile() {
	local p=$1
	cl_card_up "$p" || return 1
	CF=$(openssl x509 -in "$CL_W/id/holder.pem" -noout -subject -nameopt multiline |
		sed -n 's/^ *\(serialNumber\|commonName\) *= *\(TINIT-\)\{0,1\}\([A-Z0-9]\{16\}\)\(\/.*\)\{0,1\}$/\3/p' | head -n1)
	{ echo "MARKER-carta content for $p"; head -c 3000 /dev/urandom | base64; } > "$CL_W/doc.txt"

	e2e_check "$p: sign --key auth -> .p7m, openssl cms -verify, content equal" sign_attached
	e2e_check "$p: carta-tool verify --ca --json: valid, CF $CF" ct_verify_json "$CL_W/doc.txt.p7m" valid 1
	e2e_check "$p: asn1crypto: signingCertificateV2 hashes the card certificate" asn1_check "$CL_W/doc.txt.p7m" 1
	e2e_check "$p: verify --extract writes the content" extract_ok
	e2e_check "$p: sign --detached -> .p7s, three checks" sign_detached
	e2e_check "$p: parallel signature in the same .p7m" sign_parallel
	e2e_check "$p: nested .p7m.p7m" sign_nested
	e2e_check "$p: one content byte changed: exit 9, openssl refuses" altered_fails "$CL_W/doc.txt.p7m"
	e2e_check "$p: detached with the wrong content: exit 9" wrong_content_fails
	e2e_check "$p: truncated, garbage, unsigned, content-less: exit 11" bad_input
	e2e_check "$p: --ca trusted list (TS 119 612) naming the CA, granted: exit 0" tsl_granted
	e2e_check "$p: --ca list: CA withdrawn, another CA: exit 10; no CA/QC: exit 1" tsl_untrusted
	e2e_check "$p: --ca malformed list: exit 1, a reason" tsl_garbage
	if [ "$p" = st ]; then
		e2e_check "$p: PDF: pdfsig says valid, carta-tool verify agrees" sign_pdf
		e2e_check "$p: PDF --ca: signature valid, NSS refuses the auth certificate: exit 10" pdf_ca_untrusted
		e2e_check "$p: PDF altered: exit 9" pdf_altered_fails
		e2e_check "$p: PDF --ca trusted list: loaded (exit 10 as PEM), malformed: exit 1" pdf_tsl
		e2e_check "$p: usage errors: exit 2 (missing file: 1)" usage_errors
		e2e_check "$p: card removed before the login: exit 3, no file" removed_midway
		e2e_check "$p: wrong PIN: exit 5, no file, card counter one down" wrong_pin
		e2e_check "$p: PDF, wrong PIN: one try spent, no file" pdf_wrong_pin
		e2e_check "$p: blocked PIN: exit 6, no file" blocked_pin
	fi
	cl_card_down
}

# The signature key set (issue 13): st with --ds shows a "NAME (firma)"
# token whose key has CKA_ALWAYS_AUTHENTICATE; sign picks it by default.
ds_card_up() {
	CL_PROFILE=st
	CL_W=$E2E_DIR/st-ds
	rm -rf "$CL_W"
	mkdir -p "$CL_W"
	"$E2E_VCARD" make-identity --seed e2e-st-ds --profile st --ds --out "$CL_W/id" > /dev/null &&
		e2e_start_card 0 st --identity "$CL_W/id" --ds
}
ds_sign_default() {
	ct_pin "$DSPIN" sign "$CL_W/doc.txt" > "$CL_W/s.out" 2>&1
	local rc=$?
	cat "$CL_W/s.out"
	[ "$rc" = 0 ] && ! grep -q 'not a qualified signature' "$CL_W/s.out" &&
		ossl_verify "$CL_W/doc.txt.p7m" "$CL_W/out.txt" && cmp "$CL_W/out.txt" "$CL_W/doc.txt" &&
		KU=qualified ct_verify_json "$CL_W/doc.txt.p7m" valid 1 &&
		asn1_check "$CL_W/doc.txt.p7m" 1 "$CL_W/id/ds-cert.der"
}
ds_add_auth() {
	# firma multipla: the authentication signature beside the qualified one
	ct_pin "$CL_PIN" sign --key auth "$CL_W/doc.txt.p7m" &&
		ossl_verify "$CL_W/doc.txt.p7m" /dev/null &&
		ct verify --json --ca "$CL_W/id/ca.pem" "$CL_W/doc.txt.p7m" > "$CL_W/v.json" &&
		grep -q '"key_usage": *"qualified"' "$CL_W/v.json" &&
		grep -q '"key_usage": *"authentication"' "$CL_W/v.json"
}
ds_wrong_pin() {
	local before after
	before=$(tries_left 1)
	expect_exit 5 ct_pin "$WRONGPIN" sign --key sign "$CL_W/doc.txt" -o "$CL_W/w.p7m" || return 1
	after=$(tries_left 1)
	echo "signature PIN tries left before $before, after $after"
	[ -n "$before" ] && [ "$after" = $((before - 1)) ] && ! ls "$CL_W"/w.p7m "$CL_W"/.w.p7m.* 2>/dev/null
}
# PDF with the firma key: pdfsig sees only the chosen token (p11-kit
# server), NSS does the context-specific login for the always-authenticate
# key; neither PIN counter goes down, and pdfsig checks the signature made
# with the qualified certificate.
ds_pdf() {
	local c0 c1
	gs -q -sDEVICE=pdfwrite -o "$CL_W/doc.pdf" -c '72 720 moveto showpage' || return 1
	c0=$(tries_left 0) c1=$(tries_left 1)
	ct_pin "$DSPIN" sign --key sign "$CL_W/doc.pdf" || return 1
	echo "PIN tries $c0 -> $(tries_left 0), signature PIN $c1 -> $(tries_left 1)"
	[ "$(tries_left 0)" -ge "$c0" ] && [ "$(tries_left 1)" -ge "$c1" ] || return 1
	pdfsig -nocert "$CL_W/doc-signed.pdf" > "$CL_W/pdfsig.txt" 2>&1
	cat "$CL_W/pdfsig.txt"
	grep -q 'Signature Validation: Signature is Valid.' "$CL_W/pdfsig.txt" &&
		grep -q 'Signer full Distinguished Name: CN=MARIO ROSSI,' "$CL_W/pdfsig.txt"
}
# The authentication key on the same two-token card, also through pdfsig.
ds_pdf_auth() {
	ct_pin "$CL_PIN" sign --key auth "$CL_W/doc.pdf" -o "$CL_W/auth.pdf" &&
		pdfsig -nocert "$CL_W/auth.pdf" | grep -q 'Signature is Valid.' &&
		pdfsig -nocert "$CL_W/auth.pdf" | grep -q "Common Name: $CF/"
}
run_ds() {
	ds_card_up || return 1
	CF=RSSMRA85M01H501Q
	{ echo "MARKER-carta qualified"; head -c 2000 /dev/urandom | base64; } > "$CL_W/doc.txt"
	e2e_check "st --ds: sign (default --key sign, PIN di firma): openssl, verify, asn1crypto" ds_sign_default
	e2e_check "st --ds: --key auth adds a parallel authentication signature" ds_add_auth
	e2e_check "st --ds: wrong signature PIN: exit 5, its counter one down, no file" ds_wrong_pin
	e2e_check "st --ds: PDF with the always-authenticate firma key through pdfsig/NSS" ds_pdf
	e2e_check "st --ds: PDF with the authentication key on the two-token card" ds_pdf_auth
	cl_card_down
}

# An EC key (carta-vcard --ec): CKM_ECDSA on the SHA-256 digest, r||s
# turned into an ECDSA-Sig-Value.
run_ec() {
	CL_PROFILE=st
	CL_W=$E2E_DIR/st-ec
	rm -rf "$CL_W"
	mkdir -p "$CL_W"
	"$E2E_VCARD" make-identity --seed e2e-st-ec --profile st --ec --out "$CL_W/id" > /dev/null &&
		e2e_start_card 0 st --identity "$CL_W/id" --ec || return 1
	CF=RSSMRA85M01H501Q
	echo "MARKER-carta EC" > "$CL_W/doc.txt"
	e2e_check "st --ec: ECDSA .p7m: openssl cms -verify, carta-tool verify, asn1crypto" ec_sign
	cl_card_down
}
ec_sign() {
	openssl x509 -in "$CL_W/id/holder.pem" -noout -text | grep -q 'id-ecPublicKey' || return 1
	ct_pin "$CL_PIN" sign --key auth "$CL_W/doc.txt" &&
		ossl_verify "$CL_W/doc.txt.p7m" "$CL_W/out.txt" && cmp "$CL_W/out.txt" "$CL_W/doc.txt" &&
		ct_verify_json "$CL_W/doc.txt.p7m" valid 1 && asn1_check "$CL_W/doc.txt.p7m" 1
}

# The card pulled out at the signature APDU itself. A clean run on a fresh
# card counts the APDUs up to the first PSO that signs (00 2A 80 86 on the
# CNS, 00 2A 9E 9A elsewhere); a fresh card then disappears before
# answering that one (carta-vcard --fault remove-before@N, counted from its
# start: docs/virtual-card.md "Fault injection"), so the login has passed.
sig_apdu_index() {
	awk '/^> / { n++ } /^> [0-9A-F][0-9A-F] 2A (80 86|9E 9A)/ { print n; exit }' "$E2E_DIR/card0.log"
}
removed_at_sign() {
	local n rc ok
	: > "$E2E_DIR/card0.log"   # carta-vcard appends: this card's APDUs only
	e2e_start_card 0 st --identity "$CL_W/id" || return 1
	ct_pin "$CL_PIN" sign --key auth -o "$CL_W/clean.p7m" "$CL_W/doc.txt" > /dev/null
	rc=$?
	n=$(sig_apdu_index)
	cl_card_down
	echo "clean run: exit $rc, signature at APDU ${n:-?}"
	[ "$rc" = 0 ] && [ -n "$n" ] || return 1
	: > "$E2E_DIR/card0.log"
	e2e_start_card 0 st --identity "$CL_W/id" --fault "remove-before@$n" || return 1
	expect_exit 3 ct_pin "$CL_PIN" sign --key auth "$CL_W/doc.txt"
	ok=$?
	cl_card_down
	grep "# fault" "$E2E_DIR/card0.log"
	ls -A "$CL_W"
	[ "$ok" = 0 ] && grep -q 'the card was removed' "$CL_W/ee.out" &&
		grep -q "fault remove-before@$n fired" "$E2E_DIR/card0.log" &&
		! ls -A "$CL_W" | grep -E '^(doc\.txt\.p7m|\.doc\.txt\.p7m\..*)$'
}
run_removed_at_sign() {
	CL_PROFILE=st
	CL_W=$E2E_DIR/st-rm
	rm -rf "$CL_W"
	mkdir -p "$CL_W"
	"$E2E_VCARD" make-identity --seed e2e-st-rm --profile st --out "$CL_W/id" > /dev/null || return 1
	echo "MARKER-carta removed" > "$CL_W/doc.txt"
	e2e_check "st: card removed at the signature APDU: exit 3, no file" removed_at_sign
}

# A .p7m from openssl with a software key and -cades (signingCertificateV2).
software_p7m() {
	local d=$E2E_DIR/sw
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 30 \
		-subj "/CN=carta sw CA" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign > /dev/null 2>&1 &&
		openssl req -newkey rsa:2048 -nodes -keyout "$d/s.key" -out "$d/s.csr" \
			-subj "/C=IT/serialNumber=TINIT-BNCGPP70A01F205X/GN=GIUSEPPE/SN=BIANCHI/CN=BIANCHI GIUSEPPE" \
			> /dev/null 2>&1 &&
		printf 'keyUsage=critical,nonRepudiation\n' > "$d/s.ext" &&
		openssl x509 -req -in "$d/s.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
			-days 30 -extfile "$d/s.ext" -out "$d/s.pem" > /dev/null 2>&1 &&
		echo "MARKER-carta software content" > "$d/doc.txt" &&
		openssl cms -sign -nodetach -binary -cades -md sha256 -signer "$d/s.pem" -inkey "$d/s.key" \
			-in "$d/doc.txt" -outform DER -out "$d/doc.txt.p7m" &&
		expect_exit 0 ct verify --ca "$d/ca.pem" "$d/doc.txt.p7m" &&
		grep -q 'codice fiscale BNCGPP70A01F205X' "$CL_W/ee.out" &&
		grep -q 'qualified signature' "$CL_W/ee.out"
}
software_altered() {
	local d=$E2E_DIR/sw off
	off=$(grep -boa 'MARKER-carta' "$d/doc.txt.p7m" | head -n1 | cut -d: -f1)
	cp "$d/doc.txt.p7m" "$d/alt.p7m"
	printf 'Y' | dd of="$d/alt.p7m" bs=1 seek="$off" conv=notrunc status=none
	expect_exit 9 ct verify --ca "$d/ca.pem" "$d/alt.p7m"
}
software_untrusted() {
	# a CA that did not issue the signer: intact, not trusted (exit 10)
	expect_exit 10 ct verify --ca "$CL_W/id/ca.pem" "$E2E_DIR/sw/doc.txt.p7m"
}

WRONGPIN=11111111
DSPIN=87654321
for p in "${PROFILES[@]}"; do
	run_profile "$p" || e2e_check "$p: card start" false
done
run_ec || e2e_check "st --ec: card start" false
if "$E2E_VCARD" --help 2>&1 | grep -q -- '--ds'; then
	run_ds || e2e_check "st --ds: card start" false
else
	e2e_check "carta-vcard has --ds (issue 13 merged)" false
fi
run_removed_at_sign || e2e_check "st: removal at the signature: setup" false
CL_W=$E2E_DIR/swtmp
mkdir -p "$CL_W/id"
cp "$E2E_DIR/${PROFILES[0]}/id/ca.pem" "$CL_W/id/ca.pem" 2>/dev/null
e2e_check "software key .p7m (openssl cms -sign -cades): verify --ca exit 0" software_p7m
e2e_check "software key .p7m, one byte changed: exit 9" software_altered
e2e_check "software key .p7m against another CA: exit 10" software_untrusted
tmp_clean() { [ -z "$(ls -A "$E2E_DIR/tmp")" ] || { ls -la "$E2E_DIR/tmp"; false; }; }
e2e_check "no temporary NSS database or socket left behind" tmp_clean
echo "test_sign.sh: $(( $(date +%s) - START ))s"
e2e_summary
