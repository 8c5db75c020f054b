#!/bin/bash
# Print the release of the Debian 6.1 kernel the lab boots: the newest one
# whose image and headers are both installed.
set -euo pipefail
for h in $(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -rV); do
	kver=${h#/usr/src/linux-headers-}
	if [ -e "/boot/vmlinuz-$kver" ] && [ -d "/lib/modules/$kver/kernel" ]; then
		echo "$kver"
		exit 0
	fi
done
echo "kver.sh: no Debian 6.1 kernel with headers installed (run make deps)" >&2
exit 1
