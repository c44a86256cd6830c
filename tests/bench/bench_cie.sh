#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# APDU / byte / wall-time benchmark of carta-pkcs11.so on the virtual CIE 3.0
# (carta-vcard cie-nxp / cie-gemalto behind pcscd + vpcd, private namespace:
# tests/e2e/lib.sh), next to what docs/reference/cie.md 9 measured for the
# official middleware (C_Login 37 / 35 APDUs, each C_Sign 34: warm reset +
# DH + DAPP + VERIFY + sign every time). OpenSC has no CIE 3.0 driver.
#
#   CARTA_BUILD=<plain build> tests/bench/bench_cie.sh [--delay-ms N] [--runs N]
#       [--signs N] [profiles...]
#   (root; defaults: --delay-ms 15, --runs 3, --signs 10, cie-nxp cie-gemalto)
#
# Every measurement is one fresh client process on a freshly started card.
# "no cache" = empty $XDG_CACHE_HOME (the certificate is readable only after
# a login, docs/reference/cie.md 8 I3); "cache" = the certificate cached by an earlier login.
#   open       tests/bench/p11cie.c N=-1: C_Initialize, C_GetSlotList,
#              C_OpenSession, C_CloseSession, C_Finalize (no login)
#   list       pkcs11-tool -O
#   login      p11cie N=0: open + C_Login + find the key + C_Logout
#   sign 1/N   p11cie N=1 / N=--signs: the same with 1 / N SHA256-RSA-PKCS
#              C_Sign in the one session (the last signature is verified
#              with openssl)
#   p11tool    pkcs11-tool -l -p PIN -s -m SHA256-RSA-PKCS (verified)
# Derived: C_Login = login - open; first C_Sign = sign1 - login; each
# further C_Sign = (signN - sign1) / (N - 1), which must be <= 3 APDUs (MSE
# SET + INTERNAL AUTHENTICATE + GET RESPONSE in the SM session of the login);
# the exit status is non-zero if it is not, or if a flow fails.
# APDUs and bytes are the card's own count (carta-vcard "stats:" line, printed
# when it stops): cmd = C-APDU bytes received, rsp = R-APDU bytes sent.
# Time = wall time of the client process, median of the runs, with the card
# answering every APDU after --delay-ms, like a contact card.

here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
export CARTA_BUILD=${CARTA_BUILD:-$top/build}
. "$top/tests/e2e/lib.sh"
e2e_init "$@"

DELAY=15
RUNS=3
NSIG=10
PROFILES=()
while [ $# -gt 0 ]; do
	case $1 in
	--delay-ms) DELAY=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--signs) NSIG=$2; shift 2 ;;
	*) PROFILES+=("$1"); shift ;;
	esac
done
[ ${#PROFILES[@]} -gt 0 ] || PROFILES=(cie-nxp cie-gemalto)
[ "$NSIG" -ge 2 ] || { echo "bench_cie: --signs must be >= 2" >&2; exit 2; }

CARTA=${CARTA_PKCS11:-$CARTA_BUILD/src/pkcs11/carta-pkcs11.so}
PIN=12345678
CIE_ID=43494530

P11CIE=$E2E_DIR/p11cie
cc -O2 -I/usr/include/p11-kit-1 -o "$P11CIE" "$here/p11cie.c" -ldl || exit 1

now() { date +%s.%N; }

cache_dir() { printf '%s/carta' "$XDG_CACHE_HOME"; }
has_cache() { compgen -G "$(cache_dir)/cie-*.der" > /dev/null; }

# client FLOW: run the client of one flow on the card already started.
client() {
	case $1 in
	open) timeout 120 "$P11CIE" "$CARTA" "$PIN" -1 ;;
	list) timeout 120 pkcs11-tool --module "$CARTA" --slot-index 0 -O ;;
	login) timeout 120 "$P11CIE" "$CARTA" "$PIN" 0 ;;
	sign1) timeout 120 "$P11CIE" "$CARTA" "$PIN" 1 "$W/sig" ;;
	signN) timeout 120 "$P11CIE" "$CARTA" "$PIN" "$NSIG" "$W/sig" ;;
	p11tool)
		timeout 120 pkcs11-tool --module "$CARTA" --slot-index 0 -l -p "$PIN" -s \
			-m SHA256-RSA-PKCS --id "$CIE_ID" -i "$W/data" -o "$W/sig"
		;;
	esac
}

verify_sig() {
	case $1 in
	sign1 | signN)
		openssl dgst -sha256 -verify "$W/pub.pem" -signature "$W/sig" "$W/data32" ;;
	p11tool)
		openssl dgst -sha256 -verify "$W/pub.pem" -signature "$W/sig" "$W/data" ;;
	*) true ;;
	esac
}

