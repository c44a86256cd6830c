#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The layering of src/pkcs11 (src/pkcs11/core/state.h), read from the
# compiled objects of the carta_p11 target with nm, so that it is what the
# linker sees:
#   - an entry-point object is one that defines a C_* function;
#   - an entry-point object uses no symbol another entry-point object
#     defines (it calls only the core and libcarta). The function table
#     (the object defining C_GetFunctionList) may reference other files'
#     C_* functions, and nothing else of theirs;
#   - a core object (every other one) uses no symbol an entry-point object
#     defines.
# usage: check_p11_layers.sh OBJECT...   exit 1 on a violation
set -u
export LC_ALL=C   # join and sort agree on the order
[ $# -gt 0 ] || { echo "usage: $0 OBJECT..." >&2; exit 2; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# defs: "symbol object" for every global definition
for o in "$@"; do
	n=${o##*/carta_p11.dir/}
	nm --defined-only "$o" | awk -v f="$n" '$2 ~ /^[TDBRGSV]$/ { print $3, f }'
done | sort >"$tmp/defs"
awk '$1 ~ /^C_/ { print $2 }' "$tmp/defs" | sort -u >"$tmp/entry"
awk '$1 == "C_GetFunctionList" { print $2 }' "$tmp/defs" >"$tmp/table"

bad=0
for o in "$@"; do
	n=${o##*/carta_p11.dir/}
	if grep -qxF "$n" "$tmp/entry"; then kind=entry; else kind=core; fi
	nm -u "$o" | awk '{ print $NF }' | sort -u >"$tmp/uses"
	# the entry-point object that defines each symbol this object uses
	join "$tmp/uses" "$tmp/defs" | while read -r sym owner; do
		[ "$owner" = "$n" ] && continue
		grep -qxF "$owner" "$tmp/entry" || continue
		if [ "$kind" = entry ] && grep -qxF "$n" "$tmp/table" && [[ $sym == C_* ]]; then
			continue
		fi
		echo "check_p11_layers: $kind $n uses $sym of entry point $owner"
	done >>"$tmp/bad"
done
bad=$(wc -l <"$tmp/bad")
cat "$tmp/bad"
echo "check_p11_layers: $(wc -l <"$tmp/entry") entry-point and $(( $# - $(wc -l <"$tmp/entry") )) core objects, $bad violation(s)"
[ "$bad" -eq 0 ]
