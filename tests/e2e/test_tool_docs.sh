#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Acceptance checks with no card: the man pages render without groff
# warnings, "LANG=it_IT.UTF-8 carta-tool --help" is Italian (also when that
# locale is not generated), and cmake --install lays out the module, the
# p11-kit file, the programs, the man pages, the catalog and the guides.
# Run: CARTA_BUILD=<plain build dir> tests/e2e/test_tool_docs.sh
# Ends with "N passed, M failed"; exit status non-zero on any failure.
set -u
TOP=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
CARTA_BUILD=${CARTA_BUILD:-$TOP/build}
TOOL=$CARTA_BUILD/tools/carta-tool/carta-tool
T=$(mktemp -d /tmp/carta-docs.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
check() {
	local name=$1; shift
	if "$@" > "$T/last" 2>&1; then pass=$((pass + 1)); echo "ok   $name"
	else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/     | /' "$T/last" | tail -20; fi
}

renders() { # PAGE: man -l formats it, groff says nothing, the NAME section is there
	local out
	out=$(LANG=C.UTF-8 MANWIDTH=80 man --warnings=all -l "$1" 2> "$T/warn")
	cat "$T/warn"
	[ ! -s "$T/warn" ] && grep -q '^NAME' <<<"$out" && [ "$(wc -l <<<"$out")" -gt 30 ]
}
for p in carta-tool.1 carta-vcard.1 carta-pkcs11.7; do
	check "man -l $p" renders "$TOP/docs/man/$p"
done

italian() {
	local out
	out=$(env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=it_IT.UTF-8 "$TOOL" --help) && echo "$out" &&
		grep -q '^Uso: carta-tool' <<<"$out" && grep -q 'Codici di uscita' <<<"$out" &&
		grep -q 'Scopre perché una carta non funziona' <<<"$out"
}
english() {
	local out
	out=$(env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=C.UTF-8 "$TOOL" --help) &&
		grep -q '^Usage: carta-tool' <<<"$out" && grep -q 'Exit status' <<<"$out"
}
check "LANG=it_IT.UTF-8 carta-tool --help is Italian" italian
check "LANG=C.UTF-8 carta-tool --help is English" english
check "command help: carta-tool pin --help" bash -c "'$TOOL' pin --help | grep -q 'pin status|verify|change|unblock'"
check "unknown command: exit 2" bash -c "'$TOOL' frobnicate; [ \$? = 2 ]"

# Installed with the prefix the build was configured with (Debian packaging:
# -DCMAKE_INSTALL_PREFIX=/usr, which gives the multiarch libdir): every file
# is there, carta.module names the installed module, and carta-tool's
# default --module is that same file.
installed() {
	local prefix mod f ok=0
	prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$CARTA_BUILD/CMakeCache.txt")
	DESTDIR=$T/root cmake --install "$CARTA_BUILD" > "$T/install.log" 2>&1 || { cat "$T/install.log"; return 1; }
	for f in bin/carta-tool bin/carta-vcard share/man/man1/carta-tool.1 share/man/man1/carta-vcard.1 \
	         share/man/man7/carta-pkcs11.7 share/locale/it/LC_MESSAGES/carta-tool.mo \
	         share/doc/carta/user-guide.md share/doc/carta/guida-utente.md; do
		[ -e "$T/root$prefix/$f" ] || { echo "missing $prefix/$f"; ok=1; }
	done
	f=$(find "$T/root" -name carta.module | head -1)
	mod=$(sed -n 's/^module: *//p' "$f")
	echo "carta.module: $f -> $mod"
	[ -f "$T/root$mod" ] || { echo "module $mod not installed"; ok=1; }
	"$TOOL" --help | grep -qF "(default $mod)" || { echo "carta-tool default module is not $mod"; ok=1; }
	return $ok
}
check "cmake --install layout" installed

# With the /usr prefix (what packaging uses) the module goes to p11-kit's
# multiarch module directory and carta.module to p11-kit's own directory,
# so p11-kit clients find it (pkg-config p11-kit-1 is the oracle).
usr_layout() {
	local src d want cfg got
	src=$(sed -n 's/^carta_SOURCE_DIR:STATIC=//p' "$CARTA_BUILD/CMakeCache.txt")
	d=$T/usr-layout
	cmake -S "$src" -B "$d" -DCMAKE_INSTALL_PREFIX=/usr -DCARTA_BUILD_TESTS=OFF > "$d.log" 2>&1 ||
		{ cat "$d.log"; return 1; }
	want="module: $(pkg-config --variable=p11_module_path p11-kit-1)/carta-pkcs11.so"
	got=$(grep '^module:' "$d/src/pkcs11/carta.module")
	[ "$got" = "$want" ] || { echo "carta.module says '$got', want '$want'"; return 1; }
	cfg=$(pkg-config --variable=p11_module_configs p11-kit-1)
	grep -q "^CARTA_P11KIT_CONFIGS_DIR:PATH=$cfg\$" "$d/CMakeCache.txt" ||
		{ echo "carta.module not installed to $cfg"; return 1; }
	echo "$got; carta.module in $cfg"
}
check "with prefix /usr: multiarch module dir and p11-kit's module directory" usr_layout

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
