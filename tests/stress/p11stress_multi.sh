#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# P p11stress processes at once (docs/reliability.md), each with its own
# C_Initialize and login; prints their lines, then
#   p11stress_multi: processes=P ok=X failed=Y wrong=Z
# Exit: 3 if any signature was wrong, else 1 if any process failed, else 0.
#   p11stress_multi.sh P [p11stress options...]
# P11STRESS = the program (default: $CARTA_BUILD/tests/stress/p11stress).
set -u
P=${1:?usage: p11stress_multi.sh P [p11stress options...]}
shift
prog=${P11STRESS:-${CARTA_BUILD:-.}/tests/stress/p11stress}
d=$(mktemp -d /tmp/p11stress-multi.XXXXXX)
trap 'rm -rf "$d"' EXIT
declare -a pids=()
for ((i = 0; i < P; i++)); do
	"$prog" "$@" > "$d/$i.out" 2>&1 &
	pids+=($!)
done
rc=0
ok=0 failed=0 wrong=0
for ((i = 0; i < P; i++)); do
	wait "${pids[$i]}"
	r=$?
	cat "$d/$i.out"
	line=$(grep '^p11stress: phase=run ' "$d/$i.out" | tail -n1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		r=${r/#0/1}
	else
		ok=$((ok + $(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<< "$line")))
		failed=$((failed + $(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<< "$line")))
		wrong=$((wrong + $(sed -n 's/.* wrong=\([0-9]*\).*/\1/p' <<< "$line")))
	fi
	if [ "$r" = 3 ]; then rc=3; elif [ "$r" != 0 ] && [ "$rc" = 0 ]; then rc=1; fi
done
echo "p11stress_multi: processes=$P ok=$ok failed=$failed wrong=$wrong"
exit "$rc"
