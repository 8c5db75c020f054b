#!/bin/sh
# The lab guest's part of `make demo`: load the module and show the display
# as a user sees it, with modetest and miracastctl, into $MC_OUT/demo.txt.
#   guest-demo.sh MIRACAST_KO MIRACASTCTL
ko=$1 ctl=$2
{
	modprobe -a drm drm_kms_helper drm_shmem_helper && insmod "$ko" &&
	echo "\$ miracastctl list" && "$ctl" list &&
	echo && echo "\$ modetest -M miracast -c" && modetest -M miracast -c &&
	echo "\$ modetest -M miracast -p" && modetest -M miracast -p &&
	rmmod miracast
	echo "demo: exit status $?"
} > "$MC_OUT/demo.txt" 2>&1
