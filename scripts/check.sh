#!/bin/bash
# `make check` once everything is built: the host unit tests and a short
# run of the fuzzers, then the kselftests and command-line checks in the
# QEMU lab; one summary line.
#   check.sh BUILD_DIR
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: check.sh BUILD_DIR}
out=$build/check
rm -rf "$out"
mkdir -p "$out"
start=$SECONDS

echo "== unit tests (host, ASan/UBSan)"
make --no-print-directory -C "$top/userspace" O="$build/userspace" unit > "$out/unit.tap" 2>&1
rc=$?
printf '1..1\n%s 1 unit tests exit cleanly (sanitizers, leaks)\n' \
	"$([ $rc = 0 ] && echo ok || echo 'not ok')" > "$out/unit-exit.tap"
grep -E '^(ok|not ok|Bail out)' "$out/unit.tap" | sed 's/^/  /'
[ $rc = 0 ] || tail -n 30 "$out/unit.tap" | sed 's/^/  | /'

"$top/tests/unit/uapi-layout.sh" > "$out/uapi-layout.tap" 2>&1
grep -E '^(ok|not ok)' "$out/uapi-layout.tap" | sed 's/^/  /'

echo "== fuzzers (host, libFuzzer with ASan/UBSan, 10 s each)"
if make --no-print-directory -C "$top/tests/fuzz" O="$build/fuzz" > "$out/fuzz-build.log" 2>&1; then
	make --no-print-directory -s -C "$top/tests/fuzz" run SECONDS=10 O="$build/fuzz" \
		> "$out/fuzz.tap" 2>&1
else
	printf '1..1\nnot ok 1 the fuzzers build (%s)\n' "${out#"$top"/}/fuzz-build.log" \
		> "$out/fuzz.tap"
	tail -n 20 "$out/fuzz-build.log" | sed 's/^/  | /'
fi
grep -E '^(ok|not ok|#   input)' "$out/fuzz.tap" | sed 's/^/  /'

echo "== kselftests (QEMU lab, Debian $("$top/scripts/kver.sh") kernel)"
"$top/tests/vm/check.sh" "$out/vm" "$top/kernel/miracast.ko" "$build/kselftest" \
	"$build/userspace/miracastctl"
for f in "$out"/vm/*.tap; do
	grep -E '^(ok|not ok)' "$f" | sed "s/^/  $(basename "$f" .tap): /"
done

echo "== summary (logs in ${out#"$top"/}, $((SECONDS - start)) s)"
"$top/tests/summary.sh" "$out"/*.tap "$out"/vm/*.tap
