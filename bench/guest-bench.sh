#!/bin/sh
# The lab guest's part of `make bench`: load the module and run the
# benchmarks into $MC_OUT/bench.txt.
#   guest-bench.sh MIRACAST_KO MSG_BENCH FRAME_BENCH
mount -t debugfs debugfs /sys/kernel/debug
modprobe -a drm drm_kms_helper drm_shmem_helper && insmod "$1" &&
	"$2" > "$MC_OUT/bench.txt" 2>&1 &&
	"$3" >> "$MC_OUT/bench.txt" 2>&1
echo "bench: exit status $?" >> "$MC_OUT/bench.txt"
rmmod miracast
dmesg > "$MC_OUT/dmesg.txt"
