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
# Every check is a target of docs/reliability.md: after a fault of each mode
# the same process recovers (new session + login + verified signature, no
# C_Finalize) and a new process works.

here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
e2e_init "$@"
. "$here/lib_clients.sh"
. "$here/../stress/lib_stress.sh"
ST_TIMEOUT=20

# The index the faults hit: the APDU in the middle of open + login + sign.
FAULT_AT=${STRESS_SMOKE_FAULT_AT:-}

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
# sw=6a82 (file not found) at that index: a one-off answer the module must not
# take for a missing certificate (docs/reliability.md)
for mode in remove-before remove-after sw=6a82 truncated oversized garbage; do
	e2e_check "fault $mode@$FAULT_AT fires (card log)" fault_fired "$mode"
	e2e_check "fault $mode@$FAULT_AT: the same process recovers" fault_recover "$mode"
	e2e_check "fault $mode@$FAULT_AT: a new process works" fault_newproc "$mode"
done
e2e_check "core dump search finds a PIN the client kept (control)" core_control
e2e_check "core dump after C_Finalize: no PIN in 9 encodings" core_after_finalize
e2e_check "CARTA_DEBUG=3 log: no PIN in 9 encodings" debug_log
e2e_summary
