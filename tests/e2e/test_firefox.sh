#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# "carta-tool register --firefox" on a fresh Firefox ESR profile, then headless
# Firefox completes a TLS client-certificate login with the virtual CNS to
# openssl s_server -Verify 1 on 127.0.0.1, with no manual step: the PIN prompt
# is answered through Marionette by ../shared/tools/firefox/fflogin.py
# (docs/reference/test-stack.md 4). Pass = the page shows the holder's subject.
# Run as root: CARTA_BUILD=<plain build dir> tests/e2e/test_firefox.sh
# Ends with "N passed, M failed"; exit status non-zero on any failure.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
e2e_init "$@"

TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
FFLOGIN=${CARTA_FFLOGIN:-$TOP/../shared/tools/firefox/fflogin.py}
TOOL=$CARTA_BUILD/tools/carta-tool/carta-tool
MODULE=$CARTA_BUILD/src/pkcs11/carta-pkcs11.so
PIN=12345678
PORT=44330
CF=RSSMRA85M01H501Q
export HOME=$E2E_DIR/home LANG=C.UTF-8 LC_ALL=
mkdir -p "$HOME"
FFPID=; SRVPID=
stop_all() {
	local p
	for p in $FFPID $SRVPID; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
}
trap 'stop_all; e2e_cleanup' EXIT

if ! command -v firefox-esr >/dev/null || [ ! -f "$FFLOGIN" ]; then
	echo "firefox-esr or $FFLOGIN missing (tools/scripts/deps.sh test installs firefox-esr)"
	e2e_check "firefox-esr and fflogin.py present" false
	e2e_summary; exit 1
fi

# The virtual CNS, and a server that requires a certificate from its CA.
ID=$E2E_DIR/id
"$E2E_VCARD" make-identity --seed firefox --profile st --out "$ID" >/dev/null
e2e_start_card 0 st --identity "$ID"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$E2E_DIR/srvca.key" -out "$E2E_DIR/srvca.pem" \
	-days 30 -subj "/CN=carta test server CA" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$E2E_DIR/srv.key" -out "$E2E_DIR/srv.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$E2E_DIR/srv.ext"
openssl x509 -req -in "$E2E_DIR/srv.csr" -CA "$E2E_DIR/srvca.pem" -CAkey "$E2E_DIR/srvca.key" \
	-CAcreateserial -days 30 -extfile "$E2E_DIR/srv.ext" -out "$E2E_DIR/srv.pem" 2>/dev/null
openssl s_server -accept "127.0.0.1:$PORT" -cert "$E2E_DIR/srv.pem" -key "$E2E_DIR/srv.key" \
	-CAfile "$ID/ca.pem" -Verify 1 -www > "$E2E_DIR/s_server.log" 2>&1 &
SRVPID=$!
e2e_wait e2e_port_open "$PORT"

# A fresh profile, made by Firefox itself; carta-tool registers the module.
PROFILE=$E2E_DIR/profile
t_profile() {
	timeout 60 firefox-esr --headless -CreateProfile "carta $PROFILE" &&
		grep -qs "Path=$PROFILE" "$HOME/.config/mozilla/firefox/profiles.ini" "$HOME/.mozilla/firefox/profiles.ini"
}
t_register() {
	timeout 60 "$TOOL" register --firefox --module "$MODULE" | tee /dev/stderr |
		grep -qF "added to Firefox profile \"carta\"" &&
		grep -qF "library=$MODULE" "$PROFILE/pkcs11.txt"
}
e2e_check "fresh profile (firefox-esr -CreateProfile)" t_profile
e2e_check "register --firefox" t_register

# Trust the test server; pick the client certificate without a chooser.
certutil -A -d "sql:$PROFILE" -n "carta test server CA" -t "CT,," -i "$E2E_DIR/srvca.pem"
cat > "$PROFILE/user.js" <<'JS'
user_pref("security.default_personal_cert", "Select Automatically");
user_pref("network.dns.disableIPv6", true);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.enabled", false);
JS

TOKEN=$(timeout 60 pkcs11-tool --module "$MODULE" -L 2>/dev/null | sed -n 's/^ *token label *: *//p' | head -1)
echo "token label: $TOKEN"
firefox-esr --headless --marionette -remote-allow-system-access --no-remote --profile "$PROFILE" \
	about:blank > "$E2E_DIR/firefox.log" 2>&1 &
FFPID=$!

# fflogin.py answers the PIN prompt and loads the page, but prints only lines
# with "Subject: CN=" and the card's subject starts with C=IT: read the whole
# page again in a second Marionette session (the token is logged in now).
page() {
	timeout 120 python3 - "$(dirname "$FFLOGIN")" "https://localhost:$PORT/" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from marionette import M
m = M()
m.cmd("WebDriver:NewSession", {})
m.cmd("WebDriver:Navigate", {"url": sys.argv[2]})
print(m.cmd("WebDriver:GetPageSource")["value"])
m.cmd("WebDriver:DeleteSession")
PY
}
t_login() {
	timeout 120 python3 "$FFLOGIN" "https://localhost:$PORT/" "$TOKEN" "$PIN" > "$E2E_DIR/login.txt" 2>&1
	cat "$E2E_DIR/login.txt"
	grep -q 'Protocol  : TLSv1.3' "$E2E_DIR/login.txt" && grep -q 'Client certificate' "$E2E_DIR/login.txt" &&
		page > "$E2E_DIR/page.txt" 2>&1 &&
		grep -iE 'subject' "$E2E_DIR/page.txt" | tee /dev/stderr | grep -q "$CF"
}
e2e_check "token label read" [ -n "$TOKEN" ]
e2e_check "Firefox TLS 1.3 client-certificate login" t_login
e2e_summary
