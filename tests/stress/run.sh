#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The reliability sweeps of docs/reliability.md behind one command, over the
# hermetic stack of tests/e2e/lib.sh (root: private namespaces, pcscd + vpcd +
# carta-vcard serve). It measures; it does not pass or fail on the targets.
#
#   CARTA_BUILD=<plain build> tests/stress/run.sh [section...]
#   sections: concurrency second-app faults core (default: all four)
#
# Environment:
#   STRESS_PROFILES        concurrency profiles (default "st idemia cie-nxp cie-gemalto")
#   STRESS_SECOND_PROFILES second-application profiles (default "st cie-nxp")
#   STRESS_FAULT_PROFILES  fault-sweep profiles (default "st cie-nxp")
#   STRESS_FAULT_MODES     (default "remove-before remove-after sw=6f00 sw=6987 sw=6a82
#                          sw=61ff truncated oversized garbage")
#   STRESS_PROCS / STRESS_THREADS / STRESS_SIGNS   (default 2 / 4 / 50)
# Prints a results table at the end; the raw p11stress lines go to stdout as
# they come. Exit status 0 when every section ran (whatever the figures).

here=$(dirname "$(readlink -f "$0")")
e2e=$here/../e2e
. "$e2e/lib.sh"
e2e_init "$@"
. "$e2e/lib_clients.sh"
. "$here/lib_stress.sh"
set -u

SECTIONS=("$@")
[ ${#SECTIONS[@]} -gt 0 ] || SECTIONS=(concurrency second-app faults core)
read -r -a PROFILES <<< "${STRESS_PROFILES:-st idemia cie-nxp cie-gemalto}"
read -r -a SECOND_PROFILES <<< "${STRESS_SECOND_PROFILES:-st cie-nxp}"
read -r -a FAULT_PROFILES <<< "${STRESS_FAULT_PROFILES:-st cie-nxp}"
read -r -a MODES <<< "${STRESS_FAULT_MODES:-remove-before remove-after sw=6f00 sw=6987 sw=6a82 sw=61ff truncated oversized garbage}"
PROCS=${STRESS_PROCS:-2}
THREADS=${STRESS_THREADS:-4}
SIGNS=${STRESS_SIGNS:-50}
declare -a TABLE=()
row() { TABLE+=("$(printf "$@")"); }

# --- P processes x T threads x N signatures, each process its own login -------
# PIN tries: the card's own counter (stats line of carta-vcard: pin_tries at
# the end, pin_tries_low = the lowest it went), so a wrong VERIFY followed by
# a right one still counts as a try spent.
concurrency() {
	local p out=$E2E_DIR/conc.out line
	row '%-44s %-12s %s' "concurrency ($PROCS proc x $THREADS thr x $SIGNS)" profile "ok/total wrong failed tries-spent"
	for p in "${PROFILES[@]}"; do
		st_card_up "$p" || { row '%-44s %-12s %s' "" "$p" "card did not start"; continue; }
		P11STRESS=$ST_P11STRESS timeout 600 "$here/p11stress_multi.sh" "$PROCS" \
			--module "$CL_MODULE" --slot-index 0 --pin "$CL_PIN" \
			--threads "$THREADS" --signs "$SIGNS" > "$out" 2>&1
		st_card_down
		cat "$out"
		echo "$p: $ST_STATS"
		line=$(grep '^p11stress_multi:' "$out" | tail -n1)
		local ok failed wrong low
		ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<< "$line")
		failed=$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<< "$line")
		wrong=$(sed -n 's/.* wrong=\([0-9]*\).*/\1/p' <<< "$line")
		low=$(st_stat pin_tries_low)
		row '%-44s %-12s %s' "" "$p" "${ok:-?}/$((PROCS * THREADS * SIGNS)) wrong=${wrong:-?} failed=${failed:-?} tries-spent=$((3 - ${low:-3})) (card end: $(st_stat pin_tries))"
	done
}

