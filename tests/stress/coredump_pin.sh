#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The PIN in memory and logs (docs/reliability.md): p11stress logs in with a
# test PIN (read from a file, not on its command line), signs, calls C_Logout
# (and, second variant, C_Finalize) and pauses; gcore dumps it and
# pin_search.py looks for the PIN in nine encodings (ASCII, ASCII padded with
# FF, BCD, UTF-16LE/BE, hex text upper/lower, base64, ISO 9564 format 2).
# Then the same search in a CARTA_DEBUG=3 log. A control run (the client keeps
# its own copy) checks that the search does find a PIN that is there.
# Run as root: CARTA_BUILD=<plain build> tests/stress/coredump_pin.sh [profile]
# Needs gdb (gcore): tools/scripts/deps.sh test. Exit status 1 on any hit.
here=$(dirname "$(readlink -f "$0")")
. "$here/../e2e/lib.sh"
e2e_init "$@"
. "$here/../e2e/lib_clients.sh"
. "$here/lib_stress.sh"
set -u
profile=${1:-st}
command -v gcore > /dev/null || { e2e_log "no gcore: tools/scripts/deps.sh test"; exit 2; }
hits=0
for when in logout finalize; do
	echo "--- core after C_${when^}"
	st_core_search "$profile" "$when"
	rc=$?
	[ "$rc" = 0 ] || hits=1
done
echo "--- control (the client keeps its PIN: must be found)"
if st_core_search "$profile" finalize --keep-pin; then
	echo "control FAILED: the search did not find a PIN that is in the core"
	hits=1
fi
echo "--- CARTA_DEBUG=3 log"
st_log_search "$profile" || hits=1
exit "$hits"
