#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# carta-firefox-policy (tools/desktop) on policy files an administrator may
# already have: it merges carta's SecurityDevices entry, never writes over
# what is there, leaves a file it cannot read alone, and "remove" gives back
# the administrator's policies unchanged (compared as JSON, jq -S).
# No root: everything lives under a temporary folder.
#   tests/pkg/test_firefox_policy.sh BUILD/tools/desktop/carta-firefox-policy
# Ends with "N passed, M failed"; exit status non-zero on any failure.
set -u
HELPER=${1:?usage: $0 path/to/carta-firefox-policy}
T=$(mktemp -d /tmp/carta-policy.XXXXXX)
trap 'rm -rf "$T"' EXIT
MOD=/usr/lib/x86_64-linux-gnu/pkcs11/carta-pkcs11.so
PASS=0
FAIL=0

check() {
	local name=$1
	shift
	if "$@" > "$T/last.out" 2>&1; then
		PASS=$((PASS + 1)); printf 'ok   %s\n' "$name"
	else
		FAIL=$((FAIL + 1)); printf 'FAIL %s\n' "$name"; sed 's/^/     | /' "$T/last.out" | tail -20
	fi
}

# h CASE add|remove|status: the helper on case folder CASE.
h() { "$HELPER" "$2" --file "$T/$1/etc/firefox/policies/policies.json" --module "$MOD" --state "$T/$1/state"; }
pf() { echo "$T/$1/etc/firefox/policies/policies.json"; }
same_json() { [ "$(jq -S . "$1")" = "$(jq -S . "$2")" ]; }
admin() { mkdir -p "$(dirname "$(pf "$1")")" "$T/$1/state"; cat > "$(pf "$1")"; cp "$(pf "$1")" "$T/$1.orig"; }

# 1. No policy file: created in the Add form, then taken away with its folders.
mkdir -p "$T/new/etc"
t_new_add() {
	h new add && jq -e --arg m "$MOD" '.policies.SecurityDevices.Add.carta == $m' "$(pf new)" && h new status
}
t_new_idempotent() {
	local before after
	before=$(stat -c '%i %Y' "$(pf new)") && sleep 1.1 && h new add && after=$(stat -c '%i %Y' "$(pf new)") &&
		[ "$before" = "$after" ]
}
t_new_remove() {
	h new remove && [ ! -e "$(pf new)" ] && [ ! -e "$T/new/etc/firefox" ] && [ -d "$T/new/etc" ] &&
		[ ! -e "$T/new/state" ] && ! h new status
}
check "no file: add creates it (Add form) and status sees it" t_new_add
check "add twice: the file is not rewritten" t_new_idempotent
check "remove: the file and the folders add made are gone" t_new_remove

# 2. An administrator's file in the plain {"name": "path"} form.
admin plain <<'JSON'
{"policies": {"DisableTelemetry": true,
  "SecurityDevices": {"Bank token": "/opt/bank/libbank.so"}}}
JSON
chmod 600 "$(pf plain)"
t_plain_add() {
	h plain add && jq -e --arg m "$MOD" '.policies.SecurityDevices.carta == $m
		and .policies.SecurityDevices["Bank token"] == "/opt/bank/libbank.so"
		and .policies.DisableTelemetry == true' "$(pf plain)" &&
		[ "$(stat -c %a "$(pf plain)")" = 600 ]
}
t_plain_remove() { h plain remove && same_json "$(pf plain)" "$T/plain.orig" && [ -d "$(dirname "$(pf plain)")" ]; }
check "admin file, plain form: entry added beside the others, mode kept" t_plain_add
check "admin file, plain form: remove gives the same policies back" t_plain_remove

# 3. The Add/Delete form: the entry goes into Add (Firefox then ignores plain keys).
admin adddel <<'JSON'
{"policies": {"SecurityDevices": {"Delete": ["Old token"]}}}
JSON
t_adddel_add() {
	h adddel add && jq -e --arg m "$MOD" '.policies.SecurityDevices.Add.carta == $m
		and .policies.SecurityDevices.Delete == ["Old token"]' "$(pf adddel)"
}
t_adddel_remove() { h adddel remove && same_json "$(pf adddel)" "$T/adddel.orig"; }
check "admin file, Add/Delete form: entry added to Add" t_adddel_add
check "admin file, Add/Delete form: remove gives the same policies back" t_adddel_remove

# 4. A file jq cannot read: not touched, a message says what to do, exit 0.
admin broken <<'JSON'
{"policies": {"DisableTelemetry": true,,}
JSON
t_broken() {
	h broken add 2> "$T/broken.err" && cmp -s "$(pf broken)" "$T/broken.orig" &&
		grep -q 'left alone' "$T/broken.err" && h broken remove && cmp -s "$(pf broken)" "$T/broken.orig"
}
check "invalid admin file: left byte for byte, with a message" t_broken

# 5. The administrator already names "carta" with another library.
admin other <<'JSON'
{"policies": {"SecurityDevices": {"carta": "/opt/carta/carta-pkcs11.so"}}}
JSON
t_other() {
	h other add 2> "$T/other.err" && cmp -s "$(pf other)" "$T/other.orig" && grep -q 'left alone' "$T/other.err" &&
		h other remove && cmp -s "$(pf other)" "$T/other.orig"
}
check "admin's own \"carta\" entry: neither replaced nor removed" t_other

# 6. We created the file, then the administrator added a policy: remove keeps it.
mkdir -p "$T/later/etc"
t_later() {
	h later add && jq '.policies.DisableTelemetry = true' "$(pf later)" > "$T/later.tmp" &&
		mv "$T/later.tmp" "$(pf later)" && h later remove &&
		[ "$(jq -c . "$(pf later)")" = '{"policies":{"DisableTelemetry":true}}' ]
}
check "file made by carta, then edited by the admin: remove keeps the admin's policy" t_later

printf '%d passed, %d failed\n' "$PASS" "$FAIL"
[ "$FAIL" -eq 0 ]
