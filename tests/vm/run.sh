#!/bin/bash
# Boot Debian's 6.1 kernel in QEMU (TCG) with the host root shared read-only
# and run a script in the guest as PID 1, as root.
#
#   run.sh [-i] OUTDIR SCRIPT [ARG...]
#
# OUTDIR (created; must be empty or a previous run's) is shared read-write
# and holds the run: console.log, and whatever SCRIPT writes there (the guest
# finds it in $MC_OUT). SCRIPT and its ARGs must be absolute paths or words;
# the guest sees the host's file system read-only, with /tmp, /run, /var/tmp
# and /dev/shm as empty tmpfs.
#
# -i  interactive: the guest's console is this terminal (no timeouts).
#
# Environment: KVER (default: scripts/kver.sh), INITRD (default: build it
# into build/vm/), TIMEOUT=900 (s, whole run), BOOT_STALL=120 (s to reach
# /init; a stalled boot is retried), BOOT_TRIES=3, SMP=2, MEM=1G,
# APPEND (extra kernel command line).
#
# Exit status: 0 the guest powered off after writing $MC_OUT/done,
# 1 it did not (hang, panic, timeout): the end of its console is printed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
interactive=0
if [ "${1:-}" = -i ]; then interactive=1; shift; fi
out=${1:?usage: run.sh [-i] OUTDIR SCRIPT [ARG...]}
shift
[ $# -ge 1 ] || { echo "usage: run.sh [-i] OUTDIR SCRIPT [ARG...]" >&2; exit 2; }

kver=${KVER:-$("$top/scripts/kver.sh")}
timeout=${TIMEOUT:-900}
boot_stall=${BOOT_STALL:-120}
boot_tries=${BOOT_TRIES:-3}

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/console.log" "$out/done"

initrd=${INITRD:-$top/build/vm/initramfs-$kver.cpio.gz}
if [ ! -s "$initrd" ] || [ "$here/init" -nt "$initrd" ] || [ "$here/mkinitramfs.sh" -nt "$initrd" ]; then
	"$here/mkinitramfs.sh" "$kver" "$initrd"
fi

# What the guest runs: the script and its arguments, quoted, with the
# environment it needs. The run's end is marked by $MC_OUT/done.
{
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export HOME=/root TERM=${TERM:-dumb} TMPDIR=/tmp MC_OUT=$(printf %q "$out")"
	echo "export MC_TOP=$(printf %q "$top") MC_KVER=$(printf %q "$kver")"
	echo "cd \"\$MC_TOP\""
	echo "echo \"mc-lab: running $(printf '%q ' "$@")\""
	printf '%q ' "$@"
	echo
	echo "echo \"mc-lab: exit status \$?\""
	echo "sync; touch \"\$MC_OUT/done\"; sync"
	echo "exec /bin/busybox poweroff -f"
} > "$out/guest.sh"

qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp "${SMP:-2}" -m "${MEM:-1G}"
	-nographic -no-reboot
	-kernel "/boot/vmlinuz-$kver" -initrd "$initrd"
	-append "console=ttyS0 loglevel=5 panic=-1 mc_out=$out ${APPEND:-}"
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$out,mount_tag=mcout,security_model=none,multidevs=remap"
	-device virtio-rng-pci -nic none)

if [ "$interactive" = 1 ]; then
	"${qemu[@]}"
	exit 0
fi

log=$out/console.log
for try in $(seq 1 "$boot_tries"); do
	start=$SECONDS
	"${qemu[@]}" < /dev/null > "$log" 2>&1 &
	pid=$!
	stalled=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		elapsed=$((SECONDS - start))
		if ! grep -q '^mc-lab: init' "$log" && [ "$elapsed" -ge "$boot_stall" ]; then
			stalled=1
			break
		fi
		if [ "$elapsed" -ge "$timeout" ]; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			echo "run.sh: the guest did not finish in ${timeout}s; killed. Its console ended:"
			tail -n 40 "$log" | tr -d '\r' | sed 's/^/  | /'
			exit 1
		fi
	done
	if [ "$stalled" = 1 ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		echo "run.sh: boot $try/$boot_tries stalled before /init after ${boot_stall}s; retrying"
		cp "$log" "$log.stalled-$try"
		continue
	fi
	wait "$pid" || true
	if [ -f "$out/done" ]; then
		exit 0
	fi
	echo "run.sh: the guest stopped before its script finished. Its console ended:"
	tail -n 40 "$log" | tr -d '\r' | sed 's/^/  | /'
	exit 1
done
echo "run.sh: the guest never reached /init in $boot_tries boots"
exit 1
