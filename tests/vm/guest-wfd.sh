#!/bin/sh
# Wi-Fi Display sessions end to end in the lab guest (miracast.ko loaded):
# miracastd waits for sinks on TCP 7236 (keepalives every second), and
# miracast-testsink plays each of its profiles over loopback. Per session:
# the negotiated mode is the expected one, the display's connector shows
# exactly the sink's modes, a KMS client's frames come out of the sink's
# decoder (PSNR), keepalives flow, and it ends as it should: teardown from
# either side, the sink vanishing or dropping the connection, broken
# capabilities. TAP on stdout.
#   guest-wfd.sh BIN_DIR USERSPACE_DIR
bin=$1 u=$2
ctl=$u/miracastctl
tmp=$(mktemp -d)
export GST_REGISTRY=$tmp/registry.bin
. "$MC_TOP/tests/vm/guest-lib.sh"
negotiated() { "$ctl" status 2>/dev/null | grep -q 'negotiated'; }
playing() { "$ctl" status 2>/dev/null | grep -q '^  session playing'; }

ip link set lo up
# the sinks' 4 MiB UDP buffers, which the kernel caps at rmem_max
sysctl -qw net.core.rmem_max=8388608
gst-inspect-1.0 x264enc > /dev/null 2>&1	# the registry, once
# one display (an earlier test may have left instances=2): a second sink has none
if [ -n "${MIRACAST_KO:-}" ]; then
	rmmod miracast 2> /dev/null
	insmod "$MIRACAST_KO"
fi
echo "1..49"

"$u/miracastd" --session-timeout 6 --audio-source test > "$tmp/d.txt" 2>&1 &
d=$!
wait_for 30 grep -q 'waiting for Wi-Fi Display sinks' "$tmp/d.txt"

# sink NAME PROFILE [OPTIONS...]: a sink connecting to miracastd, in the background
sink() {
	name=$1 profile=$2
	shift 2
	timeout -s KILL 120 "$u/miracast-testsink" --profile "$profile" \
		--connect 127.0.0.1:7236 --log "$tmp/$name.rtsp" "$@" > "$tmp/$name.txt" \
		2> "$tmp/$name.err" &
	sink_pid=$!
}
show() { sed 's/^/# /' "$tmp/$1.txt"; }

# session NAME PROFILE MODE "MODES" [SINK OPTIONS...]: a faithful sink's
# session, a pattern drawn in 640x480, torn down by miracastctl disconnect
session() {
	name=$1 profile=$2 mode=$3 want=$4
	shift 4
	sink "$name" "$profile" --pattern "$@"
	wait_for 30 playing
	got=$(modes)
	"$ctl" status > "$tmp/$name.st" 2>&1
	ok "$profile: negotiated $mode" \
		grep -q "^  session playing, negotiated $mode," "$tmp/$name.st"
	ok "$profile: the connector shows the sink's modes ($got)" [ "$got" = "$want" ]
	"$bin/e2e-draw" 40 150 2000 > "$tmp/$name.draw" 2>&1
	"$ctl" disconnect > "$tmp/$name.disc" 2>&1
	wait $sink_pid
	rc=$?
	show "$name"
	ok "$profile: torn down by miracastctl disconnect; the sink's checks pass (exit $rc)" \
		sh -c "[ $rc = 0 ] && grep -q '^ended_by=source-teardown$' $tmp/$name.txt &&
		       grep -q '^result=ok$' $tmp/$name.txt"
	unique=$(key "$tmp/$name.txt" pattern_unique) psnr=$(key "$tmp/$name.txt" min_psnr)
	ok "$profile: $unique of 40 frames decoded in 640x480, min PSNR $psnr dB (>= 35)" \
		both_ge "${unique:-0}" 36 "${psnr:-0}" 35
	ka=$(key "$tmp/$name.txt" keepalives) gap=$(key "$tmp/$name.txt" keepalive_max_interval_ms)
	ok "$profile: $ka keepalives, at most $gap ms apart (one a second, +-1 s)" \
		sh -c "[ ${ka:-0} -ge 3 ] && [ ${gap:-99999} -le 2000 ]"
	wait_for 10 idle
	ok "$profile: the display is disconnected after the session" [ "$(state)" = disconnected ]
}

# 1. Faithful sinks: the mode they are best shown in, their modes on the
#    connector, the pattern through a mode change (M4) to 640x480.
e0=$(errors)
session tv tv-1080p 1920x1080p60 "$(echo 1024x768@60 1152x864@60 1280x1024@60 \
	1280x720@24 1280x720@25 1280x720@30 1280x720@50 1280x720@60 1280x768@60 \
	1280x800@60 1360x768@60 1366x768@60 1400x1050@60 1440x900@60 1600x1200@60 \
	1600x900@60 1920x1080@24 1920x1080@25 1920x1080@30 1920x1080@50 1920x1080@60 \
	640x480@60 720x480@60 720x576@50 800x600@60 | tr ' ' '\n' | sort | xargs)"
