#!/bin/bash
# The lab's part of `make check`: boot the guest, run guest-check.sh in it,
# and judge the run. Writes TAP files into OUTDIR, including two of its own:
# that the guest finished, and that its kernel log is clean.
#   check.sh OUTDIR MIRACAST_KO KSELFTEST_DIR MIRACASTCTL
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: check.sh OUTDIR MIRACAST_KO KSELFTEST_DIR MIRACASTCTL}
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.tap "$out/dmesg.txt"

TIMEOUT=${TIMEOUT:-2400} "$here/run.sh" "$out" /bin/sh "$here/guest-check.sh" "$@"
rc=$?
printf '1..1\n%s 1 vm-guest-finished\n' "$([ $rc = 0 ] && echo ok || echo 'not ok')" \
	> "$out/vm-guest-finished.tap"

logs=("$out/console.log")
[ -f "$out/dmesg.txt" ] && logs+=("$out/dmesg.txt")
if "$here/scan-log.sh" "${logs[@]}"; then
	printf '1..1\nok 1 vm-kernel-log-clean\n' > "$out/vm-kernel-log.tap"
else
	printf '1..1\nnot ok 1 vm-kernel-log-clean\n' > "$out/vm-kernel-log.tap"
fi
