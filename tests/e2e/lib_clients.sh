# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: BSD-3-Clause
# Helpers shared by the client end-to-end tests (test_p11tool_cns.sh,
# test_tls_cns.sh, test_clients_misc.sh, test_p11test_cns.sh,
# test_diff_opensc.sh), on top of lib.sh (sourced first, e2e_init done).
#
#   cl_card_up PROFILE [serve options...]   identity + card in slot 0
#   cl_card_down                            stop it (stats to the log)
#   cl_p11 ARGS...                          pkcs11-tool on carta, first slot
#   cl_p11kit_private                       p11-kit sees only carta
#   cl_expect_eq WHAT EXPECTED GOT          check helper with a clear message

CL_MODULE=${CARTA_PKCS11:-$CARTA_BUILD/src/pkcs11/carta-pkcs11.so}
CL_OPENSC=${OPENSC_PKCS11:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
CL_PIN=12345678
CL_PUK=87654321
# The virtual card's default holder (carta-vcard make-identity).
CL_CF=RSSMRA85M01H501Q
CL_HOLDER="MARIO ROSSI"
CL_W=
CL_PROFILE=

if [ ! -f "$CL_MODULE" ]; then
	e2e_log "no PKCS#11 module at $CL_MODULE"
	exit 2
fi

# cl_card_up PROFILE [carta-vcard serve options...]
# Writes a deterministic identity (seed e2e-PROFILE) to $CL_W/id and serves it.
# $CL_W/id/{ca.pem,holder.pem,holder.der}; $CL_W/pub.pem = holder public key.
cl_card_up() {
	local profile=$1
	shift
	CL_PROFILE=$profile
	CL_W=$E2E_DIR/$profile
	rm -rf "$CL_W"
	mkdir -p "$CL_W"
	"$E2E_VCARD" make-identity --seed "e2e-$profile" --profile "$profile" \
		--out "$CL_W/id" >/dev/null || return 1
	openssl x509 -in "$CL_W/id/holder.pem" -pubkey -noout > "$CL_W/pub.pem" || return 1
	e2e_start_card 0 "$profile" --identity "$CL_W/id" "$@"
}

cl_card_down() {
	e2e_stop_card 0
	e2e_card_stats 0 >&2
	# pcscd sees the removal on its next poll: wait, so that the next card
	# started in this slot is not mistaken for the old one.
	e2e_wait e2e_card_absent 0
}

cl_p11() { timeout 60 pkcs11-tool --module "$CL_MODULE" --slot-index 0 "$@"; }
cl_osc() { timeout 60 pkcs11-tool --module "$CL_OPENSC" --slot-index 0 "$@"; }

# The token label as carta reports it (pkcs11-tool -L, first token).
cl_token_label() {
	timeout 60 pkcs11-tool --module "$CL_MODULE" -L 2>/dev/null |
		sed -n 's/^ *token label *: *//p' | head -n1 | sed 's/ *$//'
}

# The label of the certificate object with CKA_ID 01.
cl_cert_label() {
	cl_p11 -O --type cert 2>/dev/null | sed -n 's/^ *label: *//p' | head -n1 | sed 's/ *$//'
}

# The CKA_ID (hex) of the first certificate object.
cl_cert_id() {
	cl_p11 -O --type cert 2>/dev/null | sed -n 's/^ *ID: *//p' | head -n1 | sed 's/ *$//'
}

# RFC 7512 percent-encoding for pkcs11: URIs.
cl_uri_enc() {
	local s=$1 i c out=
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

cl_expect_eq() {
	if [ "$2" = "$3" ]; then
		return 0
	fi
	printf '%s: expected [%s], got [%s]\n' "$1" "$2" "$3"
	return 1
}

# cl_grep FILE REGEX: grep -E that prints what it looked for and the file on a miss.
cl_grep() {
	if grep -Eq -- "$2" "$1"; then
		return 0
	fi
	printf 'expected /%s/ in output, got:\n' "$2"
	tail -n 30 "$1"
	return 1
}

# p11-kit: only carta is registered, inside this mount namespace. Debian has
# no /etc/pkcs11/modules by default, so the package directory
# /usr/share/p11-kit/modules (opensc-pkcs11, p11-kit-trust) is covered by a
# tmpfs holding carta.module; /etc/pkcs11/modules, if present, is emptied the
# same way (docs/reference/test-stack.md 2d and 5 "Pitfall"). Root ignores ~/.config.
cl_p11kit_private() {
	local d
	for d in /usr/share/p11-kit/modules /etc/pkcs11/modules; do
		[ -d "$d" ] || continue
		mount -t tmpfs tmpfs "$d" || return 1
	done
	printf 'module: %s\ncritical: yes\n' "$CL_MODULE" > /usr/share/p11-kit/modules/carta.module
	export P11_KIT_NO_USER_CONFIG=1
}

# A private CA + server certificate (CN=localhost, SAN DNS:localhost,
# IP:127.0.0.1) in DIR: server.pem, server.key, srvca.pem.
cl_make_server_cert() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/srvca.key" -out "$d/srvca.pem" \
		-days 30 -subj "/CN=carta e2e server CA" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1 || return 1
	openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/CN=localhost" >/dev/null 2>&1 || return 1
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
		> "$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/srvca.pem" -CAkey "$d/srvca.key" \
		-CAcreateserial -days 30 -extfile "$d/server.ext" -out "$d/server.pem" >/dev/null 2>&1
}

# cl_start_s_server DIR PORT CLIENT_CA_PEM [s_server options...]:
# openssl s_server -Verify 1 -www on 127.0.0.1:PORT; sets CL_SSERVER_PID;
# waits until the port is open.
CL_SSERVER_PID=
cl_start_s_server() {
	local d=$1 port=$2 ca=$3
	shift 3
	openssl s_server -accept "127.0.0.1:$port" -cert "$d/server.pem" -key "$d/server.key" \
		-CAfile "$ca" -Verify 1 -www "$@" > "$d/s_server.log" 2>&1 < /dev/null &
	CL_SSERVER_PID=$!
	if ! e2e_wait e2e_port_open "$port"; then
		e2e_log "s_server did not listen on $port"
		cat "$d/s_server.log" >&2
		return 1
	fi
}
cl_stop_s_server() {
	[ -n "$CL_SSERVER_PID" ] || return 0
	kill "$CL_SSERVER_PID" 2>/dev/null
	wait "$CL_SSERVER_PID" 2>/dev/null
	CL_SSERVER_PID=
}

# Extra processes started by the client tests stop before lib.sh's cleanup.
declare -a CL_PIDS=()
cl_cleanup() {
	local p
	cl_stop_s_server
	for p in "${CL_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	CL_PIDS=()
}
trap 'cl_cleanup; e2e_cleanup' EXIT
