# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the reliability tests (docs/reliability.md), sourced after
# tests/e2e/lib.sh (e2e_init done) and tests/e2e/lib_clients.sh: the card in
# slot 0 with a cached identity, p11stress runs, fault trials, the PIN search.
#
#   st_card_up PROFILE [serve options...]     card in slot 0 (identity made once)
#   st_card_down                              stop it; ST_STATS = its stats line
#   st_stress OUT [p11stress options...]      p11stress on slot 0, output to OUT
#   st_get FILE PHASE FIELD                   a field of p11stress's "phase=" line
#   st_stat FIELD                             a field of ST_STATS (apdus, pin_tries_low...)
#   st_flow_apdus PROFILE                     APDUs of open + login + one signature
#   st_fault_trial PROFILE SPEC               -> "first=.. recover=.. newproc=.. fired=.."
#   st_core_search PROFILE logout|finalize [--keep-pin]
#                                             core of a paused p11stress, PIN search
#                                             (--keep-pin: the positive control)
#   st_log_search PROFILE                     CARTA_DEBUG=3 log, PIN search

ST_HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
ST_P11STRESS=${CARTA_P11STRESS:-$CARTA_BUILD/tests/stress/p11stress}
ST_PINSEARCH=$ST_HERE/pin_search.py
# The PIN of the core/log searches: 7 digits, so that the FF-padded, BCD and
# format-2 encodings all differ from plain ASCII (docs/reliability.md).
ST_SEARCH_PIN=2468135
ST_STATS=
ST_TIMEOUT=${STRESS_TIMEOUT:-60}

if [ ! -x "$ST_P11STRESS" ]; then
	e2e_log "no p11stress at $ST_P11STRESS (build with tests enabled)"
	exit 2
fi

# st_card_up PROFILE [serve options...]: identity $E2E_DIR/st-PROFILE/id
# (seed e2e-PROFILE, default PIN), made once per run.
st_card_up() {
	local profile=$1 id=$E2E_DIR/st-$1/id
	shift
	if [ ! -d "$id" ]; then
		mkdir -p "$E2E_DIR/st-$profile"
		"$E2E_VCARD" make-identity --seed "e2e-$profile" --profile "$profile" \
			--out "$id" > /dev/null || return 1
	fi
	e2e_start_card 0 "$profile" --identity "$id" "$@"
}

st_card_down() {
	e2e_stop_card 0
	ST_STATS=$(e2e_card_stats 0)
}

st_stat() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<< "$ST_STATS"; }

# st_stress OUT [options]: exit status of p11stress (124 = timed out).
st_stress() {
	local out=$1
	shift
	timeout "$ST_TIMEOUT" "$ST_P11STRESS" --module "$CL_MODULE" --slot-index 0 "$@" > "$out" 2>&1
}

# st_get FILE PHASE FIELD (empty if the phase line is missing).
st_get() {
	grep "^p11stress: phase=$2 " "$1" 2>/dev/null | tail -n1 | sed -n "s/.* $3=\\([^ ]*\\).*/\\1/p"
}

# The APDUs that open + login + one signature take on PROFILE (a clean run).
st_flow_apdus() {
	st_card_up "$1" || return 1
	st_stress "$E2E_DIR/flow.out" --pin "$CL_PIN" --threads 1 --signs 1
	st_card_down
	st_stat apdus
}

