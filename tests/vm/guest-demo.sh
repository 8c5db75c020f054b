#!/bin/sh
# The lab guest's part of `make demo`: miracast.ko, miracastd waiting for
# Wi-Fi Display sinks, and miracast-testsink connecting to it over
# loopback as a TV would after Wi-Fi Direct. Once the RTSP session has
# negotiated a mode, a KMS client plays a scene on the new display for
# SECONDS; the sink decodes the stream and saves every SNAP-th frame as a
# PNG in $MC_OUT. What happened goes to $MC_OUT/demo.txt.
# With "wifi" last, the sink is reached by Wi-Fi Direct instead, across two
# mac80211_hwsim radios (tests/vm/wifi-lab.sh): miracastctl list finds it,
# miracastctl connect forms the group, the sink opens its session.
#   guest-demo.sh MIRACAST_KO USERSPACE_DIR LAB_DIR SINK_PROFILE SECONDS SNAP [wifi]
ko=$1 bin=$2 lab=$3 profile=$4 seconds=$5 snap=$6 wifi=${7:-}
export GST_REGISTRY=/tmp/registry.bin
out=$MC_OUT
log=$out/demo.txt

say() { echo "$*" >> "$log"; }
# until: wait up to 60 s for a command to succeed
until_ok() {
	i=0
	while ! "$@" > /dev/null 2>&1 && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	"$@" > /dev/null 2>&1
}

: > "$log"
ip link set lo up
# the sinks' 4 MiB UDP buffers, which the kernel caps at rmem_max
sysctl -qw net.core.rmem_max=8388608
modprobe -a drm drm_kms_helper drm_shmem_helper && insmod "$ko" || {
	say "demo: cannot load miracast.ko"
	exit 1
}
gst-inspect-1.0 x264enc > /dev/null 2>&1	# GStreamer's registry, once

if [ "$wifi" = wifi ]; then
	. "$MC_TOP/tests/vm/wifi-lab.sh"
	wifi_lab_up || {
		say "demo: the Wi-Fi lab did not come up"
		exit 1
	}
	"$bin/miracastd" --audio-source test --wpa-ctrl /run/wpa_src > "$out/miracastd.log" 2>&1 &
	daemon=$!
	until_ok grep -q 'waiting for Wi-Fi Display sinks' "$out/miracastd.log"
	say "\$ miracast-testsink --profile $profile --p2p /run/wpa_sink   (in the sink's netns)"
	ip netns exec sink "$bin/miracast-testsink" --profile "$profile" --p2p /run/wpa_sink \
		--snapshot-dir "$out" --snapshot-every "$snap" --stats "$out/sink.txt" \
		> "$out/sink.log" 2>&1 &
	sink=$!
	until_ok sh -c "'$bin/miracastctl' list | grep -q ': primary sink'"
	say "\$ miracastctl list"
	"$bin/miracastctl" list >> "$log" 2>&1
	name=$("$bin/miracastctl" list | sed -n 's/^  [0-9a-f:]*  \(.*\): primary sink.*/\1/p' |
	       head -n 1)
	say "\$ miracastctl connect $name"
	t0=$(date +%s%3N)
	"$bin/miracastctl" connect "$name" >> "$log" 2>&1
else
	"$bin/miracastd" --audio-source test > "$out/miracastd.log" 2>&1 &
	daemon=$!
	until_ok grep -q 'waiting for Wi-Fi Display sinks' "$out/miracastd.log"
	say "\$ miracast-testsink --profile $profile --connect 127.0.0.1:7236"
	"$bin/miracast-testsink" --profile "$profile" --connect 127.0.0.1:7236 \
		--snapshot-dir "$out" --snapshot-every "$snap" --stats "$out/sink.txt" \
		> "$out/sink.log" 2>&1 &
	sink=$!
fi
until_ok sh -c "'$bin/miracastctl' status | grep -q 'negotiated'"
say "\$ miracastctl devices"
"$bin/miracastctl" devices >> "$log" 2>&1
say "\$ demo-draw $seconds"
"$lab/demo-draw" "$seconds" 10 >> "$log" 2>&1 &
draw=$!
sleep $((seconds * 2 / 3))
say "\$ miracastctl status"
"$bin/miracastctl" status > "$out/status.txt" 2>&1
cat "$out/status.txt" >> "$log"
wait $draw
draw_rc=$?
say "\$ miracastctl disconnect"
"$bin/miracastctl" disconnect >> "$log" 2>&1
wait $sink
sink_rc=$?
kill -TERM $daemon
wait $daemon
daemon_rc=$?
# what a viewer wants to know, from both ends
sum() { sed -n "s/^$1=//p" "$out/sink.txt" 2>/dev/null | head -n 1; }
st() { sed -n "$1" "$out/status.txt" 2>/dev/null | head -n 1; }
say ""
say "Summary"
say "  negotiated:  $(sum mode) $(sum video_profile) level $(sum video_level), audio $(sum audio)"
say "  sink:        $(sum frames_decoded) pictures decoded, $(sum fps) fps, $(sum kbit_s) kbit/s," \
	"$(sum snapshots) snapshots"
say "  miracastd:   $(st 's/^  \([0-9.]* fps, [0-9]* kbit\/s\).*/\1/p')"
say "  latency:     $(st 's/^  latency \(.*\)/\1/p')"
say "  sink checks: $(sum result)"
if [ "$wifi" = wifi ]; then
	first=$(sum first_frame_unix_ms)
	say "  Wi-Fi:       $(st 's/^  group [^,]*, \(the source is [^,]*, [0-9]* MHz\).*/\1/p')," \
		"group formed in $(st 's/.*(formed in \([0-9.]*\) s).*/\1/p') s"
	say "  link:        $(st 's/^  link: //p')"
	say "               $(st 's/^  \(the link allows .*\)/\1/p')"
	say "  connect to the first decoded picture: $((first - t0)) ms"
fi
say "  (the sink's whole summary: sink.txt; snapshots: frame-*.png)"
[ "$wifi" = wifi ] && wifi_lab_save_logs "$out" && wifi_lab_down
rmmod miracast
dmesg > "$out/dmesg.txt"
[ $draw_rc = 0 ] && [ $sink_rc = 0 ] && [ $daemon_rc = 0 ]
say "demo: exit status $? (client $draw_rc, sink $sink_rc, miracastd $daemon_rc)"