grep -q 'mode_changes=[1-9]' "$tmp/tv.txt"
ok "tv-1080p: the 640x480 modeset was negotiated with the sink (M4)" [ $? = 0 ]
session dongle dongle-720p-lpcm 1280x720p60 \
	"1280x720@30 1280x720@60 640x480@60 720x480@60 720x576@50"
ok "dongle-720p-lpcm: LPCM audio, checked by the sink" \
	sh -c "grep -q '^audio=LPCM$' $tmp/dongle.txt && grep -q '^audio_ok=yes$' $tmp/dongle.txt"
session projector projector-vesa 1280x800p60 "1024x768@60 1280x800@60 640x480@60"
ok "no session error reported to the kernel so far ($(errors) after $e0)" [ "$(errors)" = "$e0" ]

# 2. A sink with an EDID: the connector has it.
sink edid tv-edid --duration 4
wait_for 30 playing
# a virtual connector has no EDID property: the EDID shows in what it adds,
# its size (100 x 56 cm) and its own timings (VESA DMT 800x600 at 60.32 Hz)
modetest -M miracast -c > "$tmp/edid.modetest" 2>&1
ok "tv-edid: the connector has the EDID's size and timings" \
	sh -c "grep -q 'Virtual-1[[:space:]]*1000x560' $tmp/edid.modetest &&
	       grep -q '800x600 60.32 800 840 968 1056' $tmp/edid.modetest"
ok "tv-edid: its modes ($(modes))" \
	sh -c "[ '$(modes)' = '1024x768@60 1280x1024@60 1280x720@60 1920x1080@60 640x480@60 800x600@60' ]"
wait $sink_pid
rc=$?
show edid
ok "tv-edid: the sink tears down after 4 s (M8); its checks pass" \
	sh -c "[ $rc = 0 ] && grep -q '^ended_by=sink-teardown$' $tmp/edid.txt"
wait_for 10 idle
ok "tv-edid: the display is disconnected after the sink's teardown" \
	[ "$(state)" = disconnected ]

# 3. Quirky but valid sinks: each plays, decodes, tears down itself.
quirk() { # quirk PROFILE MODE AUDIO
	sink "$1" "$1" --duration 8
	wait_for 30 playing
	"$ctl" status > "$tmp/$1.st" 2>&1
	"$bin/e2e-draw" 30 150 500 > "$tmp/$1.draw" 2>&1
	wait $sink_pid
	rc=$?
	show "$1"
	ok "$1: negotiated $2 with audio $3; played, decoded, its checks pass (exit $rc)" \
		sh -c "[ $rc = 0 ] && grep -q '^  session playing, negotiated $2, audio $3,' \
		       $tmp/$1.st && grep -q '^audio=$3$' $tmp/$1.txt &&
		       grep -q '^result=ok$' $tmp/$1.txt"
	wait_for 10 idle
}
quirk no-audio 1920x1080p30 none
quirk lg-webos 1920x1080p60 AAC
quirk android-all-ones 1280x720p30 AAC
quirk garbage-params 1920x1080p60 AAC
ok "lg-webos: its M2 with CSeq 0 before the M1 reply was answered" \
	grep -q 'OPTIONS' "$tmp/lg-webos.rtsp"

# 4. An IDR frame on request (M13).
sink idr tv-1080p --duration 5 --idr-request-after 2
wait $sink_pid
ms=$(key "$tmp/idr.txt" idr_after_request_ms)
ok "wfd_idr_request (M13): an IDR frame $ms ms after the reply" \
	sh -c "[ ${ms:--1} -ge 0 ] && [ ${ms:--1} -le 2000 ]"
wait_for 10 idle

# 5. miracastctl connect: miracastd reaches a sink that waits for it.
timeout -s KILL 120 "$u/miracast-testsink" --profile dongle-720p-lpcm \
	--listen 127.0.0.1:7250 --pattern > "$tmp/listen.txt" 2> "$tmp/listen.err" &
lp=$!
wait_for 10 grep -q '^listening=' "$tmp/listen.txt"
"$ctl" connect 127.0.0.1:7250 > "$tmp/connect.txt" 2>&1
rc=$?
sed 's/^/# /' "$tmp/connect.txt"
ok "miracastctl connect returns once the sink plays" \
	sh -c "[ $rc = 0 ] && grep -q '^miracast0: streaming to 127.0.0.1:7250, 1280x720p60$' \
	       $tmp/connect.txt"
