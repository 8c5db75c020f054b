#!/bin/sh
# End to end in the lab guest (miracast.ko loaded): a KMS client draws
# numbered frames, miracastd --stream-to sends them over loopback RTP, a
# GStreamer receiver decodes them and compares each with what was drawn;
# ffprobe checks the stream. Then miracastd is SIGKILLed mid-stream: the
# client's flips go on, the connector disconnects, and a restarted daemon
# streams again. TAP on stdout.
#   guest-e2e.sh BIN_DIR MIRACASTD
bin=$1 daemon=$2
tmp=$(mktemp -d)
export GST_REGISTRY=$tmp/registry.bin
n=0 failed=0
ok() { # ok DESCRIPTION CONDITION...
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n $desc"; else echo "not ok $n $desc"; failed=1; fi
}
field() { sed -n "s/^\(.* \)\{0,1\}$1 \([^ ]*\).*/\2/p" "$2" | head -n 1; }
status() { cat /sys/class/drm/card*-Virtual-1/status | head -n 1; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

ip link set lo up
gst-inspect-1.0 x264enc > /dev/null 2>&1	# the registry, once
echo "1..14"
chunks() { grep "^chunks_$1:" /sys/kernel/debug/dri/*/miracast_state | head -n 1 | awk '{print $2}'; }

# 1. Stream 120 frames, one every 120 ms.
"$bin/e2e-receive" 5004 "$tmp/a.ts" 6 > "$tmp/rx.txt" 2>&1 &
rx=$!
"$daemon" --stream-to 127.0.0.1:5004 --mode 640x480@60 --bitrate 6000 \
	--audio aac --audio-source test > "$tmp/d.txt" 2>&1 &
d=$!
sleep 2
ok "the sink's arrival connects the display" [ "$(status)" = connected ]
"$bin/e2e-draw" 120 120 3500 > "$tmp/draw.txt" 2>&1
ok "the client drew 120 frames, every flip completed" grep -q "^drawn 120 flips 119" "$tmp/draw.txt"
kill -TERM $d
wait $d
ok "miracastd stops cleanly on SIGTERM" [ $? = 0 ]
wait $rx
cat "$tmp/rx.txt" | sed 's/^/# /'
unique=$(field unique "$tmp/rx.txt")
ok "frames received: $unique of 120 (at least 98%)" ge "${unique:-0}" 118
min=$(field min_psnr "$tmp/rx.txt")
ok "PSNR of every frame at least 35 dB (min $min)" ge "${min:-0}" 35
repeats=$(( $(field decoded "$tmp/rx.txt") - unique - $(field unreadable "$tmp/rx.txt") ))
ok "the static screen at the end was sent again ($repeats repeats in 3.5 s)" \
	sh -c "[ $repeats -ge 2 ]"
ok "the display disconnects when the daemon stops" [ "$(status)" = disconnected ]
cc=$(chunks color_convert) enc=$(chunks encode) sent=$(chunks sent)
ok "the daemon's chunk records: $cc converted, $enc encoded, $sent sent (>= 120 each)" \
	sh -c "[ ${cc:-0} -ge 120 ] && [ ${enc:-0} -ge 120 ] && [ ${sent:-0} -ge 120 ]"

# 2. ffprobe: H.264 Constrained Baseline 640x480 at the mode's rate on PID 0x1011,
#    AAC 48 kHz stereo on 0x1100.
ffprobe -v error -show_programs -show_streams -of flat "$tmp/a.ts" > "$tmp/probe.txt" 2>&1
grep -E '^streams.stream.[01].(codec_name|profile|width|height|r_frame_rate|id|sample_rate|channels)=|pmt_pid' \
	"$tmp/probe.txt" | sed 's/^/# /'
ok "ffprobe: H.264 Constrained Baseline, 640x480, ~59.94 fps, PID 0x1011, PMT 0x100" \
	sh -c "grep -q 'codec_name=\"h264\"' $tmp/probe.txt &&
	       grep -q 'profile=\"Constrained Baseline\"' $tmp/probe.txt &&
	       grep -q 'width=640' $tmp/probe.txt && grep -q 'height=480' $tmp/probe.txt &&
	       grep -q 'id=\"0x1011\"' $tmp/probe.txt && grep -q 'pmt_pid=256' $tmp/probe.txt &&
	       grep '^streams.stream.0.r_frame_rate' $tmp/probe.txt |
		 awk -F'\"' '{ split(\$2, f, \"/\"); r = f[1] / f[2]; exit !(r > 59.8 && r < 60.1) }'"

ok "ffprobe: AAC-LC 48 kHz stereo on PID 0x1100" \
	sh -c "grep -q 'streams.stream.1.codec_name=\"aac\"' $tmp/probe.txt &&
	       grep -q 'streams.stream.1.id=\"0x1100\"' $tmp/probe.txt &&
	       grep -q 'streams.stream.1.sample_rate=\"48000\"' $tmp/probe.txt &&
	       grep -q 'streams.stream.1.profile=\"LC\"' $tmp/probe.txt &&
	       grep -q 'streams.stream.1.channels=2' $tmp/probe.txt"

# 3. SIGKILL mid-stream: flips go on, the connector disconnects.
"$daemon" --stream-to 127.0.0.1:5006 --mode 640x480@60 > "$tmp/d2.txt" 2>&1 &
d=$!
sleep 2
"$bin/e2e-draw" 60 120 > "$tmp/draw2.txt" 2>&1 &
draw=$!
sleep 3
kill -KILL $d
{ wait $d; } 2> /dev/null
wait $draw
ok "after SIGKILL of miracastd, every flip of the client completed" \
	grep -q "^drawn 60 flips 59" "$tmp/draw2.txt"
ok "after SIGKILL of miracastd, the display is disconnected" [ "$(status)" = disconnected ]

# 4. A restarted daemon streams again.
"$bin/e2e-receive" 5008 "$tmp/c.ts" 6 > "$tmp/rx3.txt" 2>&1 &
rx=$!
"$daemon" --stream-to 127.0.0.1:5008 --mode 640x480@60 > "$tmp/d3.txt" 2>&1 &
d=$!
sleep 2
"$bin/e2e-draw" 30 120 > "$tmp/draw3.txt" 2>&1
kill -TERM $d
wait $d
wait $rx
sed 's/^/# /' "$tmp/rx3.txt"
unique=$(field unique "$tmp/rx3.txt")
ok "a restarted miracastd streams again ($unique of 30 frames)" ge "${unique:-0}" 29
min=$(field min_psnr "$tmp/rx3.txt")
ok "... at least 35 dB (min $min)" ge "${min:-0}" 35
rm -rf "$tmp"
exit $failed