# measure FLOW CACHE(0|1) -> "apdus bytes_in bytes_out seconds" (one run)
measure() {
	local flow=$1 cache=$2 t0 t1 rc=0 st
	if [ "$cache" = 0 ]; then
		rm -rf "$(cache_dir)"
	elif ! has_cache; then
		echo "bench_cie: no certificate cache for a 'cache' flow" >&2
		return 1
	fi
	rm -f "$W/sig"
	e2e_start_card 0 "$PROFILE" --identity "$W/id" --delay-ms "$DELAY" || return 1
	t0=$(now)
	client "$flow" > "$W/out" 2>&1 || rc=1
	t1=$(now)
	if [ $rc = 0 ] && ! verify_sig "$flow" > /dev/null 2>&1; then
		echo "bench_cie: $flow: signature does not verify" >&2
		rc=1
	fi
	e2e_stop_card 0
	e2e_wait e2e_card_absent 0 || { echo "bench_cie: card removal not seen" >&2; return 1; }
	if [ $rc != 0 ]; then
		echo "bench_cie: $PROFILE $flow (cache $cache) failed:" >&2
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

# run_flow FLOW CACHE -> "apdus in out median_seconds[ note]" over RUNS runs
run_flow() {
	local i line first='' times=() note=''
	for ((i = 0; i < RUNS; i++)); do
		line=$(measure "$1" "$2") || return 1
		[ -z "$first" ] && first=${line% *}
		[ "${line% *}" = "$first" ] || note=" (counts vary: $first / ${line% *})"
		times+=("${line##* }")
	done
	printf '%s %s%s\n' "$first" \
		"$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" "$note"
}

# (b - a) / d, field by field (d defaults to 1)
diff_line() {
	local a=($1) b=($2) d=${3:-1}
	awk -v a0="${a[0]}" -v a1="${a[1]}" -v a2="${a[2]}" -v a3="${a[3]}" \
		-v b0="${b[0]}" -v b1="${b[1]}" -v b2="${b[2]}" -v b3="${b[3]}" -v d="$d" \
		'function f(x) { return (x == int(x)) ? sprintf("%d", x) : sprintf("%.1f", x) }
		 BEGIN { printf "%s %s %s %.4f\n", f((b0 - a0) / d), f((b1 - a1) / d), f((b2 - a2) / d), (b3 - a3) / d }'
}

fmt_time() { awk -v t="$1" 'BEGIN { printf "%.0f ms", t * 1000 }'; }

row() { # name line official
	local c=($2)
	printf '| %-44s | %5s | %6s / %6s | %8s | %s |\n' \
		"$1" "${c[0]}" "${c[1]}" "${c[2]}" "$(fmt_time "${c[3]}")" "$3"
}

echo "carta on carta-vcard (CIE 3.0), --delay-ms $DELAY, median of $RUNS runs," \
	"--signs $NSIG, $(date -u +%Y-%m-%d)"
rc=0
for PROFILE in "${PROFILES[@]}"; do
	W=$E2E_DIR/$PROFILE
	mkdir -p "$W"
	export XDG_CACHE_HOME=$W/cache
	"$E2E_VCARD" make-identity --seed "bench-$PROFILE" --profile "$PROFILE" --out "$W/id" \
		> /dev/null || exit 1
	openssl x509 -in "$W/id/holder.pem" -pubkey -noout > "$W/pub.pem"
	head -c 1000 /dev/urandom > "$W/data"
	printf 'carta benchmark: one signature.\0' > "$W/data32"
	declare -A R=()
	# No cache first (the last "login" run leaves the cache filled), then
	# the flows with the cache.
	for f in open list login; do
		R[$f.0]=$(run_flow "$f" 0) || { rc=1; R[$f.0]="0 0 0 0 failed"; }
	done
	has_cache || { echo "bench_cie: $PROFILE: the login left no cache" >&2; rc=1; }
	for f in open list login sign1 signN p11tool; do
		R[$f.1]=$(run_flow "$f" 1) || { rc=1; R[$f.1]="0 0 0 0 failed"; }
	done
	login0=$(diff_line "${R[open.0]}" "${R[login.0]}")
	login1=$(diff_line "${R[open.1]}" "${R[login.1]}")
	first=$(diff_line "${R[login.1]}" "${R[sign1.1]}")
	each=$(diff_line "${R[sign1.1]}" "${R[signN.1]}" $((NSIG - 1)))
	case $PROFILE in
	cie-nxp) off_login=37 ;;
	*) off_login=35 ;;
	esac
	echo
	echo "profile $PROFILE"
	echo
	echo "| flow                                         | APDUs | bytes cmd / rsp | time | official middleware (docs/reference/cie.md 9) |"
	echo "|---|---:|---:|---:|---|"
	row "open, no login (no cache)" "${R[open.0]}" ""
	row "open, no login (cache)" "${R[open.1]}" ""
	row "list: pkcs11-tool -O (no cache)" "${R[list.0]}" ""
	row "list: pkcs11-tool -O (cache)" "${R[list.1]}" ""
	row "open + first login (no cache)" "${R[login.0]}" ""
	row "open + login (cache)" "${R[login.1]}" ""
	row "C_Login, first (no cache; login - open)" "$login0" "$off_login (C_Login)"
	row "C_Login (cache; login - open)" "$login1" "$off_login (C_Login)"
	row "open + login + 1 C_Sign (cache)" "${R[sign1.1]}" ""
	row "open + login + $NSIG C_Sign (cache)" "${R[signN.1]}" ""
	row "C_Login + $NSIG C_Sign (cache; minus open)" "$(diff_line "${R[open.1]}" "${R[signN.1]}")" \
		"$((off_login + 34 * NSIG)) ($off_login + $NSIG x 34)"
	row "first C_Sign after login" "$first" "34"
	row "each further C_Sign (($NSIG - 1) signatures)" "$each" "34"
	row "pkcs11-tool -l -s SHA256-RSA-PKCS (cache)" "${R[p11tool.1]}" "$((off_login + 34)) (C_Login + C_Sign)"
	for k in "${!R[@]}"; do
		case ${R[$k]} in *vary* | *failed*) echo "note: $k: ${R[$k]}" ;; esac
	done
	e=${each%% *}
	if awk -v e="$e" 'BEGIN { exit !(e <= 3) }'; then
		echo "per-signature cost: $e APDUs (<= 3: ok)"
	else
		echo "per-signature cost: $e APDUs: MORE THAN 3"
		rc=1
	fi
	unset R
done
exit $rc
