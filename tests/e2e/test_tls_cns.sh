#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TLS client-certificate login through carta-pkcs11.so with a virtual CNS
# card (docs/reference/test-stack.md section 3): openssl s_server -Verify 1 -www on
# 127.0.0.1 trusts the virtual card's CA; each client authenticates with the
# card's key and certificate, over TLS 1.2 and TLS 1.3:
#   NSS tstclnt (module added with modutil to a private NSS DB),
#   gnutls-cli through p11-kit (private module registry, carta only),
#   openssl s_client with the libp11 engine, curl with the libp11 engine
#   (key and certificate from the token).
# Pass oracle: the server's status page shows "Subject: ...CN=<holder CF>/..."
# and the protocol asked for. CNS cards do raw RSA, so RSA-PSS (TLS 1.3 and
# the TLS 1.2 PSS signature schemes) must work.
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_tls_cns.sh [profiles...]
# Ends with "N passed, M failed"; exit status non-zero on any failure.

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"

PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(st classic)
PORT=44330
SRV=$E2E_DIR/server

# The page of openssl s_server -www, in $1: client certificate subject with
# the holder's codice fiscale, and the protocol $2.
page_ok() {
	local out=$1 proto=$2 got
	got=$(sed -n 's/^ *Protocol *: *//p' "$out" | head -n1 | tr -d '\r')
	if ! grep -Eq "Subject:.*CN *= *$CL_CF\\\\?/" "$out"; then
		echo "no 'Subject: ...CN=$CL_CF/...' on the server page; client output:"
		tail -n 40 "$out"
		return 1
	fi
	cl_expect_eq "negotiated protocol" "$proto" "$got" || return 1
	printf '%s, %s\n' "$got" "$(grep -Em1 'Subject:.*CN' "$out" | sed 's/^ *//')" \
		> "$CL_W/seen.txt"
}

