#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The checks of tests/pkg/test_fresh_root.sh, run as root INSIDE the fresh
# Debian 12 root (chroot), one phase at a time:
#   in_root.sh install   apt install ./carta-*.deb, then the browsers and the
#                        test stack (network)
#   in_root.sh test      as a new user: Firefox (no carta command), Chromium
#                        (after the autostart command), Thunderbird, one token
#                        with OpenSC installed (private network namespace)
#   in_root.sh purge     apt purge: nothing of carta's left
# /debs holds the packages, /t this folder and marionette.py (firefox/);
# ff.py answers the PIN prompt (fflogin.py expects a newer Firefox than 140).
# Prints "ok   NAME" / "FAIL NAME" lines; test_fresh_root.sh counts them.
set -u
export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
U=ana
UH=/home/$U
PORT=44330
W=/srv/carta-test
CF=RSSMRA85M01H501Q
MODULE=/usr/lib/x86_64-linux-gnu/pkcs11/carta-pkcs11.so
POLICY=/etc/firefox/policies/policies.json
MARIONETTE=/t/firefox
mkdir -p "$W"

check() {
	local name=$1
	shift
	if "$@" > "$W/last.out" 2>&1; then
		printf 'ok   %s\n' "$name"
	else
		printf 'FAIL %s\n' "$name"
		sed 's/^/     | /' "$W/last.out" | tail -25
	fi
}
info() { printf 'info %s\n' "$*"; }
# setpriv execs the command itself, so $! after "as_user ... &" is its pid
as_user() { setpriv --reuid="$U" --regid="$U" --init-groups env HOME="$UH" USER="$U" LOGNAME="$U" LANG=C.UTF-8 "$@"; }
wait_for() { # wait_for SECONDS command...
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
installed() { for p; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || { echo "$p not installed"; return 1; }; done; }

phase_install() {
	apt-get update -qq || return 1
	t_apt() {
		apt-get install -y /debs/carta-pkcs11_*.deb /debs/carta-tool_*.deb /debs/carta-vcard_*.deb &&
			installed carta-pkcs11 carta-tool carta-vcard pcscd libccid jq libnss3-tools
	}
	check "apt install ./carta-*.deb (pcscd, libccid, jq, libnss3-tools pulled from Debian)" t_apt
	check "postinst: carta in Firefox's policy ($POLICY)" \
		jq -e --arg m "$MODULE" '.policies.SecurityDevices.Add.carta == $m' "$POLICY"
	check "autostart entry installed" grep -qx 'Exec=carta-tool register --all --quiet' \
		/etc/xdg/autostart/carta-tool-register.desktop
	# the test stack and the three clients; opensc-pkcs11 is there from the
	# start, so every step runs with a second module that knows the CNS
	apt-get install -y --no-install-recommends firefox-esr chromium thunderbird vsmartcard-vpcd \
		openssl xvfb xauth xdotool python3 python3-websocket iproute2 procps opensc-pkcs11 p11-kit \
		fonts-dejavu-core > "$W/apt-tools.log" 2>&1 || { tail -20 "$W/apt-tools.log"; return 1; }
	info "$(dpkg-query -W -f='${Package} ${Version}\n' firefox-esr chromium thunderbird opensc-pkcs11 | tr '\n' ' ')"
	useradd -m -s /bin/bash "$U"
}

start_stack() {
	ip link set lo up
	mkdir -p /run/pcscd
	rm -f /run/pcscd/pcscd.pid /run/pcscd/pcscd.comm
	pcscd -f > "$W/pcscd.log" 2>&1 &
	echo $! > "$W/pcscd.pid"
	wait_for 15 sh -c 'ss -ltn | grep -q ":35963 "' || { echo "pcscd did not start"; return 1; }
	carta-vcard make-identity --seed pkg --profile st --out "$W/id" > /dev/null || return 1
	carta-vcard serve --profile st --identity "$W/id" --port 35963 > "$W/card.log" 2>&1 &
	echo $! > "$W/card.pid"
	wait_for 15 sh -c 'carta-tool list 2>/dev/null | grep -q "driver: *cns"' || { carta-tool list; echo "card not seen"; return 1; }
	# a server that asks for a certificate from the card's CA
	cd "$W" || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout srvca.key -out srvca.pem -days 30 \
		-subj "/CN=carta test server CA" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null &&
		openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=localhost" 2>/dev/null &&
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > srv.ext &&
		openssl x509 -req -in srv.csr -CA srvca.pem -CAkey srvca.key -CAcreateserial -days 30 \
			-extfile srv.ext -out srv.pem 2>/dev/null || return 1
	chmod 644 srvca.pem
	openssl s_server -accept "127.0.0.1:$PORT" -cert srv.pem -key srv.key -CAfile id/ca.pem \
		-Verify 1 -www > s_server.log 2>&1 &
	echo $! > "$W/srv.pid"
	wait_for 15 sh -c "ss -ltn | grep -q ':$PORT '"
}

# A profile made by Firefox itself, the test server's CA trusted in it and
# the certificate chosen without a dialog (test settings, not carta's).
ff_profile() {
	local p=$1
	as_user timeout 60 firefox-esr --headless -CreateProfile "$2 $p" > /dev/null 2>&1 || return 1
	as_user certutil -A -d "sql:$p" -n "carta test server CA" -t "CT,," -i "$W/srvca.pem" || return 1
	as_user sh -c "cat > '$p/user.js'" <<'JS'
user_pref("security.default_personal_cert", "Select Automatically");
user_pref("network.dns.disableIPv6", true);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.enabled", false);
JS
}
ff_start() {
	# a Firefox stopped with SIGTERM leaves its profile lock behind, naming a
	# pid that a later PID namespace may give to another process
	rm -f "$1/lock" "$1/.parentlock"
	as_user firefox-esr --headless --marionette -remote-allow-system-access --no-remote --profile "$1" \
		about:blank > "$W/firefox-$2.log" 2>&1 &
	echo $! > "$W/ff.pid"
}
ff_stop() {
	local pid
	pid=$(cat "$W/ff.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait_for 20 sh -c "! kill -0 $pid"
	rm -f "$W/ff.pid"
}

step_firefox() {
	local p=$UH/ff-first
	check "Firefox creates a new profile (firefox-esr -CreateProfile, as $U)" ff_profile "$p" first
	check "before Firefox's first start (no carta command run as $U), pkcs11.txt does not name carta" \
		sh -c "! grep -qs carta '$p/pkcs11.txt'"
	ff_start "$p" first
	t_tokens() {
		as_user timeout 90 python3 /t/ff.py "$MARIONETTE" tokens > "$W/tokens-first.txt" 2>&1
		cat "$W/tokens-first.txt"
		grep -q "\"lib\": \"$MODULE\"" "$W/tokens-first.txt"
	}
	check "Firefox started once: the policy loaded carta and its token is there" t_tokens
	t_login() {
		local token
		token=$(grep "\"lib\": \"$MODULE\"" "$W/tokens-first.txt" | head -1 | jq -r .token)
		echo "token: $token"
		[ -n "$token" ] || return 1
		as_user timeout 120 python3 /t/ff.py "$MARIONETTE" login "$token" "$(cat "$W/id/pin.txt")" \
			"https://localhost:$PORT/" > "$W/fflogin.txt" 2>&1
		grep -E 'login:|Protocol|Client certificate|subject' "$W/fflogin.txt"
		grep -q 'Client certificate' "$W/fflogin.txt" && grep -i 'subject' "$W/fflogin.txt" | grep -q "$CF"
	}
	check "Firefox TLS client-certificate login, the page names the holder ($CF)" t_login
	ff_stop
	check "pkcs11.txt now names the module (written by Firefox from the policy)" \
		grep -q "library=$MODULE" "$p/pkcs11.txt"
}

# The desktop session runs the autostart entry's Exec line as the user.
autostart() {
	local cmd
	cmd=$(sed -n 's/^Exec=//p' /etc/xdg/autostart/carta-tool-register.desktop)
	# shellcheck disable=SC2086
	as_user $cmd
}

step_chromium() {
	local s e
	t_autostart() {
		s=$(date +%s%N)
		autostart > "$W/autostart1.txt" 2>&1 || { cat "$W/autostart1.txt"; return 1; }
		e=$(date +%s%N)
		echo "autostart, first run: $(((e - s) / 1000000)) ms" > "$W/time1"
		as_user modutil -dbdir "sql:$UH/.pki/nssdb" -list 2>&1 | tee /dev/stderr | grep -q "library name: $MODULE"
	}
	check "autostart command (carta-tool register --all --quiet) puts carta in ~/.pki/nssdb" t_autostart
	t_again() {
		s=$(date +%s%N)
		autostart > "$W/autostart2.txt" 2>&1 || return 1
		e=$(date +%s%N)
		echo "autostart, second run (nothing to do): $(((e - s) / 1000000)) ms" > "$W/time2"
		cat "$W/autostart2.txt"
		[ ! -s "$W/autostart2.txt" ]
	}
	check "autostart again: silent, nothing to do" t_again
	info "$(cat "$W/time1" "$W/time2" 2>/dev/null | tr '\n' ' ')"
	as_user certutil -A -d "sql:$UH/.pki/nssdb" -n "carta test server CA" -t "CT,," -i "$W/srvca.pem"
	mkdir -p /etc/chromium/policies/managed
	printf '{"AutoSelectCertificateForUrls": ["{\\"pattern\\":\\"https://localhost:%d\\",\\"filter\\":{}}"]}\n' \
		"$PORT" > /etc/chromium/policies/managed/carta-test.json
	Xvfb :77 -ac -nolisten tcp > "$W/xvfb.log" 2>&1 &
	echo $! > "$W/xvfb.pid"
	wait_for 15 test -e /tmp/.X11-unix/X77
	as_user env DISPLAY=:77 chromium --no-sandbox --no-first-run --no-default-browser-check \
		--remote-debugging-port=9223 --remote-allow-origins='*' --password-store=basic "https://localhost:$PORT/" > "$W/chromium.log" 2>&1 &
	echo $! > "$W/chromium.pid"
	t_chromium() {
		local win
		wait_for 60 sh -c "DISPLAY=:77 xdotool search --onlyvisible --name 'Unlock' | grep -q ." ||
			{ echo "no PIN dialog"; tail -20 "$W/chromium.log"; return 1; }
		win=$(DISPLAY=:77 xdotool search --onlyvisible --name 'Unlock' | head -1)
		echo "PIN dialog: $(DISPLAY=:77 xdotool getwindowname "$win")"
		# no window manager under Xvfb: give the dialog the keyboard focus directly
		DISPLAY=:77 xdotool windowfocus --sync "$win"
		DISPLAY=:77 xdotool type --delay 50 "$(cat "$W/id/pin.txt")" && DISPLAY=:77 xdotool key Return &&
			timeout 90 python3 /t/cdp_text.py 9223 "https://localhost:$PORT" "$CF" 60 && return 0
		echo "windows:"
		DISPLAY=:77 xdotool search --onlyvisible --name . getwindowname %@ 2>/dev/null
		tail -15 "$W/chromium.log"
		return 1
	}
	check "Chromium under Xvfb: TLS client-certificate login, the page names the holder" t_chromium
	kill "$(cat "$W/chromium.pid")" 2>/dev/null
	kill "$(cat "$W/xvfb.pid")" 2>/dev/null
	rm -f /etc/chromium/policies/managed/carta-test.json
}

step_thunderbird() {
	local p=$UH/tb-first
	check "Thunderbird creates a new profile (thunderbird -CreateProfile)" \
		as_user timeout 60 thunderbird --headless -CreateProfile "carta $p"
	t_tb() {
		autostart && as_user modutil -dbdir "sql:$p" -list 2>&1 | tee /dev/stderr | grep -q "library name: $MODULE"
	}
	check "register (the autostart command) puts carta in the Thunderbird profile" t_tb
}

step_opensc() {
	local p=$UH/ff-second
	info "p11-kit sees: $(p11-kit list-modules 2>/dev/null | grep -E '^[a-z]|token:' | tr -s ' ' | tr '\n' ' ')"
	check "a second new Firefox profile" ff_profile "$p" second
	ff_start "$p" second
	t_one() {
		as_user timeout 90 python3 /t/ff.py "$MARIONETTE" tokens > "$W/tokens-second.txt" 2>&1
		cat "$W/tokens-second.txt"
		[ "$(grep -c '"token"' "$W/tokens-second.txt")" -eq 1 ] &&
			grep -q "\"lib\": \"$MODULE\"" "$W/tokens-second.txt"
	}
	check "opensc-pkcs11 installed: the new Firefox profile lists one token for the CNS (carta's)" t_one
	ff_stop
}

phase_test() {
	installed opensc-pkcs11 firefox-esr chromium thunderbird || return 1
	start_stack || { echo "FAIL the test stack (pcscd, vpcd, carta-vcard, s_server)"; return 1; }
	step_firefox
	step_chromium
	step_thunderbird
	step_opensc
	kill "$(cat "$W/srv.pid")" "$(cat "$W/card.pid")" "$(cat "$W/pcscd.pid")" 2>/dev/null
	sleep 0.5
}

phase_purge() {
	ip link set lo up
	dpkg -L carta-pkcs11 carta-tool carta-vcard > "$W/carta-files.txt" 2>/dev/null
	apt-get purge -y carta-pkcs11 carta-tool carta-vcard > "$W/purge.log" 2>&1 || { tail "$W/purge.log"; return 1; }
	t_files() {
		local left=0 f
		while read -r f; do
			[ -d "$f" ] && continue
			[ -e "$f" ] || [ -L "$f" ] || continue
			echo "left: $f"
			left=1
		done < "$W/carta-files.txt"
		find /etc /usr /var/lib /opt -xdev \( -iname '*carta*' \) -not -path '/var/lib/dpkg/*' 2>/dev/null |
			sed 's/^/left: /' | tee "$W/left.txt"
		[ "$left" = 0 ] && [ ! -s "$W/left.txt" ]
	}
	check "apt purge: no file of the packages is left (dpkg -L list, find -iname '*carta*')" t_files
	check "apt purge: no policy entry (policies.json gone: carta had created it)" \
		sh -c "[ ! -e '$POLICY' ] && [ ! -e /etc/firefox ]"
	check "apt purge: no autostart entry" test ! -e /etc/xdg/autostart/carta-tool-register.desktop
	info "what stays in $U's profiles (docs/packaging.md \"Removing\"): $(grep -l carta "$UH"/ff-*/pkcs11.txt "$UH"/tb-*/pkcs11.txt "$UH"/.pki/nssdb/pkcs11.txt 2>/dev/null | tr '\n' ' ')"
	# a profile with the stale entry still starts and browses
	ff_start "$UH/ff-first" stale
	t_stale() {
		as_user timeout 90 python3 /t/ff.py "$MARIONETTE" tokens > "$W/tokens-stale.txt" 2>&1
		cat "$W/tokens-stale.txt"
		grep -q '^hello' "$W/tokens-stale.txt" && ! grep -q carta "$W/tokens-stale.txt" && return 0
		tail -15 "$W/firefox-stale.log"
		return 1
	}
	check "after purge, the old Firefox profile still starts (the missing module is skipped)" t_stale
	ff_stop
}

case ${1:-} in
install) phase_install ;;
test) phase_test ;;
purge) phase_purge ;;
*) echo "usage: $0 install|test|purge" >&2; exit 2 ;;
esac
