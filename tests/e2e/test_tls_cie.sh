#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TLS client-certificate login through carta-pkcs11.so with the virtual CIE
# 3.0 (cie-nxp, cie-gemalto), docs/reference/test-stack.md section 3: openssl s_server
# -Verify 1 -www on 127.0.0.1 trusts the CIE test CA (the identity's ca.pem).
# The CIE key does card-side PKCS#1 v1.5 only (docs/reference/cie.md 5, 8 I4: no PSS), so:
#   TLS 1.2 must work: NSS tstclnt (module added with modutil to a private NSS
#     DB), gnutls-cli through p11-kit (private registry, carta only) with
#     NORMAL:-VERS-TLS1.3 and with the PSS-free priority of docs/reference/test-stack.md 3,
#     openssl s_client + libp11 with PSS-free client signature algorithms;
#   TLS 1.3 must fail cleanly (RSA-PSS is mandatory there): non-zero exit
#     below 128 (no signal), no core file, and the server's certificate_required
#     alert in the client output:
#       tstclnt:    "SSL_ERROR_RX_CERTIFICATE_REQUIRED_ALERT"
#       gnutls-cli: "Received alert [116]: Certificate is required"
#     (the client finds no usable signature scheme and sends no certificate).
# The certificate of a CIE is readable only after a login; it is then cached
# ($XDG_CACHE_HOME/carta) and listed before login: one pkcs11-tool --login
# fills the cache first, as a user's first login would.
# Pass oracle: the server's status page shows "Subject: ...CN=<codice
# fiscale>" and the protocol asked for.
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_tls_cie.sh [profiles...]
# Ends with "N passed, M failed"; exit status non-zero on any failure.

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"

PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(cie-nxp cie-gemalto)
PORT=44331
SRV=$E2E_DIR/server
NOPSS_GNUTLS='NORMAL:-VERS-TLS1.3:-SIGN-RSA-PSS-RSAE-SHA256:-SIGN-RSA-PSS-RSAE-SHA384:-SIGN-RSA-PSS-RSAE-SHA512:-SIGN-RSA-PSS-SHA256:-SIGN-RSA-PSS-SHA384:-SIGN-RSA-PSS-SHA512'
# Expected client messages for TLS 1.3 (recorded with NSS 3.87 / GnuTLS 3.7.9).
TLS13_NSS_ERR='SSL_ERROR_RX_CERTIFICATE_REQUIRED_ALERT'
TLS13_GNUTLS_ERR='Received alert \[116\]: Certificate is required'

# The page of openssl s_server -www, in $1: client certificate subject with
# the holder's codice fiscale, and the protocol $2.
page_ok() {
	local out=$1 proto=$2 got
	got=$(sed -n 's/^ *Protocol *: *//p' "$out" | head -n1 | tr -d '\r')
	if ! grep -Eq "Subject:.*CN *= *$CF *\$" "$out"; then
		echo "no 'Subject: ...CN=$CF' on the server page; client output:"
		tail -n 40 "$out"
		return 1
	fi
	cl_expect_eq "negotiated protocol" "$proto" "$got" || return 1
	printf '%s, %s\n' "$got" "$(grep -Em1 'Subject:.*CN' "$out" | sed 's/^ *//')" \
		> "$CL_W/seen.txt"
}

# fails_cleanly OUT RC REGEX: the client failed (0 < rc < 128), no core
# file, the expected message in its output, and no server page.
fails_cleanly() {
	local out=$1 rc=$2 re=$3
	if [ "$rc" = 0 ]; then
		echo "the client succeeded, expected a failure:"
		tail -n 20 "$out"
		return 1
	fi
	if [ "$rc" -ge 124 ]; then
		echo "client exit status $rc (timeout or signal), expected a clean failure:"
		tail -n 20 "$out"
		return 1
	fi
	if compgen -G "$CL_W/run/core*" > /dev/null; then
		echo "core file left: $(ls "$CL_W"/run/core*)"
		return 1
	fi
	if grep -q 'Subject:.*CN' "$out"; then
		echo "the server page came back: the handshake did not fail"
		return 1
	fi
	cl_grep "$out" "$re" || return 1
	printf 'exit %s: %s\n' "$rc" "$(grep -Em1 -- "$re" "$out")" > "$CL_W/seen.txt"
}

