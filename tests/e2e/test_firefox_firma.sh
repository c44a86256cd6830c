#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 13: "A TLS client login (browsers) must keep using the CNS key and
# never ask for the signature PIN". Headless Firefox ESR, with carta
# registered by "carta-tool register --firefox", logs in to openssl s_server
# -Verify 1 with a virtual st card that carries the signature key set (--ds:
# tokens "NAME (CNS)" and "NAME (firma)"). Nothing logs in beforehand: every
# password prompt Firefox shows during the TLS handshake is recorded (its
# text names the token) and answered with the CNS PIN only if it names the
# CNS token, else cancelled. Pass = the page shows the CNS certificate, the
# prompts named the CNS token only, the card's log has no VERIFY of the
# signature PIN nor any use of the signature key, and the card's own counter
# of the signature PIN is full at the end (docs/pkcs11.md "The signature
# token needs no login"). The prompts are answered through Marionette
# (../shared/tools/firefox/marionette.py, docs/reference/test-stack.md 4).
# Run as root: CARTA_BUILD=<plain build dir> tests/e2e/test_firefox_firma.sh
# Ends with "N passed, M failed"; exit status non-zero on any failure.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
e2e_init "$@"

TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
FFTOOLS=$(dirname "${CARTA_FFLOGIN:-$TOP/../shared/tools/firefox/fflogin.py}")
TOOL=$CARTA_BUILD/tools/carta-tool/carta-tool
MODULE=$CARTA_BUILD/src/pkcs11/carta-pkcs11.so
PIN=12345678
PORT=44331
CF=RSSMRA85M01H501Q
export HOME=$E2E_DIR/home LANG=C.UTF-8 LC_ALL=
mkdir -p "$HOME"
FFPID=; SRVPID=
stop_ff() {
	[ -n "$FFPID" ] || return 0
	kill "$FFPID" 2>/dev/null
	wait "$FFPID" 2>/dev/null
	FFPID=
}
stop_all() {
	stop_ff
	[ -n "$SRVPID" ] && kill "$SRVPID" 2>/dev/null && wait "$SRVPID" 2>/dev/null
}
trap 'stop_all; e2e_cleanup' EXIT

if ! command -v firefox-esr >/dev/null || [ ! -f "$FFTOOLS/marionette.py" ]; then
	echo "firefox-esr or $FFTOOLS/marionette.py missing (tools/scripts/deps.sh test installs firefox-esr)"
	e2e_check "firefox-esr and marionette.py present" false
	e2e_summary; exit 1
fi

# The virtual CNS with the signature key set, and a server that requires a
# certificate from its CA.
ID=$E2E_DIR/id
"$E2E_VCARD" make-identity --seed firefox-firma --profile st --ds --out "$ID" >/dev/null
e2e_start_card 0 st --identity "$ID" --ds
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

labels() {
	timeout 60 pkcs11-tool --module "$MODULE" -L 2>/dev/null | sed -n 's/^ *token label *: *//p' |
		sed 's/ *$//'
}
CNS_TOKEN=$(labels | grep ' (CNS)$')
FIRMA_TOKEN=$(labels | grep ' (firma)$')
echo "tokens: '$CNS_TOKEN', '$FIRMA_TOKEN'"
t_tokens() { [ -n "$CNS_TOKEN" ] && [ -n "$FIRMA_TOKEN" ]; }
e2e_check "two tokens: NAME (CNS) and NAME (firma)" t_tokens

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

firefox-esr --headless --marionette -remote-allow-system-access --no-remote --profile "$PROFILE" \
	about:blank > "$E2E_DIR/firefox.log" 2>&1 &
FFPID=$!

# Chrome JS: every common dialog (the PKCS#11 password prompt is one,
# "Please enter the password for the PKCS#11 token NAME.") is recorded in a
# pref, then answered with the PIN when it names the CNS token, cancelled
# otherwise. Then the page is loaded with no login made before: the
# handshake's client-certificate search is what prompts. Firefox ESR's
# text: "Please authenticate to the security device (NAME (CNS))." 
browse() {
	timeout 180 python3 - "$FFTOOLS" "https://localhost:$PORT/" "$CNS_TOKEN" "$PIN" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1])
