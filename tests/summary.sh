#!/bin/bash
# Sum TAP files into the final line of `make check`: "N passed, N failed".
# A file may hold several TAP streams, each starting with its plan "1..N";
# tests a plan announces but that never reported (a crash, a bail out) count
# as failed, and so does a skipped test: a check that did not run did not pass.
#   summary.sh TAPFILE...
# Exit status: 0 when nothing failed.
set -uo pipefail
awk '
function close_stream() {
	if (plan > seen) {
		printf "  %s: %d planned test(s) never reported\n", FILENAME_prev, plan - seen
		failed += plan - seen
	}
	plan = 0; seen = 0
}
FNR == 1 { if (NR > 1) close_stream(); FILENAME_prev = FILENAME }
/^1\.\.[0-9]+/ { close_stream(); plan = substr($1, 4) + 0; next }
/^ok / {
	seen++
	if ($0 ~ /# [Ss][Kk][Ii][Pp]/) {
		failed++; printf "  %s: skipped, counted as failed: %s\n", FILENAME, $0
	} else
		passed++
	next
}
/^not ok / { seen++; failed++; printf "  %s: %s\n", FILENAME, $0; next }
/^Bail out!/ { printf "  %s: %s\n", FILENAME, $0; if (plan == 0) failed++ }
END {
	close_stream()
	printf "%d passed, %d failed\n", passed, failed
	exit failed != 0
}' "$@"