# --- a second application's session (login + 1 signature, idle) --------------
second_app() {
	local p pid i ok2 ok1 ckr
	row '%-44s %-12s %s' "second application (its session idle)" profile "first app's 80 signatures ok; second app"
	for p in "${SECOND_PROFILES[@]}"; do
		st_card_up "$p" || continue
		timeout 600 "$ST_P11STRESS" --module "$CL_MODULE" --slot-index 0 --pin "$CL_PIN" \
			--threads 1 --signs 1 --idle-after-login --idle-secs 300 > "$E2E_DIR/app2.out" 2>&1 &
		pid=$!
		for ((i = 0; i < 300; i++)); do
			grep -q '^p11stress: idle' "$E2E_DIR/app2.out" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		st_stress "$E2E_DIR/app1.out" --pin "$CL_PIN" --threads 1 --signs 80
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		st_card_down
		cat "$E2E_DIR/app2.out" "$E2E_DIR/app1.out"
		ok2=$(st_get "$E2E_DIR/app2.out" run ok)
		ok1=$(st_get "$E2E_DIR/app1.out" run ok)
		ckr=$(st_get "$E2E_DIR/app1.out" run ckr)
		row '%-44s %-12s %s' "" "$p" "${ok1:-0}/80 (ckr $ckr); second app signed ${ok2:-0}/1; tries-spent=$((3 - $(st_stat pin_tries_low)))"
	done
}

# --- a fault at every APDU index of open + login + sign ----------------------
faults() {
	local p n mode i r norec nonew tolerated nofire
	row '%-44s %-12s %s' "faults (every APDU index of the flow)" profile "mode: same process did not recover at / new process failed at / flow ok despite fault at"
	for p in "${FAULT_PROFILES[@]}"; do
		n=$(st_flow_apdus "$p")
		echo "$p: open + login + one signature = ${n:-?} APDUs"
		[ -n "$n" ] && [ "$n" -gt 0 ] || { row '%-44s %-12s %s' "" "$p" "flow did not run"; continue; }
		row '%-44s %-12s %s' "" "$p" "flow = $n APDUs (indices 1..$n)"
		for mode in "${MODES[@]}"; do
			norec= nonew= tolerated= nofire=
			for ((i = 1; i <= n; i++)); do
				r=$(st_fault_trial "$p" "$mode@$i")
				echo "$p $mode@$i: $r"
				[[ $r == *"fired=none"* ]] && nofire+=" $i"
				[[ $r == *"recover=ok"* ]] || norec+=" $i"
				[[ $r == *"newproc=ok"* ]] || nonew+=" $i"
				[[ $r == *"first=ok"* ]] && tolerated+=" $i"
			done
			row '%-44s %-12s %s' "" "" "$(printf '%-14s' "$mode"): no-recover [${norec# }] ($(wc -w <<< "$norec")/$n); new-process-failed [${nonew# }]; tolerated [${tolerated# }]${nofire:+; NOT FIRED [${nofire# }]}"
		done
	done
}

# --- PIN in core dumps and debug logs ----------------------------------------
core() {
	local out
	row '%-44s %-12s %s' "PIN search (9 encodings, PIN of 7 digits)" profile "hits"
	out=$(st_core_search st logout)
	echo "$out"
	row '%-44s %-12s %s' "  core after C_Logout" st "$(grep -o 'total=[0-9]*' <<< "$out" || echo 'no core')  $(grep '^pin_search' <<< "$out" | cut -d' ' -f3-)"
	out=$(st_core_search st finalize)
	echo "$out"
	row '%-44s %-12s %s' "  core after C_Finalize" st "$(grep -o 'total=[0-9]*' <<< "$out" || echo 'no core')  $(grep '^pin_search' <<< "$out" | cut -d' ' -f3-)"
	out=$(st_core_search st finalize --keep-pin)
	row '%-44s %-12s %s' "  control: client keeps its PIN copy" st "$(grep -o 'total=[0-9]*' <<< "$out" || echo 'no core') (must be > 0)"
	out=$(st_log_search st)
	echo "$out"
	row '%-44s %-12s %s' "  CARTA_DEBUG=3 log" st "$(grep -o 'total=[0-9]*' <<< "$out" || echo 'no log')  ($(grep -o 'log lines: [0-9]*' <<< "$out"))"
}

for s in "${SECTIONS[@]}"; do
	echo "=== $s"
	case $s in
	concurrency) concurrency ;;
	second-app) second_app ;;
	faults) faults ;;
	core) core ;;
	*) echo "unknown section $s" ;;
	esac
done
echo
echo "=== results (module $(cd "$here" && git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ))"
printf '%s\n' "${TABLE[@]}"
