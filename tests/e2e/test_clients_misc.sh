#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Other PKCS#11 consumers of carta-pkcs11.so on a virtual CNS card:
#   ssh-keygen -D prints the certificate's public key,
#   p11-kit list-modules shows the module and the token (private registry),
#   GnuTLS p11tool lists the token, exports the certificate and test-signs.
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_clients_misc.sh [profiles...]
# Ends with "N passed, M failed"; exit status non-zero on any failure.

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"

PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(st classic)

ssh_key() {
	local want got
	want=$(ssh-keygen -i -m PKCS8 -f "$CL_W/pub.pem" | awk '{print $1, $2}') || return 1
	timeout 60 ssh-keygen -D "$CL_MODULE" > "$CL_W/ssh.txt" 2>&1
	got=$(awk '/^ssh-/ {print $1, $2}' "$CL_W/ssh.txt")
	cl_expect_eq "ssh-keygen -D key" "$want" "$got"
}

p11kit_list() {
	timeout 60 p11-kit list-modules > "$CL_W/p11kit.txt" 2>&1
	cat "$CL_W/p11kit.txt"
	cl_grep "$CL_W/p11kit.txt" "^carta: $CL_MODULE\$" &&
		cl_grep "$CL_W/p11kit.txt" "^ +token: $CL_HOLDER\$" || return 1
	# Hermetic: only carta is registered (no opensc-pkcs11 grabbing the reader).
	if grep -Eq '^[a-z0-9-]+: ' "$CL_W/p11kit.txt" && grep -E '^[a-z0-9-]+: ' "$CL_W/p11kit.txt" |
		grep -vq '^carta: '; then
		echo "modules other than carta are registered"
		return 1
	fi
}

p11tool_tokens() {
	timeout 60 p11tool --provider "$CL_MODULE" --list-tokens > "$CL_W/p11tool-tokens.txt" 2>&1
	cl_grep "$CL_W/p11tool-tokens.txt" "Label: $CL_HOLDER\$" &&
		cl_grep "$CL_W/p11tool-tokens.txt" "URL: pkcs11:.*token=$(cl_uri_enc "$CL_HOLDER")"
}

p11tool_export() {
	local uri=$1
	timeout 60 p11tool --provider "$CL_MODULE" --export "$uri;type=cert" > "$CL_W/exp.pem" 2>&1 &&
		openssl x509 -in "$CL_W/exp.pem" -outform DER -out "$CL_W/exp.der" &&
		cmp "$CL_W/exp.der" "$CL_W/id/holder.der"
}

p11tool_test_sign() {
	local uri=$1 out=$CL_W/p11tool-sign.txt
	GNUTLS_PIN=$CL_PIN timeout 60 p11tool --provider "$CL_MODULE" --login --test-sign "$uri" \
		> "$out" 2>&1
	local rc=$?
	cat "$out"
	[ $rc = 0 ] &&
		cl_grep "$out" '^Signing using RSA-SHA256\.\.\. ok' &&
		cl_grep "$out" '^Verifying against private key parameters\.\.\. ok' &&
		cl_grep "$out" '^Verifying against public key in the token\.\.\. ok' &&
		! grep -qi 'fail' "$out"
}

run_profile() {
	local p=$1 uri
	cl_card_up "$p" || return 1
	uri="pkcs11:token=$(cl_uri_enc "$CL_HOLDER");object=$(cl_uri_enc "$(cl_cert_label)")"
	e2e_check "$p: ssh-keygen -D = certificate public key" ssh_key
	e2e_check "$p: p11-kit list-modules: carta + token" p11kit_list
	e2e_check "$p: p11tool --list-tokens" p11tool_tokens
	e2e_check "$p: p11tool --export = the card's certificate" p11tool_export "$uri"
	e2e_check "$p: p11tool --login --test-sign" p11tool_test_sign "$uri"
	cl_card_down
}

cl_p11kit_private || { e2e_check "private p11-kit registry" false; e2e_summary; exit 1; }
for p in "${PROFILES[@]}"; do
	run_profile "$p" || e2e_check "$p: card start" false
done
e2e_summary
