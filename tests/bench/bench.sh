#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# APDU / byte / wall-time benchmark: carta-pkcs11.so side by side with
# OpenSC's opensc-pkcs11.so on the same virtual CNS card (carta-vcard behind
# pcscd + vpcd, private namespace: tests/e2e/lib.sh). Not a pass/fail test.
#
#   CARTA_BUILD=<plain build> tests/bench/bench.sh [--delay-ms N] [--runs N] [profiles...]
#   (root; defaults: --delay-ms 15, --runs 3, profiles st classic)
#
# Flows, each in a fresh process on a freshly inserted card:
#   list   pkcs11-tool -O                                  (token + objects)
#   sign   pkcs11-tool -l -p PIN -s -m SHA256-RSA-PKCS      (login + 1 signature;
#          the signature is verified with openssl)
#   2nd    the SECOND login + signature in one process (tests/bench/p11sign.c:
#          run with N=2 minus run with N=1)
# APDUs and bytes are the card's own count: carta-vcard's "stats:" line,
# printed when it stops (the card is restarted for every measurement).
# bytes cmd = C-APDU bytes received by the card, bytes rsp = R-APDU bytes sent.
# Time = wall time of the client process (median of the runs), with the card
# answering every APDU after --delay-ms, like a real contact card.

here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
export CARTA_BUILD=${CARTA_BUILD:-$top/build}
. "$top/tests/e2e/lib.sh"
e2e_init "$@"

DELAY=15
RUNS=3
PROFILES=()
while [ $# -gt 0 ]; do
	case $1 in
	--delay-ms) DELAY=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	*) PROFILES+=("$1"); shift ;;
	esac
done
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(st classic)

CARTA=${CARTA_PKCS11:-$CARTA_BUILD/src/pkcs11/carta-pkcs11.so}
OPENSC=${OPENSC_PKCS11:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
PIN=12345678

# OpenSC through vpcd: extended APDUs (the reader advertises no limits) and
# no on-disk file cache, so that every fresh process reads the card as carta
# does (docs/reference/test-stack.md "vpcd quirks").
export OPENSC_CONF=$E2E_DIR/opensc.conf
cat > "$OPENSC_CONF" <<'EOF'
app default {
	reader_driver pcsc {
		max_send_size = 65535;
		max_recv_size = 65536;
	}
	framework pkcs15 {
		use_file_caching = no;
	}
}
EOF

P11SIGN=$E2E_DIR/p11sign
cc -O2 -I/usr/include/p11-kit-1 -o "$P11SIGN" "$here/p11sign.c" -ldl || exit 1

now() { date +%s.%N; }

# measure MODULE FLOW -> "apdus bytes_in bytes_out seconds" (one run)
measure() {
	local mod=$1 flow=$2 t0 t1 rc=0 st
	e2e_start_card 0 "$PROFILE" --identity "$W/id" --delay-ms "$DELAY" || return 1
	t0=$(now)
	case $flow in
	list) timeout 120 pkcs11-tool --module "$mod" --slot-index 0 -O > "$W/out" 2>&1 || rc=1 ;;
	sign)
		rm -f "$W/sig"
		timeout 120 pkcs11-tool --module "$mod" --slot-index 0 -l -p "$PIN" -s \
			-m SHA256-RSA-PKCS --id "$ID" -i "$W/data" -o "$W/sig" > "$W/out" 2>&1 || rc=1
		;;
	sign1) timeout 120 "$P11SIGN" "$mod" "$PIN" 1 > "$W/out" 2>&1 || rc=1 ;;
	sign2) timeout 120 "$P11SIGN" "$mod" "$PIN" 2 > "$W/out" 2>&1 || rc=1 ;;
	esac
	t1=$(now)
	if [ "$flow" = sign ] && [ $rc = 0 ]; then
		openssl dgst -sha256 -verify "$W/pub.pem" -signature "$W/sig" "$W/data" \
			> /dev/null 2>&1 || { echo "bench: $mod: signature does not verify" >&2; rc=1; }
	fi
	e2e_stop_card 0
	# pcscd notices a removal on its next poll (~400 ms): wait for it, or the
	# next measurement may see the old card going away.
	e2e_wait e2e_card_absent 0 || { echo "bench: card removal not seen" >&2; return 1; }
	if [ $rc != 0 ]; then
		echo "bench: $(basename "$mod") $flow failed:" >&2
		tail -n 5 "$W/out" >&2
		return 1
	fi
	st=$(e2e_card_stats 0)
	printf '%s %s %s %s\n' \
		"$(sed 's/.*apdus=\([0-9]*\).*/\1/' <<< "$st")" \
		"$(sed 's/.*bytes_in=\([0-9]*\).*/\1/' <<< "$st")" \
		"$(sed 's/.*bytes_out=\([0-9]*\).*/\1/' <<< "$st")" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
}

