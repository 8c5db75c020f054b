#!/bin/sh
# The lab guest's part of `make vm-shell`: load the module and give the
# console an interactive shell; the guest powers off when it exits.
#   guest-shell.sh MIRACAST_KO
mount -t debugfs debugfs /sys/kernel/debug
modprobe -a drm drm_kms_helper drm_shmem_helper
insmod "$1" && echo "miracast.ko loaded: $(ls /dev/miracast*)"
echo "The host's file system is mounted read-only; /tmp is writable. 'exit' powers off."
setsid -c /bin/bash -i < /dev/ttyS0 > /dev/ttyS0 2>&1
