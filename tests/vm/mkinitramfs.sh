#!/bin/bash
# Build the lab's initramfs: busybox, the modules that mount the host root
# over virtio-9p (in the order modprobe resolves them), and /init.
#   mkinitramfs.sh KVER OUTPUT.cpio.gz
set -euo pipefail
kver=${1:?usage: mkinitramfs.sh KVER OUTPUT}
output=${2:?usage: mkinitramfs.sh KVER OUTPUT}
here=$(cd "$(dirname "$0")" && pwd)
busybox=/bin/busybox	# busybox-static: no shared libraries needed

mkdir -p "$(dirname "$output")"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,mod}
cp "$busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init"

: > "$root/modules.order"
for m in 9p 9pnet_virtio virtio_pci; do
	modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	cp "$ko" "$root/mod/"
	basename "$ko" >> "$root/modules.order"
done

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$output.tmp"
mv "$output.tmp" "$output"
echo "mkinitramfs.sh: $output ($(wc -l < "$root/modules.order") modules, kernel $kver)"