tls_check() {
	rm -f "$CL_W/seen.txt"
	e2e_check "$@"
	[ -s "$CL_W/seen.txt" ] && sed 's/^/       /' "$CL_W/seen.txt"
	return 0
}

# One login to fill the certificate cache; then the certificate is listed
# before login. The token's label is the same before and after ("CIE <NIS>"),
# so an NSS nickname taken before the first login keeps working.
first_login() {
	cl_p11 --login --pin "$CL_PIN" -O > "$CL_W/first.txt" 2>&1 &&
		cl_grep "$CL_W/first.txt" '^Certificate Object'
}

nss_setup() {
	local db=$CL_W/nss
	mkdir -p "$db" &&
		certutil -N -d "sql:$db" --empty-password &&
		modutil -dbdir "sql:$db" -add carta -libfile "$CL_MODULE" -force > /dev/null &&
		certutil -A -d "sql:$db" -n srvca -t CT,, -a -i "$SRV/srvca.pem" &&
		certutil -L -d "sql:$db" -h all > "$CL_W/nss.list" 2>&1
	if ! grep -F "$CL_NICK " "$CL_W/nss.list" | grep -q 'u,u,u'; then
		echo "expected '$CL_NICK  u,u,u' in certutil -L -h all, got:"
		cat "$CL_W/nss.list"
		return 1
	fi
}

# Clients run in $CL_W/run (core files, if any, land there).
in_run() { (cd "$CL_W/run" && ulimit -c unlimited 2>/dev/null; "$@"); }

tstclnt_run() {
	local v=$1 out=$2
	printf 'GET / HTTP/1.0\r\n\r\n' > "$CL_W/req.txt"
	in_run timeout 60 tstclnt -4 -h localhost -p "$PORT" -d "sql:$CL_W/nss" -n "$CL_NICK" \
		-w "$CL_PIN" -V "$v:$v" -A "$CL_W/req.txt" > "$out" 2>&1
}
tstclnt_login() {
	local out=$CL_W/tstclnt-$1.out
	tstclnt_run "$1" "$out"
	page_ok "$out" "$2"
}
tstclnt_refused() {
	local out=$CL_W/tstclnt-$1.out rc
	tstclnt_run "$1" "$out"
	rc=$?
	fails_cleanly "$out" "$rc" "$TLS13_NSS_ERR"
}

gnutls_run() {
	local prio=$1 out=$2 uri
	uri="pkcs11:token=$(cl_uri_enc "$CL_TOKEN");object=$(cl_uri_enc "$CL_CERT")"
	printf 'GET / HTTP/1.0\r\n\r\n' |
		GNUTLS_PIN=$CL_PIN in_run timeout 60 gnutls-cli --x509cafile "$SRV/srvca.pem" \
			--priority "$prio" \
			--x509certfile "$uri;type=cert" --x509keyfile "$uri;type=private" \
			-p "$PORT" localhost > "$out" 2>&1
}
# gnutls_login NAME PRIORITY: TLS 1.2 with an RSA PKCS#1 v1.5 signature scheme.
gnutls_login() {
	local out=$CL_W/gnutls-$1.out
	gnutls_run "$2" "$out"
	page_ok "$out" TLSv1.2 &&
		cl_grep "$out" 'Description: \(TLS1\.2-X\.509\)-.*-\(RSA-SHA(256|384|512)\)-'
}
gnutls_refused() {
	local out=$CL_W/gnutls-tls13.out rc
	gnutls_run 'NORMAL:-VERS-ALL:+VERS-TLS1.3' "$out"
	rc=$?
	fails_cleanly "$out" "$rc" "$TLS13_GNUTLS_ERR"
}

# openssl s_client + libp11, TLS 1.2 with PKCS#1 v1.5 client signature
# algorithms only (docs/reference/test-stack.md 3 "RSA-PSS: important").
s_client_login() {
	local out=$CL_W/s_client.out uri
	uri="pkcs11:token=$(cl_uri_enc "$CL_TOKEN");object=$(cl_uri_enc "$CL_CERT");type=private"
	printf 'GET / HTTP/1.0\r\n\r\n' |
		PKCS11_MODULE_PATH=$CL_MODULE in_run timeout 60 openssl s_client \
			-connect "127.0.0.1:$PORT" -tls1_2 \
			-client_sigalgs 'RSA+SHA256:RSA+SHA384:RSA+SHA512' \
			-CAfile "$SRV/srvca.pem" -engine pkcs11 -keyform engine \
			-key "$uri" -pass "pass:$CL_PIN" -cert "$CL_W/holder-token.pem" -ign_eof \
			> "$out" 2>&1
	page_ok "$out" TLSv1.2
}

