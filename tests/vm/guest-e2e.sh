#!/bin/sh
# End to end in the lab guest (miracast.ko loaded): a KMS client draws
# numbered frames, miracastd --stream-to sends them over loopback RTP, a
# GStreamer receiver decodes them and compares each with what was drawn;
# ffprobe checks the stream, miracastctl status the daemon's figures. Then
# miracastd is SIGKILLed mid-stream: the client's flips go on, the
# connector disconnects, and a restarted daemon streams again. Last, the
# client changes the display's mode while it streams. TAP on stdout.
#   guest-e2e.sh BIN_DIR MIRACASTD (miracastctl beside it)
bin=$1 daemon=$2
ctl=$(dirname "$daemon")/miracastctl
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
# the connector's state as a client sees it (asking probes it)
status() { "$ctl" devices | sed -n 's/^  connector [^:]*: \([a-z]*\),.*/\1/p' | head -n 1; }
# started LOG N: wait (at most 60 s) until the daemon logging to LOG has
# started N sessions, so a client draws only once the sink has arrived
started() {
	i=0
	while [ "$(grep -c 'session started' "$1")" -lt "$2" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

ip link set lo up
gst-inspect-1.0 x264enc > /dev/null 2>&1	# the registry, once
echo "1..32"
chunks() { grep "^chunks_$1:" /sys/kernel/debug/dri/*/miracast_state | head -n 1 | awk '{print $2}'; }

# 1. Stream 120 frames, one every 120 ms.
"$bin/e2e-receive" 5004 "$tmp/a.ts" 6 > "$tmp/rx.txt" 2>&1 &
rx=$!
"$daemon" --stream-to 127.0.0.1:5004 --mode 640x480@60 --bitrate 6000 \
	--audio aac --audio-source test > "$tmp/d.txt" 2>&1 &
d=$!
started "$tmp/d.txt" 1
ok "the sink's arrival connects the display" [ "$(status)" = connected ]
"$bin/e2e-draw" 120 120 3500 > "$tmp/draw.txt" 2>&1 &
draw=$!
sleep 9
"$ctl" status > "$tmp/st.txt" 2>&1
ok "miracastctl status while streaming" [ $? = 0 ]
sed 's/^/# /' "$tmp/st.txt"
ok "... shows the display streaming to the sink, in 640x480@59.94" \
	sh -c "grep -q '^miracast0 (/dev/miracast0): streaming, to 127.0.0.1:5004$' $tmp/st.txt &&
	       grep -q '^  mode 640x480@59.94 (sink 640x480@59.94)$' $tmp/st.txt"
ok "... the encoder, Constrained Baseline level 3.1 and AAC" \
	grep -q "^  encoder [a-z0-9]* ([a-z0-9]*), constrained-baseline level 3.1, audio aac$" \
	"$tmp/st.txt"
fps=$(sed -n 's/^  \([0-9.]*\) fps, \([0-9]*\) kbit.*/\1/p' "$tmp/st.txt")
kbps=$(sed -n 's/^  \([0-9.]*\) fps, \([0-9]*\) kbit.*/\2/p' "$tmp/st.txt")
# a frame every 120 ms: at most 8.3 fps (less when the guest is slow)
ok "... the frame rate ($fps fps) and bitrate ($kbps kbit/s) of the stream" \
	sh -c "awk -v f=${fps:-0} 'BEGIN { exit !(f > 3 && f < 9) }' && [ ${kbps:-0} -gt 0 ]"
p50=$(sed -n 's/^  latency p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms.*/\1/p' "$tmp/st.txt")
p99=$(sed -n 's/^  latency p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms.*/\2/p' "$tmp/st.txt")
sent=$(sed -n 's/^  frames: \([0-9]*\) sent.*/\1/p' "$tmp/st.txt")
ok "... latency p50 $p50 ms <= p99 $p99 ms, $sent frames sent, the kernel's drops" \
	sh -c "awk -v a=${p50:-0} -v b=${p99:-0} 'BEGIN { exit !(a > 0 && a <= b) }' &&
	       [ ${sent:-0} -ge 40 ] &&
	       grep -q '^  frames: [0-9]* sent, [0-9]* dropped, [0-9]* repeated, [0-9]* replaced$' \
		 $tmp/st.txt"
wait $draw
ok "the client drew 120 frames, every flip completed" grep -q "^drawn 120 flips 119" "$tmp/draw.txt"
kill -TERM $d
wait $d
ok "miracastd stops cleanly on SIGTERM" [ $? = 0 ]
"$ctl" status > "$tmp/st0.txt" 2>&1
ok "miracastctl status without miracastd: exit status 1, a clear error" \
	sh -c "[ $? = 1 ] && grep -q 'miracastd is not running' $tmp/st0.txt"
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
# ffprobe guesses the rate from the timestamps: frames come on the mode's
# 59.94 Hz vblanks but not at every one, so it finds 59.94 Hz or a whole
# fraction of it (15000/1001 when the frames' spacings share four vblanks)
ok "ffprobe: H.264 Constrained Baseline, 640x480, on the 59.94 Hz grid, PID 0x1011, PMT 0x100" \
	sh -c "grep -q 'codec_name=\"h264\"' $tmp/probe.txt &&
	       grep -q 'profile=\"Constrained Baseline\"' $tmp/probe.txt &&
	       grep -q 'width=640' $tmp/probe.txt && grep -q 'height=480' $tmp/probe.txt &&
	       grep -q 'id=\"0x1011\"' $tmp/probe.txt && grep -q 'pmt_pid=256' $tmp/probe.txt &&
	       grep '^streams.stream.0.r_frame_rate' $tmp/probe.txt |
		 awk -F'\"' '{ split(\$2, f, \"/\"); k = 60000 / 1001 / (f[1] / f[2]);
				exit !(k > 0.99 && k < 8.01 && k - int(k + 0.5) < 0.01 &&
				       int(k + 0.5) - k < 0.01) }'"

ok "ffprobe: AAC-LC 48 kHz stereo on PID 0x1100" \
	sh -c "grep -q 'streams.stream.1.codec_name=\"aac\"' $tmp/probe.txt &&
	       grep -q 'streams.stream.1.id=\"0x1100\"' $tmp/probe.txt &&
	       grep -q 'streams.stream.1.sample_rate=\"48000\"' $tmp/probe.txt &&
	       grep -q 'streams.stream.1.profile=\"LC\"' $tmp/probe.txt &&
	       grep -q 'streams.stream.1.channels=2' $tmp/probe.txt"

# 3. SIGKILL mid-stream: flips go on, the connector disconnects.
"$daemon" --stream-to 127.0.0.1:5006 --mode 640x480@60 > "$tmp/d2.txt" 2>&1 &
d=$!
started "$tmp/d2.txt" 1
"$bin/e2e-draw" 60 120 > "$tmp/draw2.txt" 2>&1 &
draw=$!
sleep 3
kill -KILL $d
{ wait $d; } 2> /dev/null
wait $draw
ok "after SIGKILL of miracastd, every flip of the client completed" \
	grep -q "^drawn 60 flips 59" "$tmp/draw2.txt"
ok "after SIGKILL of miracastd, the display is disconnected" [ "$(status)" = disconnected ]

# 4. A restarted daemon streams again, with LPCM this time.
"$bin/e2e-receive" 5008 "$tmp/c.ts" 6 > "$tmp/rx3.txt" 2>&1 &
rx=$!
"$daemon" --stream-to 127.0.0.1:5008 --mode 640x480@60 --audio lpcm --audio-source test \
	> "$tmp/d3.txt" 2>&1 &
d=$!
started "$tmp/d3.txt" 1
"$bin/e2e-draw" 30 120 > "$tmp/draw3.txt" 2>&1
kill -TERM $d
wait $d
wait $rx
sed 's/^/# /' "$tmp/rx3.txt"
unique=$(field unique "$tmp/rx3.txt")
ok "a restarted miracastd streams again ($unique of 30 frames)" ge "${unique:-0}" 29
min=$(field min_psnr "$tmp/rx3.txt")
ok "... at least 35 dB (min $min)" ge "${min:-0}" 35
# ffmpeg knows no codec for Wi-Fi Display's LPCM, but shows its stream type
ffprobe -v error -show_streams -of flat "$tmp/c.ts" > "$tmp/probe3.txt" 2>&1
ok "ffprobe: LPCM (stream type 0x83) on PID 0x1100" \
	sh -c "grep -q 'streams.stream.1.id=\"0x1100\"' $tmp/probe3.txt &&
	       grep -q 'streams.stream.1.codec_tag=\"0x0083\"' $tmp/probe3.txt"
ok "miracastd drained its streams in time (no warning)" \
	sh -c "! grep -h 'did not leave' $tmp/d.txt $tmp/d3.txt"

# 5. A mode change while streaming: 30 frames in 640x480, a modeset to the
#    sink's other mode, 30 more in 1280x720; one stream, rebuilt.
"$bin/e2e-receive" 5010 "$tmp/m.ts" 6 > "$tmp/rx4.txt" 2>&1 &
rx=$!
"$daemon" --stream-to 127.0.0.1:5010 --mode 640x480@60 --mode 1280x720@30 \
	> "$tmp/d4.txt" 2>&1 &
d=$!
started "$tmp/d4.txt" 1
"$bin/e2e-draw" 60 200 3000 30 1280x720 > "$tmp/draw4.txt" 2>&1 &
draw=$!
sleep 12
"$ctl" status > "$tmp/st4.txt" 2>&1
sed 's/^/# /' "$tmp/st4.txt"
wait $draw
ok "the client switched to 1280x720 at frame 30, every frame shown" \
	grep -q "^drawn 60 flips 59" "$tmp/draw4.txt"
ok "miracastctl status: streaming 1280x720@30, the sink's two modes" \
	sh -c "grep -q '^miracast0 (/dev/miracast0): streaming' $tmp/st4.txt &&
	       grep -q '^  mode 1280x720@30 (sink 640x480@59.94, 1280x720@30)$' $tmp/st4.txt"
kill -TERM $d
wait $d
ok "miracastd stops cleanly after the mode change" [ $? = 0 ]
wait $rx
sed 's/^/# /' "$tmp/rx4.txt"
unique=$(field unique "$tmp/rx4.txt")
ok "frames received across the mode change: $unique of 60 (at least 98%)" ge "${unique:-0}" 59
min=$(field min_psnr "$tmp/rx4.txt")
ok "... at least 35 dB (min $min)" ge "${min:-0}" 35
small=$(sed -n 's/^size 640x480 //p' "$tmp/rx4.txt")
big=$(sed -n 's/^size 1280x720 //p' "$tmp/rx4.txt")
ok "... decoded at both sizes: $small in 640x480, $big in 1280x720" \
	sh -c "[ ${small:-0} -ge 29 ] && [ ${big:-0} -ge 29 ]"
grep -q "cannot stream\|failed" "$tmp/d4.txt" && sed 's/^/# /' "$tmp/d4.txt"

# 6. Two displays (instances=2): one daemon, a context and a stream each.
# both: the connectors' states as miracastctl devices shows them, one word each
both() { "$ctl" devices | sed -n 's/^  connector [^:]*: \([a-z]*\),.*/\1/p' | sort | uniq -c |
	 awk '{ printf "%s %s ", $1, $2 }'; }
rmmod miracast && insmod "$MIRACAST_KO" instances=2
"$bin/e2e-receive" 5012 "$tmp/t0.ts" 6 > "$tmp/rx5.txt" 2>&1 &
rx=$!
"$daemon" --stream-to 127.0.0.1:5012 --stream-to 127.0.0.1:5014 --mode 640x480@60 \
	> "$tmp/d5.txt" 2>&1 &
d=$!
started "$tmp/d5.txt" 2
ok "one daemon connects both displays ($(both))" [ "$(both)" = "2 connected " ]
"$bin/e2e-draw" 20 150 2000 > "$tmp/draw5.txt" 2>&1
"$ctl" status > "$tmp/st5.txt" 2>&1
sed 's/^/# /' "$tmp/st5.txt"
ok "miracastctl status shows both, each with its sink" \
	sh -c "grep -q '^miracast0 (/dev/miracast0): .*, to 127.0.0.1:5012$' $tmp/st5.txt &&
	       grep -q '^miracast1 (/dev/miracast1): .*, to 127.0.0.1:5014$' $tmp/st5.txt"
kill -TERM $d
wait $d
ok "... and stops cleanly: both disconnect" \
	sh -c "[ $? = 0 ] && [ '$(both)' = '2 disconnected ' ]"
wait $rx
unique=$(field unique "$tmp/rx5.txt")
ok "the first display streamed its frames ($unique of 20)" ge "${unique:-0}" 20
rm -rf "$tmp"
exit $failed
