#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# carta's main job, on a fresh Debian 12 machine: a real TLS client-certificate
# login THROUGH carta-pkcs11.so with the built-in virtual ST 2021 TS-CNS card.
#   1. installs the Debian packages it lacks (tools/scripts/deps.sh test)
#   2. builds a plain tree in build/
#   3. in a private mount + network namespace (nothing touches the system's
#      pcscd, ports or NSS databases): pcscd + vpcd + carta-vcard (profile st),
#      openssl s_server -Verify 1 -www on 127.0.0.1 trusting the card's CA
#   4. NSS tstclnt (the TLS stack of Firefox) logs in with the card's key and
#      certificate through the module, TLS 1.3, PIN 12345678
#   5. prints who the server saw. Exit status 0 on success.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ -z "${CARTA_E2E_IN_NS:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo > /dev/null || { echo "carta demo: run as root (or install sudo)" >&2; exit 1; }
		exec sudo -- bash "$0" "$@"
	fi
	echo "carta demo: checking packages..."
	bash "$top/tools/scripts/deps.sh" test || exit 1
	echo "carta demo: building (log: build/demo-build.log)..."
	mkdir -p "$top/build"
	{ cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
		cmake --build "$top/build" -j"$(nproc)"; } > "$top/build/demo-build.log" 2>&1 ||
		{ tail -n 30 "$top/build/demo-build.log"; echo "carta demo: build failed" >&2; exit 1; }
fi

export CARTA_BUILD=$top/build
. "$top/tests/e2e/lib.sh"
e2e_init "$@"           # re-executes this script inside the private namespace
. "$top/tests/e2e/lib_clients.sh"

PROFILE=st
PORT=44330
fail() { echo "carta demo: FAILED: $*" >&2; exit 1; }

echo "carta demo: starting pcscd + virtual card '$PROFILE' in a private namespace..."
cl_card_up "$PROFILE" || fail "the virtual card did not come up"
label=$(cl_token_label)
cert=$(cl_cert_label)
[ -n "$label" ] && [ -n "$cert" ] || fail "carta-pkcs11.so shows no token/certificate"

srv=$E2E_DIR/server
cl_make_server_cert "$srv" || fail "could not make the server certificate"
cl_start_s_server "$srv" "$PORT" "$CL_W/id/ca.pem" || fail "openssl s_server did not start"

echo "carta demo: TLS login to https://localhost:$PORT/ with the card (token '$label')..."
db=$E2E_DIR/nssdb
mkdir -p "$db"
certutil -N -d "sql:$db" --empty-password &&
	modutil -dbdir "sql:$db" -add carta -libfile "$CL_MODULE" -force > /dev/null &&
	certutil -A -d "sql:$db" -n server-ca -t CT,, -a -i "$srv/srvca.pem" ||
	fail "NSS database setup"
printf 'GET / HTTP/1.0\r\n\r\n' > "$E2E_DIR/req.txt"
timeout 60 tstclnt -4 -h localhost -p "$PORT" -d "sql:$db" -n "$label:$cert" -w "$CL_PIN" \
	-V tls1.2:tls1.3 -A "$E2E_DIR/req.txt" > "$E2E_DIR/page.txt" 2>&1

subject=$(grep -m1 'Subject:.*CN *=' "$E2E_DIR/page.txt" | sed 's/^ *Subject: *//')
proto=$(sed -n 's/^ *Protocol *: *//p' "$E2E_DIR/page.txt" | head -n1 | tr -d '\r')
if [ -z "$subject" ] || [ -z "$proto" ]; then
	tail -n 20 "$E2E_DIR/page.txt" >&2
	fail "the server saw no client certificate"
fi
cn=$(sed -n 's/.*CN *= *\([^,]*\).*/\1/p' <<< "$subject" | sed 's|\\/|/|g')
given=$(sed -n 's/.*GN *= *\([^,/]*\).*/\1/p' <<< "$subject")
surname=$(sed -n 's/.*SN *= *\([^,/]*\).*/\1/p' <<< "$subject")
echo
echo "Logged in as: CN=$cn ($given $surname) over $proto with $(basename "$CL_MODULE") on virtual card '$PROFILE'"
