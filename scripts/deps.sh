#!/bin/bash
# Install, with apt, everything linux-miracast builds and tests with.
# Idempotent: prints what it installs; when everything is there it says so
# and changes nothing.
#   deps.sh           install what is missing (needs root, or sudo)
#   deps.sh --check   exit 1 (and list them) if packages are missing
set -euo pipefail

PKGS=(
	# build
	build-essential pkg-config perl xz-utils
	# the UAPI layout test builds for 32-bit userspace too
	gcc-multilib g++-multilib
	# the guest kernel, its headers, and its source (kselftest harness, checkpatch)
	linux-image-amd64 linux-headers-amd64 linux-source-6.1 sparse
	# the QEMU lab
	qemu-system-x86 busybox-static cpio kmod
	# KMS clients and modetest
	libdrm-dev libdrm-tests
	# the daemon
	libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
	gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
	gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
	# Wi-Fi Direct: the supplicant, nl80211 and rtnetlink (libnl), the DHCP server of a
	# group the source owns, and the lab's tools (iw, the regulatory database)
	wpasupplicant libnl-3-dev libnl-genl-3-dev libnl-route-3-dev dnsmasq-base iw wireless-regdb
	# mode timings of the Wi-Fi Display VESA and handheld tables (CVT)
	libxcvt-dev
	# the fuzzers (libFuzzer)
	clang libclang-rt-14-dev
	# the demo's KMS client draws with cairo
	libcairo2-dev fonts-dejavu-core
	# the end-to-end test checks the stream with ffprobe
	ffmpeg
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages are installed"
	exit 0
fi
if [ "${1:-}" = --check ]; then
	echo "deps: missing: ${missing[*]}"
	exit 1
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}"
echo "deps: done"
