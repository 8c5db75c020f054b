#!/bin/sh
# Wi-Fi Direct end to end in the lab guest (miracast.ko loaded): two
# mac80211_hwsim radios, the sink's in network namespace "sink", a
# wpa_supplicant on each (tests/vm/wifi-lab.sh). miracastd drives the
# source's through its control socket; miracast-testsink --p2p the sink's.
# Discovery with the sink's WFD capabilities, push button with the sink as
# group owner, PIN with the source as owner, DHCP either way (a TV that
# owns the group and serves DHCP only, one that asks by DHCP), a KMS
# client's pattern
# through the sink's decoder (PSNR), the group removed after the session
# and the source's availability bits, the sink's radio vanishing, the
# source's wpa_supplicant restarted mid-session and a reconnect, a sink
# that says it is not available. TAP on stdout.
#   guest-wifi.sh BIN_DIR USERSPACE_DIR
bin=$1 u=$2
ctl=$u/miracastctl
tmp=$(mktemp -d)
export GST_REGISTRY=$tmp/registry.bin
. "$MC_TOP/tests/vm/guest-lib.sh"
. "$MC_TOP/tests/vm/wifi-lab.sh"
listed() { "$ctl" list 2>/dev/null | grep -q " lab-tv: primary sink, port 7236"; }
wifi_idle() { "$ctl" status 2>/dev/null | grep -q '^wifi: discovering'; }
# the source's WFD device info subelement, as wpa_supplicant advertises it
src_ie() { wpa_cli -p /run/wpa_src -i p2p-dev-wlan0 wfd_subelem_get 0 2>/dev/null | tail -n 1; }
src_groups() { ls /sys/class/net | grep -c '^p2p-wlan0-' ; }
now_ms() { date +%s%3N; }
show() { sed 's/^/# /' "$1"; }

ip link set lo up
sysctl -qw net.core.rmem_max=8388608
gst-inspect-1.0 x264enc > /dev/null 2>&1
if [ -n "${MIRACAST_KO:-}" ]; then
	rmmod miracast 2> /dev/null
	insmod "$MIRACAST_KO"
fi
echo "1..58"
wifi_lab_up || { echo "Bail out! the Wi-Fi lab did not come up"; exit 1; }

"$u/miracastd" --wpa-ctrl /run/wpa_src --session-timeout 10 --audio-source test \
	> "$tmp/d.txt" 2>&1 &
d=$!
wait_for 30 grep -q 'waiting for Wi-Fi Display sinks' "$tmp/d.txt"

# tv NAME [OPTIONS...]: the test sink on the sink's radio, in the background
tv() {
	name=$1
	shift
	ip netns exec sink timeout -s KILL 180 "$u/miracast-testsink" --profile tv-1080p \
		--p2p /run/wpa_sink --pattern --log "$tmp/$name.rtsp" "$@" > "$tmp/$name.txt" \
		2> "$tmp/$name.err" &
	tv_pid=$!
}

