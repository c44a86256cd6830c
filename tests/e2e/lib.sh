# SPDX-License-Identifier: BSD-3-Clause
# Hermetic PC/SC test stack for end-to-end tests (sourced, bash).
# Follows docs/reference/test-stack.md "Start-up sequence": a private
# mount + network namespace, tmpfs on /run/pcscd, a private reader.conf.d
# with vpcd (two readers: ports 35963 and 35964), pcscd in the foreground and
# carta-vcard serving a profile to a slot. Needs root (CAP_SYS_ADMIN).
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_init "$@"                   # re-executes the test inside the namespace
#   e2e_start_card 0 st --pin 12345678
#   ... e2e_check "name" cmd args ... ; e2e_summary
#
# Environment: CARTA_BUILD (build dir, default /work/main/build),
# CARTA_E2E_DEBUG=1 (pcscd -d -a, keep the work dir), CARTA_E2E_TIMEOUT (s).

CARTA_BUILD=${CARTA_BUILD:-/work/main/build}
E2E_PORT=35963
E2E_TIMEOUT=${CARTA_E2E_TIMEOUT:-15}
E2E_PASS=0
E2E_FAIL=0
E2E_DIR=
E2E_PCSCD_PID=
declare -a E2E_CARD_PID=()

e2e_log() { printf '%s\n' "e2e: $*" >&2; }

# Re-run the calling script inside a private mount + net namespace.
e2e_init() {
	if [ -z "${CARTA_E2E_IN_NS:-}" ]; then
		export CARTA_E2E_IN_NS=1
		exec unshare --mount --net --propagation private -- "$BASH" "$0" "$@"
	fi
	if [ ! -x "$CARTA_BUILD/tools/vcard/carta-vcard" ]; then
		e2e_log "no carta-vcard in $CARTA_BUILD/tools/vcard (set CARTA_BUILD)"
		exit 2
	fi
	E2E_VCARD=$CARTA_BUILD/tools/vcard/carta-vcard
	E2E_DIR=$(mktemp -d /tmp/carta-e2e.XXXXXX)
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
	ip link set lo up
	mkdir -p /run/pcscd
	mount -t tmpfs tmpfs /run/pcscd
	mkdir -p "$E2E_DIR/rc"
	# DEVICENAME /dev/null:PORT = vpcd listens on PORT (and PORT+1 for slot 1).
	printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:%d\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID %d\n' \
		"$E2E_PORT" "$E2E_PORT" > "$E2E_DIR/rc/vpcd"
	e2e_start_pcscd
}

# Poll until "$@" succeeds or the timeout passes (no fixed sleeps).
e2e_wait() {
	local i n=$((E2E_TIMEOUT * 10))
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

e2e_port_open() { ss -ltn | grep -q ":$1 "; }

e2e_start_pcscd() {
	local dbg=()
	[ "${CARTA_E2E_DEBUG:-0}" = 1 ] && dbg=(-d -a)
	rm -f /run/pcscd/pcscd.pid /run/pcscd/pcscd.comm
	pcscd -f "${dbg[@]}" -c "$E2E_DIR/rc" >> "$E2E_DIR/pcscd.log" 2>&1 &
	E2E_PCSCD_PID=$!
	if ! e2e_wait e2e_port_open "$E2E_PORT"; then
		e2e_log "pcscd did not open port $E2E_PORT"
		cat "$E2E_DIR/pcscd.log" >&2
		exit 2
	fi
}

e2e_stop_pcscd() {
	[ -n "$E2E_PCSCD_PID" ] || return 0
	kill "$E2E_PCSCD_PID" 2>/dev/null
	wait "$E2E_PCSCD_PID" 2>/dev/null
	E2E_PCSCD_PID=
}

# pcscd reads reader.conf.d only at start; the cards reconnect by themselves.
e2e_restart_pcscd() {
	e2e_stop_pcscd
	e2e_start_pcscd
}

# "Yes" / "No": is a card in reader SLOT, as PC/SC clients see it.
e2e_card_state() {
	opensc-tool -l 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'
}
e2e_card_present() { [ "$(e2e_card_state "$1")" = Yes ]; }
e2e_card_absent() { [ "$(e2e_card_state "$1")" = No ]; }

# e2e_start_card SLOT PROFILE [carta-vcard serve options...]
e2e_start_card() {
	local slot=$1 profile=$2
	shift 2
	"$E2E_VCARD" serve --profile "$profile" --port $((E2E_PORT + slot)) \
		--log "$E2E_DIR/card$slot.log" "$@" 2>> "$E2E_DIR/card$slot.err" &
	E2E_CARD_PID[$slot]=$!
	if ! e2e_wait e2e_card_present "$slot"; then
		e2e_log "card in slot $slot not visible"
		cat "$E2E_DIR/card$slot.err" >&2
		return 1
	fi
}

e2e_stop_card() {
	local pid=${E2E_CARD_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	E2E_CARD_PID[$1]=
	# pcscd notices the closed socket at its next poll: a card started in the
	# same slot right away would otherwise race with the removal
	e2e_wait e2e_card_absent "$1" || e2e_log "slot $1 still shows a card"
}

# Removal = carta-vcard closes its vpcd socket (SIGUSR1); reinsertion = it
# connects again (SIGUSR2).
e2e_remove_card() {
	kill -USR1 "${E2E_CARD_PID[$1]}" && e2e_wait e2e_card_absent "$1"
}
e2e_insert_card() {
	kill -USR2 "${E2E_CARD_PID[$1]}" && e2e_wait e2e_card_present "$1"
}

# The card's APDU statistics line (printed on stop to its log).
e2e_card_stats() { grep 'stats:' "$E2E_DIR/card$1.log" | tail -1; }

e2e_cleanup() {
	local s
	for s in "${!E2E_CARD_PID[@]}"; do
		e2e_stop_card "$s"
	done
	e2e_stop_pcscd
	umount /run/pcscd 2>/dev/null
	if [ "${CARTA_E2E_DEBUG:-0}" = 1 ]; then
		e2e_log "work dir kept: $E2E_DIR"
	elif [ -n "$E2E_DIR" ]; then
		rm -rf "$E2E_DIR"
	fi
}

# e2e_check NAME command... : one test case, output kept in the work dir.
e2e_check() {
	local name=$1
	shift
	if "$@" > "$E2E_DIR/last.out" 2>&1; then
		E2E_PASS=$((E2E_PASS + 1))
		printf 'ok   %s\n' "$name"
	else
		E2E_FAIL=$((E2E_FAIL + 1))
		printf 'FAIL %s\n' "$name"
		sed 's/^/     | /' "$E2E_DIR/last.out" | tail -20
	fi
}

e2e_summary() {
	printf '%d passed, %d failed\n' "$E2E_PASS" "$E2E_FAIL"
	[ "$E2E_FAIL" -eq 0 ]
}
