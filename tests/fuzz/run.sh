#!/bin/bash
# Runs each libFuzzer target for SECONDS on its seed corpus and prints TAP:
#   ok 1 fuzz-wfd-params: 1234567 execs in 10 s
#   not ok 2 fuzz-wfd-source: crash after 5678 execs, input build/fuzz/crashes/wfd-source/crash-...
# then "# N execs in total". New inputs go to OUT/corpus/NAME (the seeds in
# corpus/NAME are only read), what fails to OUT/crashes/NAME/, each run's
# output to OUT/logs/NAME.log. A crash, a leak, a timeout (5 s an input) or
# more than 2 GiB of memory fails the target.
#   run.sh OUT SECONDS TARGET...
# Exit status: 0 when every target ran clean.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUT SECONDS TARGET...}
seconds=${2:?usage: run.sh OUT SECONDS TARGET...}
shift 2
out=$(cd "$out" && pwd)
mkdir -p "$out/logs"

echo "1..$#"
i=0 rc=0 total=0
for target in "$@"; do
	i=$((i + 1))
	name=$(basename "$target")
	short=${name#fuzz-}
	corpus=$out/corpus/$short
	crashes=$out/crashes/$short
	log=$out/logs/$short.log
	mkdir -p "$corpus" "$crashes"
	seeds=()
	[ -d "$here/corpus/$short" ] && seeds=("$here/corpus/$short")

	marker=$out/logs/.$short.start
	touch "$marker"
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	G_DEBUG=gc-friendly \
		"$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=5 \
		-rss_limit_mb=2048 -max_len=8192 -artifact_prefix="$crashes/" \
		"$corpus" "${seeds[@]}" > "$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	execs=${execs:-0}
	total=$((total + execs))
	found=$(find "$crashes" -type f -newer "$marker" | sort)
	if [ $status = 0 ] && [ -z "$found" ]; then
		echo "ok $i $name: $execs execs in $seconds s"
	else
		rc=1
		what=$(grep -m1 -oE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [a-z-]+' "$log" |
		       sed 's/^ERROR: //')
		[ -n "$what" ] || what=$(grep -m1 -oE 'runtime error|ALARM: working on the last Unit|out-of-memory' "$log")
		echo "not ok $i $name: ${what:-exit status $status} after $execs execs (log ${log#"$PWD"/})"
		for f in $found; do
			echo "#   input: ${f#"$PWD"/}"
		done
		# what broke, and the first frames of ours or the libraries'
		{
			grep -m3 -E '^(==[0-9]+==ERROR|SUMMARY|log |[^ ]+\.c:[0-9]+: )' "$log"
			grep -E '^ +#[0-9]+ ' "$log" |
				grep -vE 'fuzzer::|__sanitizer|libc\.so|/nptl/|/stdlib/|/csu/|_start ' |
				head -n 8
		} | sed 's/^ */#   /'
	fi
done
echo "# $total execs in total"
exit $rc