# carta-tool doctor names the reason of the TLS 1.3 failures above as a
# note (not a problem): the id in --json, the text line with what to do.
doctor_no_pss() {
	local tool=$CARTA_BUILD/tools/carta-tool/carta-tool
	timeout 120 "$tool" doctor > "$CL_W/doctor.txt" 2>&1
	timeout 120 "$tool" doctor --json > "$CL_W/doctor.json" 2>/dev/null
	python3 -c "import json,sys; f=[x for x in json.load(open(sys.argv[1]))['findings'] if x['id']=='cie-no-pss']; sys.exit(0 if f and f[0]['severity']=='info' else 1)" "$CL_W/doctor.json" ||
		{ cat "$CL_W/doctor.json"; return 1; }
	cl_grep "$CL_W/doctor.txt" '^info \[cie-no-pss\] .*TLS 1\.3.*What to do: .*TLS 1\.2'
}

server_alive() {
	kill -0 "$CL_SSERVER_PID" 2>/dev/null || { tail -n 20 "$SRV/s_server.log"; return 1; }
}

run_profile() {
	local p=$1
	export XDG_CACHE_HOME=$E2E_DIR/cache-$p
	rm -rf "$XDG_CACHE_HOME"
	mkdir -p "$XDG_CACHE_HOME"
	cl_card_up "$p" || return 1
	mkdir -p "$CL_W/run"
	CF=$(sed -n 's/^cf //p' "$CL_W/id/identity.txt")
	CL_TOKEN=$(cl_token_label)   # before the first login, as a saved nickname would be
	e2e_check "$p: first login fills the certificate cache" first_login
	CL_CERT=$(cl_cert_label)
	e2e_check "$p: token label unchanged by the first login ('$CL_TOKEN')" \
		cl_expect_eq "token label" "$CL_TOKEN" "$(cl_token_label)"
	CL_NICK="$CL_TOKEN:$CL_CERT"
	cl_p11 -r -y cert --id 43494530 -o "$CL_W/holder-token.der" > /dev/null 2>&1 &&
		openssl x509 -inform DER -in "$CL_W/holder-token.der" -out "$CL_W/holder-token.pem"
	cl_start_s_server "$SRV" "$PORT" "$CL_W/id/ca.pem" || return 1

	e2e_check "$p: NSS DB lists '$CL_NICK'" nss_setup
	tls_check "$p: NSS tstclnt TLS 1.2" tstclnt_login tls1.2 TLSv1.2
	tls_check "$p: gnutls-cli (p11-kit) NORMAL:-VERS-TLS1.3" gnutls_login normal 'NORMAL:-VERS-TLS1.3'
	tls_check "$p: gnutls-cli (p11-kit) TLS 1.2 without PSS schemes" gnutls_login nopss "$NOPSS_GNUTLS"
	tls_check "$p: openssl s_client + libp11 TLS 1.2 (RSA+SHA* sigalgs)" s_client_login
	tls_check "$p: NSS tstclnt TLS 1.3 only: clean failure" tstclnt_refused tls1.3
	tls_check "$p: gnutls-cli TLS 1.3 only: clean failure" gnutls_refused
	e2e_check "$p: s_server still running" server_alive
	e2e_check "$p: carta-tool doctor explains TLS 1.3 (cie-no-pss)" doctor_no_pss
	tls_check "$p: NSS tstclnt TLS 1.2 after the failures" tstclnt_login tls1.2 TLSv1.2
	cl_stop_s_server
	cl_card_down
}

cl_make_server_cert "$SRV" || { e2e_check "server certificate" false; e2e_summary; exit 1; }
cl_p11kit_private || { e2e_check "private p11-kit registry" false; e2e_summary; exit 1; }
for p in "${PROFILES[@]}"; do
	run_profile "$p" || e2e_check "$p: card and server start" false
done
e2e_summary
