#!/bin/sh
# The lab guest's part of `make bench`: load the module and run the given
# benchmarks, one after the other, into $MC_OUT/bench.txt.
#   guest-bench.sh MIRACAST_KO BENCH...
ko=$1
shift
mount -t debugfs debugfs /sys/kernel/debug
: > "$MC_OUT/bench.txt"
rc=0
if modprobe -a drm drm_kms_helper drm_shmem_helper && insmod "$ko"; then
	for b in "$@"; do
		"$b" >> "$MC_OUT/bench.txt" 2>&1 || { rc=$?; break; }
	done
	rmmod miracast
else
	rc=1
fi
echo "bench: exit status $rc" >> "$MC_OUT/bench.txt"
dmesg > "$MC_OUT/dmesg.txt"