# session NAME HOW ROLE [CONNECT OPTIONS] -- [SINK OPTIONS]: a whole session
session() {
	name=$1 how=$2 role=$3
	shift 3
	copts=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do copts="$copts $1"; shift; done
	[ $# -gt 0 ] && shift
	tv "$name" "$@"
	wait_for 60 listed
	"$ctl" list > "$tmp/$name.list" 2>&1
	show "$tmp/$name.list"
	ok "$how: list shows lab-tv, a primary sink on port 7236, with its signal" \
		grep -q " lab-tv: primary sink, port 7236, 50 Mbit/s; .*; signal -[0-9]* dBm" \
		"$tmp/$name.list"
	t0=$(now_ms)
	# shellcheck disable=SC2086
	"$ctl" connect $copts lab-tv > "$tmp/$name.conn" 2>&1
	rc=$?
	show "$tmp/$name.conn"
	ok "$how: miracastctl connect lab-tv streams (exit $rc)" [ $rc = 0 ]
	"$ctl" status > "$tmp/$name.st" 2>&1
	show "$tmp/$name.st"
	ok "$how: the source is $role of the group" grep -q ", the source is $role," "$tmp/$name.st"
	ok "$how: while the session runs the source is not available (R4: $(src_ie))" \
		[ "$(src_ie)" = 000600001c440032 ]
	"$bin/e2e-draw" 40 150 2000 > "$tmp/$name.draw" 2>&1
	"$ctl" status > "$tmp/$name.st2" 2>&1
	allows=$(sed -n 's/^  \(the link allows .*\)/\1/p' "$tmp/$name.st2")
	# the link's rate capped the encoder's bitrate once it carried the stream
	rated=$(grep -c ': video at [0-9]* kbit/s' "$tmp/d.txt")
	ok "$how: status shows the link's figures ($allows); the encoder rated by it" \
		eval 'grep -q "^  link: tx [1-9][0-9]* kbit/s, signal -[0-9]* dBm" "$tmp/$name.st2" &&
		      [ -n "$allows" ] && [ "$rated" -gt "${rated0:-0}" ]'
	rated0=$rated
	"$ctl" disconnect > "$tmp/$name.disc" 2>&1
	wait $tv_pid
	rc=$?
	show "$tmp/$name.txt"
	ok "$how: torn down by miracastctl disconnect; the sink's checks pass (exit $rc)" \
		eval '[ $rc = 0 ] && grep -q "^result=ok$" "$tmp/$name.txt"'
	unique=$(key "$tmp/$name.txt" pattern_unique) psnr=$(key "$tmp/$name.txt" min_psnr)
	first=$(key "$tmp/$name.txt" first_frame_unix_ms)
	echo "# $how: connect to the first decoded picture: $((first - t0)) ms"
	ok "$how: $unique of 40 frames decoded across the radio, min PSNR $psnr dB (>= 35)" \
		both_ge "${unique:-0}" 30 "${psnr:-0}" 35
	wait_for 15 wifi_idle
	ok "$how: the group is removed after the session (R9) and the source available again" \
		eval '[ "$(src_groups)" = 0 ] && [ "$(src_ie)" = 000600101c440032 ]'
	ok "$how: the display is disconnected after the session" [ "$(state)" = disconnected ]
}

# 1. The source's information element before anything (R1-R3, R5, R6).
advertised() { [ "$(src_ie)" = 000600101c440032 ]; }
wait_for 20 advertised
ok "the source advertises WFD device info 000600101c440032 (source, available, 7236)" \
	[ "$(src_ie)" = 000600101c440032 ]

# 2. Push button, the TV owns the group (GO intent 15 against 7).
e0=$(errors)
session pbc "push button" client
# 3. PIN shown by the TV, typed at the source, the source owns the group.
session pin "PIN" GO --pin 12345670 -- --p2p-pin 12345670 --p2p-go-intent 0
# 4. A TV that owns the group and gives addresses by DHCP only: the source's
#    DHCP client.
session dhcp "DHCP" client -- --p2p-dhcp
grep -q 'from the group owner.s DHCP server' "$tmp/d.txt"
ok "DHCP: the source's address came from the TV's DHCP server" [ $? = 0 ]
# 5. ... and a TV that asks by DHCP when the source owns the group: dnsmasq.
session dhcpd "DHCP server" GO -- --p2p-dhcp --p2p-go-intent 0
ok "DHCP server: the TV's address came from the source's DHCP server (192.168.49.200-250)" \
	grep -q 'streaming, to 192\.168\.49\.2[0-5][0-9]$' "$tmp/dhcpd.st"
ok "no session error reported to the kernel by clean sessions ($(errors) after $e0)" \
	[ "$(errors)" = "$e0" ]

# 6. The sink's radio vanishes mid-session: the session ends within the
#    keepalive timeout (10 s), the display disconnects, the kernel is told.
tv gone --duration 0
wait_for 60 listed
"$ctl" connect lab-tv > "$tmp/gone.conn" 2>&1
grep -q 'streaming' "$tmp/gone.conn"
up=$?
ok "radio gone: connected ($(cat "$tmp/gone.conn"))" [ $up = 0 ]
e0=$(errors)
t0=$(now_ms)
wifi_lab_sink_radio_gone
wait_for 25 idle
t1=$(now_ms)
show "$tmp/d.txt" | grep -i 'session with\|group' | tail -n 4
# (after a session that ran: these would hold without one)
ok "radio gone: the session stopped after $((t1 - t0)) ms (<= 10 s keepalive timeout + 3 s)" \
	eval '[ $up = 0 ] && idle && [ $((t1 - t0)) -le 13000 ]'
ok "radio gone: the display is disconnected" eval '[ $up = 0 ] && [ "$(state)" = disconnected ]'
ok "radio gone: the session's end was reported to the kernel ($(errors) after $e0)" \
	eval '[ $up = 0 ] && [ "$(errors)" != "$e0" ]'
kill -9 $tv_pid 2> /dev/null
wait $tv_pid 2> /dev/null
wifi_lab_sink_radio_back

# 7. The source's wpa_supplicant restarts mid-session: a clean stop, then a
#    successful reconnect.
tv restart --duration 0
wait_for 60 listed
"$ctl" connect lab-tv > "$tmp/restart.conn" 2>&1
grep -q 'streaming' "$tmp/restart.conn"
up=$?
ok "supplicant restart: connected ($(cat "$tmp/restart.conn"))" [ $up = 0 ]
wifi_lab_source_wpa_restart
wait_for 25 idle
ok "supplicant restart: the session stopped cleanly, the display is disconnected" \
	eval '[ $up = 0 ] && idle && [ "$(state)" = disconnected ]'
wait $tv_pid 2> /dev/null
wifi_lab_sink_restart
wait_for 30 wifi_idle
session again "after the restart" client

# 8. A sink that says it is not available is not offered (R7).
tv busy --p2p-unavailable --duration 0
# seen again (each search reports the peers anew), as unavailable
unlisted() { "$ctl" list | grep -q '[1-9][0-9]* other device' && ! listed; }
wait_for 40 unlisted
"$ctl" list > "$tmp/busy.list" 2>&1
show "$tmp/busy.list"
ok "an unavailable sink is not listed" \
	eval '! grep -q lab-tv "$tmp/busy.list" && grep -q "[1-9][0-9]* other device" "$tmp/busy.list"'
"$ctl" connect lab-tv > "$tmp/busy.conn" 2>&1
rc=$?
show "$tmp/busy.conn"
ok "connect to it is refused (exit $rc)" [ $rc != 0 ]
kill $tv_pid 2> /dev/null
wait $tv_pid 2> /dev/null

kill -TERM $d
wait $d
rc=$?
ok "miracastd stops cleanly (exit $rc)" [ $rc = 0 ]
if [ $failed = 1 ] && [ -n "${MC_OUT:-}" ]; then
	mkdir -p "$MC_OUT/wifi-logs"
	cp "$tmp"/*.txt "$tmp"/*.err "$tmp"/*.rtsp "$MC_OUT/wifi-logs/" 2> /dev/null
	wifi_lab_save_logs "$MC_OUT/wifi-logs"
fi
wifi_lab_down
[ $failed = 0 ]
