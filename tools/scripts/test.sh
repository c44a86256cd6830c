#!/usr/bin/env bash
# carta: the whole test suite on a fresh Debian 12 machine.
#   1. installs the Debian packages it lacks (tools/scripts/deps.sh test)
#   2. ASan+UBSan build: unit + integration tests (ctest)
#   3. TSan build: the threaded tests
#   4. plain build: end-to-end tests through pcscd + vpcd + carta-vcard (tests/e2e)
#   5. clang libFuzzer build: every harness runs briefly
# Ends with one line "N passed, M failed"; exit status 0 only if nothing failed.
set -uo pipefail
# the end-to-end tests need private mount/net namespaces (unshare): root
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "carta: run as root or install sudo"; echo "0 passed, 1 failed"; exit 1; }
	exec sudo -E bash "${BASH_SOURCE[0]}" "$@"
fi
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${CARTA_TEST_OUT:-$top/build-test}
fuzz_secs=${CARTA_FUZZ_SECONDS:-10}
jobs=$(nproc)
mkdir -p "$out"

bash "$top/tools/scripts/deps.sh" test || { echo "0 passed, 1 failed"; exit 1; }

passed=0; failed=0; failures=()
ok()   { passed=$((passed + 1)); }
bad()  { failed=$((failed + 1)); failures+=("$1"); echo "FAILED: $1"; }

build() { # dir, cmake args...
	local dir=$1; shift
	cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.configure.log" 2>&1 &&
		cmake --build "$dir" -j"$jobs" >"$dir.build.log" 2>&1 ||
		{ tail -n 40 "$dir.configure.log" "$dir.build.log" 2>/dev/null; return 1; }
}

# ctest's summary "X% tests passed, N tests failed out of M" -> counters
run_ctest() { # dir, label-regex, name
	local dir=$1 label=$2 name=$3 log="$1.ctest.log" total nfail
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		ctest --test-dir "$dir" -L "$label" --output-on-failure -j"$jobs" >"$log" 2>&1
	total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n1)
	nfail=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -n1)
	if [ -z "$total" ] || [ "$total" = 0 ]; then
		echo "$name: no tests ran"; tail -n 20 "$log"; bad "$name (no tests)"; return
	fi
	grep -E '^ *[0-9]+/[0-9]+ Test' "$log" || true
	passed=$((passed + total - nfail))
	if [ "$nfail" != 0 ]; then
		failed=$((failed + nfail)); failures+=("$name: $nfail ctest failures")
		sed -n '/The following tests FAILED/,$p' "$log"
	fi
}

echo "=== ASan+UBSan build: unit and integration tests"
if build "$out/asan" -DCARTA_SANITIZE=address,undefined; then
	run_ctest "$out/asan" 'unit|integration' asan
else bad "asan build"; fi

echo "=== TSan build: threaded tests"
if build "$out/tsan" -DCARTA_SANITIZE=thread; then
	run_ctest "$out/tsan" 'threads' tsan
else bad "tsan build"; fi

echo "=== plain build: end-to-end tests"
if build "$out/plain"; then
	e2e_log="$out/e2e.log"
	CARTA_BUILD="$out/plain" bash "$top/tests/e2e/run.sh" 2>&1 | tee "$e2e_log"
	line=$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' "$e2e_log" | tail -n1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed 's/e2e: \([0-9]*\) passed.*/\1/'); f=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
		passed=$((passed + p)); failed=$((failed + f)); [ "$f" = 0 ] || failures+=("e2e: $f failed")
	else bad "e2e (no result line)"; fi
else bad "plain build"; fi

echo "=== fuzz smoke (${fuzz_secs}s per harness)"
if CC=clang build "$out/fuzz" -DCARTA_FUZZ=ON; then
	for f in "$out"/fuzz/tests/fuzz_*; do
		[ -x "$f" ] || continue
		n=$(basename "$f"); mkdir -p "$out/fuzz/corpus-$n"
		if (cd "$out/fuzz" && "$f" -max_total_time="$fuzz_secs" -rss_limit_mb=2048 "corpus-$n" >"$out/fuzz/$n.log" 2>&1); then
			ok; echo "fuzz $n: ok ($(grep -c . "$out/fuzz/$n.log") log lines)"
		else tail -n 30 "$out/fuzz/$n.log"; bad "fuzz $n"; fi
	done
else bad "fuzz build"; fi

echo
for f in "${failures[@]+"${failures[@]}"}"; do echo "  failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