"$bin/e2e-draw" 30 150 1500 > "$tmp/connect.draw" 2>&1
"$ctl" disconnect miracast0 > "$tmp/disc.txt" 2>&1
ok "miracastctl disconnect miracast0 returns once it has ended" \
	grep -q '^miracast0: disconnected' "$tmp/disc.txt"
wait $lp
rc=$?
show listen
unique=$(key "$tmp/listen.txt" pattern_unique)
ok "the sink reached by connect decoded $unique of 30 frames, its checks pass" \
	sh -c "[ $rc = 0 ] && [ ${unique:-0} -ge 26 ]"
"$ctl" connect 127.0.0.1:7251 > "$tmp/connect2.txt" 2>&1
rc=$?
ok "miracastctl connect to nobody: exit 1, a clear error" \
	sh -c "[ $rc = 1 ] && grep -q 'connect 127.0.0.1:7251: .*refused' $tmp/connect2.txt"
sed 's/^/# /' "$tmp/connect2.txt"

# 6. A second sink while the only display has one: refused (R46).
sink first dongle-720p-lpcm --duration 14
wait_for 30 playing
"$bin/e2e-draw" 30 150 500 > "$tmp/first.draw" 2>&1
timeout -s KILL 60 "$u/miracast-testsink" --profile tv-1080p --connect 127.0.0.1:7236 \
	> "$tmp/second.txt" 2>&1
ok "a second sink while the display has one is refused (its session never starts)" \
	sh -c "grep -q '^ended_by=source-closed$' $tmp/second.txt &&
	       grep -q 'no display is free: refused' $tmp/d.txt"
wait $sink_pid
ok "... and the first one's session goes on to its end" grep -q '^result=ok$' "$tmp/first.txt"
wait_for 10 idle

# 7. Misbehaving sinks: the source ends the session, says why, tells the kernel.
e0=$(errors)
sink broken broken-params
wait $sink_pid
rc=$?
show broken
ok "broken-params: the source gives up before M4 (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q '^m4_count=0$' $tmp/broken.txt"
ok "broken-params: miracastd says which parameter is broken" \
	grep -q "capabilities (M3 reply): wfd_video_formats: .*1FFFFFFG" "$tmp/d.txt"
ok "broken-params: the display never connected, no session error (no context yet)" \
	sh -c "[ '$(state)' = disconnected ] && [ '$(errors)' = '$e0' ]"
wait_for 10 idle

sink late late-keepalive --keepalive-delay 7000
wait $sink_pid
rc=$?
show late
ok "late-keepalive: the session ends when an M16 is not answered within 5 s (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q 'did not answer GET_PARAMETER (M16 keepalive)' $tmp/d.txt"
wait_for 10 idle
ok "late-keepalive: reported to the kernel as a missing keepalive" \
	sh -c "dmesg | grep -q 'session error: missing keep-alive' && [ $(errors) -gt $e0 ]"
ok "late-keepalive: the display is disconnected" [ "$(state)" = disconnected ]

e0=$(errors)
sink vanish vanish --vanish-after 3
wait $sink_pid
rc=$?
show vanish
ok "vanish: the session ends when the sink stops answering (exit $rc)" \
	sh -c "[ $rc = 0 ] && [ $(errors) -gt $e0 ]"
wait_for 10 idle
ok "vanish: the display is disconnected" [ "$(state)" = disconnected ]

e0=$(errors)
sink drop drop --drop-after 3
wait $sink_pid
rc=$?
show drop
ok "drop: RTP stops when the sink closes the connection (exit $rc)" [ $rc = 0 ]
wait_for 10 idle
ok "drop: reported to the kernel (the sink disconnected), the display disconnected" \
	sh -c "[ $(errors) -gt $e0 ] && [ '$(state)' = disconnected ] &&
	       dmesg | grep -q 'session error: sink asked to disconnect'"

# 8. SIGTERM with a sink: the session is torn down (M5 TEARDOWN) first.
sink term tv-1080p
wait_for 30 playing
kill -TERM $d
wait $d
drc=$?
wait $sink_pid
show term
ok "SIGTERM: miracastd tears the session down, then exits 0 (exit $drc)" \
	sh -c "[ $drc = 0 ] && grep -q '^ended_by=source-teardown$' $tmp/term.txt"
ok "miracastd logged no critical or warning beyond the misbehaving sinks" \
	sh -c "! grep -E 'CRITICAL|g_return|assertion' $tmp/d.txt"
grep -E 'WARNING|warning' "$tmp/d.txt" | sed 's/^/# /'
# the logs of a failed run stay with the run's output
[ $failed = 0 ] || { rm -rf "${MC_OUT:-/tmp}/wfd-logs"; cp -r "$tmp" "${MC_OUT:-/tmp}/wfd-logs"; }
rm -rf "$tmp"
exit $failed
