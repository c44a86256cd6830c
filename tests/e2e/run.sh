#!/usr/bin/env bash
# Runs every tests/e2e/test_*.sh (each brings up its own private pcscd + vpcd +
# carta-vcard stack, see lib.sh) and sums their "N passed, M failed" lines.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${CARTA_BUILD:?set CARTA_BUILD to a plain (non-sanitized) build directory}"
export CARTA_BUILD
tp=0; tf=0
for t in "$here"/test_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	echo "--- $name"
	log=$(mktemp)
	timeout 600 bash "$t" >"$log" 2>&1; rc=$?
	cat "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "$name: no result line (exit $rc)"; tf=$((tf + 1)); continue
	fi
	p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
	tp=$((tp + p)); tf=$((tf + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then echo "$name: exit $rc"; tf=$((tf + 1)); fi
done
echo "e2e: $tp passed, $tf failed"
[ "$tf" = 0 ]
