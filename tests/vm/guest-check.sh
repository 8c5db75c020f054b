#!/bin/sh
# Runs in the lab guest as PID 1 (see run.sh): loads the DRM helpers and
# miracast.ko, runs every kselftest, the command-line checks and the
# end-to-end streams (without and with the Wi-Fi Display session, over
# loopback and across simulated radios with Wi-Fi Direct), writing
# TAP to $MC_OUT/*.tap, then unloads the module and saves the kernel log.
#   guest-check.sh MIRACAST_KO KSELFTEST_DIR MIRACASTCTL
ko=$1 ksft=$2 ctl=$3
mount -t debugfs debugfs /sys/kernel/debug
export MIRACAST_KO="$ko"

status() { # status NAME RC: a one-test TAP file for a step of this script
	printf '1..1\n%s 1 %s\n' "$([ "$2" = 0 ] && echo ok || echo 'not ok')" "$1" \
		> "$MC_OUT/$1.tap"
}

modprobe -a drm drm_kms_helper drm_shmem_helper
insmod "$ko"
status vm-load-module $?

for t in "$ksft"/*_test; do
	name=$(basename "$t")
	echo "mc-lab: $name"
	timeout -s KILL 900 "$t" > "$MC_OUT/$name.tap" 2>&1
	echo "mc-lab: $name exit status $?"
done

echo "mc-lab: guest-cli.sh"
sh "$MC_TOP/tests/vm/guest-cli.sh" "$ctl" > "$MC_OUT/guest-cli.tap" 2>&1

echo "mc-lab: guest-e2e.sh"
sh "$MC_TOP/tests/vm/guest-e2e.sh" "$ksft" "$(dirname "$ctl")/miracastd" \
	> "$MC_OUT/e2e-stream.tap" 2>&1

echo "mc-lab: guest-wfd.sh"
timeout -s KILL 600 sh "$MC_TOP/tests/vm/guest-wfd.sh" "$ksft" "$(dirname "$ctl")" \
	> "$MC_OUT/e2e-wfd.tap" 2>&1

echo "mc-lab: guest-wifi-sink.sh"
timeout -s KILL 300 sh "$MC_TOP/tests/vm/guest-wifi-sink.sh" "$(dirname "$ctl")" \
	> "$MC_OUT/e2e-wifi-sink.tap" 2>&1

echo "mc-lab: guest-wifi.sh"
timeout -s KILL 900 sh "$MC_TOP/tests/vm/guest-wifi.sh" "$ksft" "$(dirname "$ctl")" \
	> "$MC_OUT/e2e-wifi.tap" 2>&1

lsmod | grep -q '^miracast ' && rmmod miracast
status vm-unload-module $?
dmesg > "$MC_OUT/dmesg.txt"