# e2e_check, then what the server saw (protocol, client subject).
tls_check() {
	rm -f "$CL_W/seen.txt"
	e2e_check "$@"
	[ -s "$CL_W/seen.txt" ] && sed 's/^/       /' "$CL_W/seen.txt"
	return 0
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

tstclnt_login() {
	local v=$1 proto=$2 out=$CL_W/tstclnt-$1.out
	printf 'GET / HTTP/1.0\r\n\r\n' > "$CL_W/req.txt"
	timeout 60 tstclnt -4 -h localhost -p "$PORT" -d "sql:$CL_W/nss" -n "$CL_NICK" \
		-w "$CL_PIN" -V "$v:$v" -A "$CL_W/req.txt" > "$out" 2>&1
	page_ok "$out" "$proto"
}

gnutls_login() {
	local v=$1 proto=$2 out=$CL_W/gnutls-$1.out uri
	uri="pkcs11:token=$(cl_uri_enc "$CL_TOKEN");object=$(cl_uri_enc "$CL_CERT")"
	printf 'GET / HTTP/1.0\r\n\r\n' |
		GNUTLS_PIN=$CL_PIN timeout 60 gnutls-cli --x509cafile "$SRV/srvca.pem" \
			--priority "NORMAL:-VERS-ALL:+VERS-$v" \
			--x509certfile "$uri;type=cert" --x509keyfile "$uri;type=private" \
			-p "$PORT" localhost > "$out" 2>&1
	page_ok "$out" "$proto"
}

s_client_login() {
	local v=$1 proto=$2 out=$CL_W/s_client-$1.out uri
	uri="pkcs11:token=$(cl_uri_enc "$CL_TOKEN");object=$(cl_uri_enc "$CL_CERT");type=private"
	printf 'GET / HTTP/1.0\r\n\r\n' |
		PKCS11_MODULE_PATH=$CL_MODULE timeout 60 openssl s_client -connect "127.0.0.1:$PORT" \
			"-$v" "${CL_SECLEVEL[@]}" -CAfile "$SRV/srvca.pem" -engine pkcs11 -keyform engine \
			-key "$uri" -pass "pass:$CL_PIN" -cert "$CL_W/holder-token.pem" -ign_eof \
			> "$out" 2>&1
	page_ok "$out" "$proto"
}

curl_login() {
	local v=$1 proto=$2 out=$CL_W/curl-$1.out uri
	uri="pkcs11:token=$(cl_uri_enc "$CL_TOKEN");object=$(cl_uri_enc "$CL_CERT")"
	env "${CL_CURL_ENV[@]}" PKCS11_MODULE_PATH="$CL_MODULE" timeout 60 curl -sS \
		--cacert "$SRV/srvca.pem" "--tlsv$v" --tls-max "$v" --engine pkcs11 \
		--key-type ENG --key "$uri;type=private;pin-value=$CL_PIN" \
		--cert-type ENG --cert "$uri;type=cert" "https://localhost:$PORT/" > "$out" 2>&1
	page_ok "$out" "TLSv$v"
}

run_profile() {
	local p=$1
	cl_card_up "$p" || return 1
	CL_CERT=$(cl_cert_label)
	CL_TOKEN=$(cl_token_label)
	CL_NICK="$CL_TOKEN:$CL_CERT"
	# The certificate exported from the token for s_client.
	cl_p11 -r -y cert --id 01 -o "$CL_W/holder-token.der" > /dev/null 2>&1 &&
		openssl x509 -inform DER -in "$CL_W/holder-token.der" -out "$CL_W/holder-token.pem"
	# CNS 1.0 cards carry RSA-1024 keys: OpenSSL's default security level 2
	# refuses them on both ends, so the classic profile runs at level 1.
	CL_SECLEVEL=()
	CL_CURL_ENV=()
	local srvsec=()
	if [ "$(openssl x509 -in "$CL_W/id/holder.pem" -noout -text |
		sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p')" -lt 2048 ]; then
		CL_SECLEVEL=(-cipher 'DEFAULT:@SECLEVEL=1')
		# curl checks its certificate before applying --ciphers: use a config.
		printf '%s\n' 'openssl_conf = c' '[c]' 'ssl_conf = s' '[s]' 'system_default = d' '[d]' \
			'CipherString = DEFAULT:@SECLEVEL=1' > "$CL_W/seclevel1.cnf"
		CL_CURL_ENV=("OPENSSL_CONF=$CL_W/seclevel1.cnf")
		srvsec=(-cipher 'DEFAULT:@SECLEVEL=1')
	fi
	cl_start_s_server "$SRV" "$PORT" "$CL_W/id/ca.pem" "${srvsec[@]}" || return 1

	e2e_check "$p: NSS DB lists '$CL_NICK'" nss_setup
	tls_check "$p: NSS tstclnt TLS 1.2" tstclnt_login tls1.2 TLSv1.2
	tls_check "$p: NSS tstclnt TLS 1.3" tstclnt_login tls1.3 TLSv1.3
	tls_check "$p: gnutls-cli (p11-kit) TLS 1.2" gnutls_login TLS1.2 TLSv1.2
	tls_check "$p: gnutls-cli (p11-kit) TLS 1.3" gnutls_login TLS1.3 TLSv1.3
	tls_check "$p: openssl s_client + libp11 TLS 1.2" s_client_login tls1_2 TLSv1.2
	tls_check "$p: openssl s_client + libp11 TLS 1.3" s_client_login tls1_3 TLSv1.3
	tls_check "$p: curl --engine pkcs11 TLS 1.2" curl_login 1.2
	tls_check "$p: curl --engine pkcs11 TLS 1.3" curl_login 1.3
	cl_stop_s_server
	cl_card_down
}

cl_make_server_cert "$SRV" || { e2e_check "server certificate" false; e2e_summary; exit 1; }
cl_p11kit_private || { e2e_check "private p11-kit registry" false; e2e_summary; exit 1; }
for p in "${PROFILES[@]}"; do
	run_profile "$p" || e2e_check "$p: card and server start" false
done
e2e_summary
