#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A few seconds of each reliability method (docs/reliability.md) for CI, over
# the real stack (lib.sh): threaded signatures verified with OpenSSL, one fault
# of each mode at one APDU index with a recovery attempt, the PIN search in a
# core dump after C_Finalize, and in a CARTA_DEBUG=3 log. The full sweeps are
# tests/stress/run.sh.
# Run as root: CARTA_BUILD=<plain build> tests/e2e/test_stress_smoke.sh
# Ends with "N passed, M failed"; exit status non-zero on any failure.
#
# KNOWN_FAIL: the checks today's module is expected to fail, until the fixes
# being made in parallel land (recovery after a bad answer in the same
# process; a second application's session). They run and are counted like
# the others; the list only says which ones, so that a FAIL among them is
# expected and a pass among them is news. STRESS_SMOKE_SKIP_KNOWN=1 skips them.
# Measured on 5660a9d (docs/reliability.md "Latest figures"): on st the flow is
# 10 APDUs, the faults hit APDU 5; after sw=6a82 there the same process does
# not recover (a new process does); after the other modes at 5 it does.
KNOWN_FAIL=" fault-recover-same-process:sw "

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"
. "$here/../stress/lib_stress.sh"
ST_TIMEOUT=20

# The index the faults hit: the APDU in the middle of open + login + sign.
FAULT_AT=${STRESS_SMOKE_FAULT_AT:-}

smoke_check() {
	local name=$1
	shift
	if [ "${STRESS_SMOKE_SKIP_KNOWN:-0}" = 1 ] && [[ $KNOWN_FAIL == *" $name "* ]]; then
		printf 'skip %s (KNOWN_FAIL)\n' "$name"
		return 0
	fi
	if [[ $KNOWN_FAIL == *" $name "* ]]; then
		e2e_check "$name [KNOWN_FAIL until the fixes land]" "$@"
	else
		e2e_check "$name" "$@"
	fi
}

threads_verified() {
	st_card_up st || return 1
	st_stress "$E2E_DIR/thr.out" --pin "$CL_PIN" --threads 2 --signs 5
	st_card_down
	cat "$E2E_DIR/thr.out"
	echo "$ST_STATS"
	cl_expect_eq "ok" 10 "$(st_get "$E2E_DIR/thr.out" run ok)" &&
		cl_expect_eq "wrong" 0 "$(st_get "$E2E_DIR/thr.out" run wrong)" &&
		cl_expect_eq "card PIN tries low" 3 "$(st_stat pin_tries_low)"
}

# The same fault trial is read by two checks: the trial runs once per mode.
declare -A TRIAL=()
trial() {
	local mode=$1
	[ -n "${TRIAL[$mode]:-}" ] || TRIAL[$mode]=$(st_fault_trial st "$mode@$FAULT_AT")
	echo "${TRIAL[$mode]}"
}

fault_fired() {
	local r
	r=$(trial "$1")
	[[ $r == *"fired=$1@$FAULT_AT"* ]]
}
fault_newproc() {
	local r
	r=$(trial "$1")
	[[ $r == *"newproc=ok"* ]]
}
fault_recover() {
	local r
	r=$(trial "$1")
	[[ $r == *"recover=ok"* ]]
}

core_after_finalize() { st_core_search st finalize; }
# The control: p11stress keeps its own PIN copy, the search must find it.
core_control() { ! st_core_search st finalize --keep-pin; }
debug_log() { st_log_search st; }

e2e_check "p11stress: 1 process x 2 threads x 5 signatures on st, all verified" threads_verified
if [ -z "$FAULT_AT" ]; then
	n=$(st_flow_apdus st)
	FAULT_AT=$(( ${n:-2} / 2 ))
	[ "$FAULT_AT" -ge 1 ] || FAULT_AT=1
	echo "st: open + login + sign = ${n:-?} APDUs; faults at APDU $FAULT_AT"
fi
# sw=6a82 (file not found): the status word today's module does not recover from
for mode in remove-before remove-after sw=6a82 truncated oversized garbage; do
	key=${mode%%=*}
	e2e_check "fault $mode@$FAULT_AT fires (card log)" fault_fired "$mode"
	smoke_check "fault-recover-same-process:$key" fault_recover "$mode"
	e2e_check "fault $mode@$FAULT_AT: a new process works" fault_newproc "$mode"
done
e2e_check "core dump search finds a PIN the client kept (control)" core_control
e2e_check "core dump after C_Finalize: no PIN in 9 encodings" core_after_finalize
e2e_check "CARTA_DEBUG=3 log: no PIN in 9 encodings" debug_log
echo "KNOWN_FAIL (expected to fail on today's module):$KNOWN_FAIL"
e2e_summary