from marionette import M
url, cns, pin = sys.argv[2:5]
m = M()
m.cmd("WebDriver:NewSession", {})
m.cmd("Marionette:SetContext", {"value": "chrome"})
WATCH = """
  const [cns, pin] = arguments;
  Services.prefs.setStringPref("carta.test.prompts", "[]");
  const obs = { observe(subject, topic) {
      const w = subject.document ? subject : subject.ownerGlobal;
      const d = w.document;
      const body = d.getElementById("infoBody");
      const text = body ? body.textContent : "";
      const seen = JSON.parse(Services.prefs.getStringPref("carta.test.prompts"));
      seen.push(text);
      Services.prefs.setStringPref("carta.test.prompts", JSON.stringify(seen));
      const dlg = d.querySelector("dialog");
      const pw = d.getElementById("password1Textbox");
      if (pw && text.includes(cns)) {
        pw.value = pin;
        w.setTimeout(() => dlg.acceptDialog(), 0);
      } else {
        w.setTimeout(() => dlg.cancelDialog(), 0);
      }
  } };
  Services.obs.addObserver(obs, "common-dialog-loaded");
  return "watching";"""
print("chrome:", m.cmd("WebDriver:ExecuteScript", {"args": [cns, pin], "script": WATCH}))
m.cmd("Marionette:SetContext", {"value": "content"})
# the prompt, opened during the handshake, ends the navigation early (an
# empty page): the page is loaded again once the prompt was answered
src = ""
for _ in range(20):
    m.cmd("WebDriver:Navigate", {"url": url})
    src = m.cmd("WebDriver:GetPageSource")["value"]
    if "Client certificate" in src or "Protocol" in src:
        break
    time.sleep(1)
print(src)
m.cmd("Marionette:SetContext", {"value": "chrome"})
seen = m.cmd("WebDriver:ExecuteScript", {"args": [], "script":
             'return Services.prefs.getStringPref("carta.test.prompts");'})["value"]
print("PROMPTS:", seen)
m.cmd("WebDriver:DeleteSession")
PY
}

# The card's log: what using the signature token looks like on the wire
# (tests/e2e/test_firma.sh SIGN_USE: VERIFY/CHANGE/RESET RETRY COUNTER of
# PIN 1A/9A with data, MSE naming key 10, PSO CDS under the DS application).
SIGN_USE='^> 00 (20|24|2C) 00 (1A|9A) [0-9A-F]{2} |^> 00 22 F1 B[68] 03 83 01 10|^> 00 2A 9E 9A'
MARK=$(wc -l < "$E2E_DIR/card0.log")

t_login() {
	browse > "$E2E_DIR/browse.txt" 2>&1
	grep -iE 'subject|PROMPTS|Protocol' "$E2E_DIR/browse.txt"
	grep -q 'Client certificate' "$E2E_DIR/browse.txt" &&
		grep -iE 'subject' "$E2E_DIR/browse.txt" | grep -q "$CF"
}
# Firefox asked for a password at least once, and only the CNS token's.
t_prompts() {
	python3 - "$E2E_DIR/browse.txt" "$CNS_TOKEN" "$FIRMA_TOKEN" <<'PY'
import json, sys
line = [l for l in open(sys.argv[1]) if l.startswith("PROMPTS: ")]
seen = json.loads(line[-1][len("PROMPTS: "):]) if line else None
print("prompts:", seen)
ok = bool(seen) and all(sys.argv[2] in t and sys.argv[3] not in t for t in seen)
sys.exit(0 if ok else 1)
PY
}
t_no_sign_use() {
	if tail -n +"$((MARK + 1))" "$E2E_DIR/card0.log" | grep -Eq "$SIGN_USE"; then
		echo "the signature PIN or key was used:"
		tail -n +"$((MARK + 1))" "$E2E_DIR/card0.log" | grep -E "$SIGN_USE"
		return 1
	fi
	tail -n +"$((MARK + 1))" "$E2E_DIR/card0.log" | grep -Eq '^> 00 20 00 (10|90) [0-9A-F]{2} ' ||
		{ echo "no VERIFY of the CNS PIN in the log"; return 1; }
}
e2e_check "Firefox TLS client-certificate login with the CNS key, no login made before" t_login
e2e_check "Firefox asked for the CNS token's PIN only (prompt text names it)" t_prompts
e2e_check "the card saw no VERIFY of the signature PIN, no use of its key" t_no_sign_use
stop_ff
e2e_stop_card 0
grep 'stats:' "$E2E_DIR/card0.log" | tail -1 > "$E2E_DIR/stats"
cat "$E2E_DIR/stats"
e2e_check "the card's counters at the end: signature PIN and CNS PIN full" \
	bash -c "grep -qw ds_pin_tries=3 '$E2E_DIR/stats' && grep -qw pin_tries=3 '$E2E_DIR/stats'"
e2e_summary