# One fault trial: a card with --fault SPEC (a removal reinserts after 500 ms),
# then p11stress --recover (the flow, then in the same process, without
# C_Finalize: new session + login + verified signature; after a removal it
# first waits 1.5 s, enough for pcscd to see the card leave and come back,
# docs/reference/test-stack.md 1 "Working recipe"), then a new process once
# the card is present again. ok = the phase's signature verified.
st_fault_trial() {
	local profile=$1 spec=$2 first recover newproc fired o=$E2E_DIR/trial delay=0
	[[ $spec == remove-* ]] && delay=1500
	st_card_up "$profile" --fault "$spec" --fault-reinsert-ms 500 || {
		echo "first=nocard recover=nocard newproc=nocard fired=none"
		return 1
	}
	st_stress "$o.1" --pin "$CL_PIN" --threads 1 --signs 1 --recover --wait-token 5 \
		--recover-delay-ms "$delay"
	sleep "$((delay / 1000)).$((delay % 1000))"
	e2e_wait e2e_card_present 0
	st_stress "$o.2" --pin "$CL_PIN" --threads 1 --signs 1 --wait-token 5
	st_card_down
	first=$([ "$(st_get "$o.1" run ok)" = 1 ] && echo ok || echo fail)
	recover=$([ "$(st_get "$o.1" recover ok)" = 1 ] && echo ok || echo fail)
	newproc=$([ "$(st_get "$o.2" run ok)" = 1 ] && echo ok || echo fail)
	fired=$(st_stat faults)
	echo "first=$first recover=$recover newproc=$newproc fired=$fired"
}

# st_core_search PROFILE logout|finalize: p11stress logs in with the search
# PIN (from a file: not on its command line), signs, C_Logout [+ C_Finalize],
# pauses; gcore dumps it; pin_search.py looks for the PIN. Prints the search
# line; exit status 1 on any hit, 2 if no core could be taken.
st_core_search() {
	local profile=$1 when=$2 d=$E2E_DIR/core-$2 pid i rc
	shift 2
	mkdir -p "$d"
	printf '%s' "$ST_SEARCH_PIN" > "$d/pin"
	st_card_up "$profile" --pin "$ST_SEARCH_PIN" || return 2
	"$ST_P11STRESS" --module "$CL_MODULE" --slot-index 0 --pin-file "$d/pin" \
		--threads 1 --signs 1 --pause-after "$when" "$@" > "$d/out" 2>&1 &
	pid=$!
	for ((i = 0; i < ST_TIMEOUT * 10; i++)); do
		grep -q '^p11stress: paused' "$d/out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$d/pin"
	if ! grep -q '^p11stress: paused' "$d/out"; then
		cat "$d/out"
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		st_card_down
		return 2
	fi
	grep '^p11stress: phase=run' "$d/out"
	gcore -o "$d/core" "$pid" > "$d/gcore.log" 2>&1
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	st_card_down
	if [ ! -s "$d/core.$pid" ]; then
		echo "gcore failed:"
		cat "$d/gcore.log"
		return 2
	fi
	STRESS_PIN=$ST_SEARCH_PIN python3 "$ST_PINSEARCH" - "$d/core.$pid" |
		sed "s/file=[^ ]*/file=core-after-$when/"
	rc=${PIPESTATUS[0]}
	rm -f "$d/core.$pid"
	return "$rc"
}

# st_log_search PROFILE: login + signature + logout with CARTA_DEBUG=3 into a
# file, then the same search on the log.
st_log_search() {
	local profile=$1 d=$E2E_DIR/log3 rc
	mkdir -p "$d"
	printf '%s' "$ST_SEARCH_PIN" > "$d/pin"
	st_card_up "$profile" --pin "$ST_SEARCH_PIN" || return 2
	CARTA_DEBUG=3 CARTA_DEBUG_FILE=$d/carta.log st_stress "$d/out" --pin-file "$d/pin" \
		--threads 2 --signs 2 --logout-each
	rm -f "$d/pin"
	st_card_down
	grep '^p11stress: phase=run' "$d/out"
	if [ ! -s "$d/carta.log" ]; then
		echo "no CARTA_DEBUG=3 log was written"
		return 2
	fi
	echo "log lines: $(wc -l < "$d/carta.log")"
	STRESS_PIN=$ST_SEARCH_PIN python3 "$ST_PINSEARCH" - "$d/carta.log"
	rc=$?
	return "$rc"
}
