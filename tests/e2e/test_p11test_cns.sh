#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# OpenSC's p11test (cmocka conformance suite, built from Debian's opensc
# source by tools/scripts/p11test.sh) on carta-pkcs11.so with the virtual
# CNS profiles st and classic. Pass = no cmocka failure, and the JSON
# results from readonly_tests on equal the committed reference
# tests/e2e/ref/p11test-<profile>.json (as OpenSC's CI does:
# diff -u3 after sed -n '/readonly_tests/,$p').
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_p11test_cns.sh [profiles...]
# CARTA_P11TEST=<p11test binary> skips the build. Re-record a reference
# (after checking every mechanism's result by eye) with
# CARTA_P11TEST_RECORD=1: the new JSON is copied over the reference.
# Ends with "N passed, M failed"; exit status non-zero on any failure.

here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)

# Build (or find) p11test before entering the namespace: it may need apt.
if [ -z "${CARTA_E2E_IN_NS:-}" ] && [ -z "${CARTA_P11TEST:-}" ]; then
	CARTA_P11TEST=$("$top/tools/scripts/p11test.sh" "${CARTA_P11TEST_DIR:-$top/build-test/p11test}")
	if [ ! -x "$CARTA_P11TEST" ]; then
		echo "p11test build failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
	export CARTA_P11TEST
fi

. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"

PROFILES=("$@")
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(st classic)

run_p11test() {
	local out=$CL_W/p11test.out
	timeout 300 "$CARTA_P11TEST" -m "$CL_MODULE" -s 0 -p "$CL_PIN" -o "$CL_W/p11test.json" \
		> "$out" 2>&1
	local rc=$?
	sed -n '/^\[==========\]/,$p' "$out"
	if grep -q '^\[  FAILED  \]' "$out" || ! grep -q '^\[  PASSED  \]' "$out"; then
		echo "cmocka reports failures (p11test exit $rc); the failing cases:"
		grep -B3 -A3 '^\[  ERROR   \]\|\[ ERROR ' "$out" | head -n 40
		return 1
	fi
	[ $rc = 0 ] || { echo "p11test exit status $rc"; return 1; }
}

json_matches_ref() {
	local ref=$here/ref/p11test-$CL_PROFILE.json
	[ -s "$CL_W/p11test.json" ] || { echo "p11test wrote no JSON"; return 1; }
	if [ "${CARTA_P11TEST_RECORD:-0}" = 1 ]; then
		cp "$CL_W/p11test.json" "$ref"
		echo "recorded $ref"
	fi
	[ -f "$ref" ] || { echo "no reference $ref"; return 1; }
	diff -u3 <(sed -n '/readonly_tests/,$p' "$ref") <(sed -n '/readonly_tests/,$p' "$CL_W/p11test.json")
}

for p in "${PROFILES[@]}"; do
	if cl_card_up "$p"; then
		e2e_check "$p: p11test: no cmocka failure" run_p11test
		e2e_check "$p: p11test JSON = tests/e2e/ref/p11test-$p.json" json_matches_ref
		cl_card_down
	else
		e2e_check "$p: card start" false
	fi
done
e2e_summary
