#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Differential test: carta-pkcs11.so and OpenSC's opensc-pkcs11.so (driver
# itacns) read the same virtual CNS card; the certificate (DER) and the
# public key (modulus, exponent, DER) they expose must be byte-identical,
# and equal to the card's own certificate.
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_diff_opensc.sh [profiles...]
# Ends with "N passed, M failed"; exit status non-zero on any failure.

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"

PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(st classic)

# OpenSC through vpcd: extended APDUs although the reader advertises no
# limits (docs/reference/test-stack.md "vpcd quirks"), no file cache.
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
}
EOF

# read_both TYPE: $CL_W/{carta,opensc}.TYPE.der from each module.
read_both() {
	local t=$1 idc ido
	idc=$(cl_cert_id)
	ido=$(cl_osc -O --type cert 2>/dev/null | sed -n 's/^ *ID: *//p' | head -n1)
	[ -n "$idc" ] && [ -n "$ido" ] || { echo "cert ID: carta [$idc] opensc [$ido]"; return 1; }
	cl_expect_eq "CKA_ID of the certificate" "$ido" "$idc" || return 1
	cl_p11 -r -y "$t" --id "$idc" -o "$CL_W/carta.$t.der" &&
		cl_osc -r -y "$t" --id "$ido" -o "$CL_W/opensc.$t.der"
}

same_cert() {
	read_both cert || return 1
	cmp "$CL_W/opensc.cert.der" "$CL_W/carta.cert.der" &&
		cmp "$CL_W/id/holder.der" "$CL_W/carta.cert.der"
}

rsa_field() { # DER-pubkey-file field(modulus|exponent)
	if [ "$2" = modulus ]; then
		openssl rsa -pubin -inform DER -in "$1" -noout -modulus 2>&1
	else
		openssl rsa -pubin -inform DER -in "$1" -noout -text 2>&1 | sed -n 's/^Exponent: *//p'
	fi
}

same_pubkey() {
	read_both pubkey || return 1
	local f
	for f in modulus exponent; do
		cl_expect_eq "$f (carta vs OpenSC)" "$(rsa_field "$CL_W/opensc.pubkey.der" $f)" \
			"$(rsa_field "$CL_W/carta.pubkey.der" $f)" || return 1
	done
	cl_expect_eq "modulus (carta vs the certificate)" \
		"$(openssl x509 -in "$CL_W/id/holder.pem" -noout -modulus)" \
		"$(rsa_field "$CL_W/carta.pubkey.der" modulus)" || return 1
	cmp "$CL_W/opensc.pubkey.der" "$CL_W/carta.pubkey.der"
}

for p in "${PROFILES[@]}"; do
	if cl_card_up "$p"; then
		e2e_check "$p: certificate DER: carta = OpenSC = card" same_cert
		e2e_check "$p: public key: carta = OpenSC = certificate" same_pubkey
		cl_card_down
	else
		e2e_check "$p: card start" false
	fi
done
e2e_summary