# run_flow MODULE FLOW -> "apdus in out median_seconds" over RUNS runs
# (APDU counts must be the same in every run, else "varies" is noted).
run_flow() {
	local mod=$1 flow=$2 i line first='' times=() note=''
	for ((i = 0; i < RUNS; i++)); do
		line=$(measure "$mod" "$flow") || return 1
		[ -z "$first" ] && first=${line% *}
		[ "${line% *}" = "$first" ] || note=" (counts vary: $first / ${line% *})"
		times+=("${line##* }")
	done
	printf '%s %s%s\n' "$first" \
		"$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" "$note"
}

fmt_time() { awk -v t="$1" 'BEGIN { printf "%.0f ms", t * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else printf "-" }'; }

row() { # name carta-line opensc-line
	local c=($2) o=($3)
	printf '| %-22s | %4s | %5s / %5s | %8s | %4s | %5s / %5s | %8s | %6s | %6s | %5s |\n' \
		"$1" "${c[0]}" "${c[1]}" "${c[2]}" "$(fmt_time "${c[3]}")" \
		"${o[0]}" "${o[1]}" "${o[2]}" "$(fmt_time "${o[3]}")" \
		"$(ratio "${c[0]}" "${o[0]}")" "$(ratio $((c[1] + c[2])) $((o[1] + o[2])))" \
		"$(ratio "${c[3]}" "${o[3]}")"
}

# second = N=2 run minus N=1 run
diff_line() {
	local a=($1) b=($2)
	printf '%s %s %s %s\n' $((b[0] - a[0])) $((b[1] - a[1])) $((b[2] - a[2])) \
		"$(awk -v a="${a[3]}" -v b="${b[3]}" 'BEGIN { printf "%.4f", b - a }')"
}

echo "carta vs OpenSC $(dpkg-query -W -f='${Version}' opensc-pkcs11 2>/dev/null) on carta-vcard," \
	"--delay-ms $DELAY, median of $RUNS runs, $(date -u +%Y-%m-%d)"
rc=0
for PROFILE in "${PROFILES[@]}"; do
	W=$E2E_DIR/$PROFILE
	mkdir -p "$W"
	"$E2E_VCARD" make-identity --seed "bench-$PROFILE" --profile "$PROFILE" --out "$W/id" > /dev/null ||
		exit 1
	openssl x509 -in "$W/id/holder.pem" -pubkey -noout > "$W/pub.pem"
	head -c 1000 /dev/urandom > "$W/data"
	ID=01
	declare -A R=()
	for m in carta opensc; do
		mod=$CARTA
		[ $m = opensc ] && mod=$OPENSC
		for f in list sign sign1 sign2; do
			R[$m.$f]=$(run_flow "$mod" "$f") || { rc=1; R[$m.$f]="0 0 0 0 failed"; }
		done
	done
	echo
	echo "profile $PROFILE"
	echo
	echo "| flow                   | carta APDUs | bytes cmd / rsp | time | OpenSC APDUs | bytes cmd / rsp | time | APDUs carta/OpenSC | bytes | time |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	row "list (pkcs11-tool -O)" "${R[carta.list]}" "${R[opensc.list]}"
	row "login + sign" "${R[carta.sign]}" "${R[opensc.sign]}"
	row "p11sign N=1" "${R[carta.sign1]}" "${R[opensc.sign1]}"
	row "2nd login + sign" "$(diff_line "${R[carta.sign1]}" "${R[carta.sign2]}")" \
		"$(diff_line "${R[opensc.sign1]}" "${R[opensc.sign2]}")"
	for k in "${!R[@]}"; do
		case ${R[$k]} in *vary* | *failed*) echo "note: $k: ${R[$k]}" ;; esac
	done
	unset R
done
exit $rc
