#!/bin/sh
# The test sink's Wi-Fi Direct (miracast-testsink --p2p) against real
# wpa_supplicants on mac80211_hwsim radios (tests/vm/wifi-lab.sh), without
# miracastd: the source's supplicant is driven with wpa_cli as a source
# drives it, and a TCP listener on the source's group address stands in
# for its RTSP server (it sends M1 and keeps what the sink answers). Per
# scenario the source finds the sink and its WFD IE, the group forms, the
# sink takes its address from the EAPOL-Key allocation and opens TCP 7236
# to the source, answers M1 over the radios, and the group goes at the end.
# Scenarios: push button with the sink as GO, ended by the sink (SIGTERM:
# it removes its group); PIN with the source as GO, the group removed by
# the source under the session; PIN after a provision discovery, the sink
# GO; a sink advertising no session available; its radio off the air.
# TAP on stdout; the sinks' logs go to $MC_OUT/wifi-sink/, the supplicants' too
# after a failure.
#   guest-wifi-sink.sh BIN_DIR
bin=$1
. "$MC_TOP/tests/vm/wifi-lab.sh"
tmp=$(mktemp -d)
export GST_REGISTRY=$tmp/registry.bin
. "$MC_TOP/tests/vm/guest-lib.sh"
t0=$(cut -d ' ' -f 1 /proc/uptime)
elapsed() {
	awk -v a="$t0" -v b="$(cut -d ' ' -f 1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }'
}
src() { wifi_lab_src_cli "$@"; }

echo "1..31"
gst-inspect-1.0 fakesink > /dev/null 2>&1	# GStreamer's registry, once
wifi_lab_up
ok "the lab is up: two radios, the sink's in its namespace, two supplicants" [ $? = 0 ]
echo "# lab up at $(elapsed) s"

# The source's events (wpa_cli's action script gets the group's and the stations')
cat > "$tmp/ev.sh" <<EOF
#!/bin/sh
echo "\$*" >> $tmp/src-events
EOF
chmod +x "$tmp/ev.sh"
: > "$tmp/src-events"
wpa_cli -p "$WIFI_LAB_SRC_CTRL" -i p2p-dev-wlan0 -a "$tmp/ev.sh" > /dev/null 2>&1 &
evcli=$!
src SET wifi_display 1 > /dev/null
src WFD_SUBELEM_SET 0 000600101c440032 > /dev/null

# sink_addr: the P2P device address of the peer called lab-tv, and its WFD subelements
sink_addr() {
	a=$(src P2P_PEER FIRST | head -n 1)
	while [ -n "$a" ] && [ "$a" != FAIL ]; do
		src P2P_PEER "$a" > "$tmp/peer"
		if grep -q '^device_name=lab-tv$' "$tmp/peer"; then
			echo "$a"
			return 0
		fi
		a=$(src P2P_PEER "NEXT-$a" | head -n 1)
	done
	return 1
}
found() { sink=$(sink_addr) && [ -n "$sink" ]; }
# search: the source searches until it finds the sink
search() {
	src P2P_FIND type=social > /dev/null
	wait_for 30 found
}
# anew: the sink's supplicant restarted, the source's without peers, nor events
anew() {
	wifi_lab_sink_restart
	src P2P_STOP_FIND > /dev/null
	src P2P_FLUSH > /dev/null
	src SET wifi_display 1 > /dev/null
	src WFD_SUBELEM_SET 0 000600101c440032 > /dev/null
	: > "$tmp/src-events"
}
# the group's interface on the source, its role and addresses, from its event
group() {
	grep "P2P-GROUP-STARTED" "$tmp/src-events" | tail -n 1 | sed -n "s/.* $1=\([^ ]*\).*/\1/p"
}
group_if() { grep "P2P-GROUP-STARTED" "$tmp/src-events" | tail -n 1 | awk '{ print $3 }'; }
group_role() { grep "P2P-GROUP-STARTED" "$tmp/src-events" | tail -n 1 | awk '{ print $4 }'; }

# start_sink NAME OPTIONS...: miracast-testsink --p2p in the sink's namespace
start_sink() {
	name=$1
	shift
	ip netns exec "$WIFI_LAB_NS" timeout -s KILL 120 "$bin/miracast-testsink" \
		--p2p "$WIFI_LAB_SINK_CTRL" --log "$tmp/$name.log" "$@" > "$tmp/$name.txt" \
		2> "$tmp/$name.err" &
	sink_pid=$!
}
# start_rtsp NAME: the stand-in for the source's RTSP server: M1, the reply to the
# sink's M2 once it came, then nothing; what the sink says is kept in NAME.tcp
M1='OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n'
M2_REPLY='RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: org.wfa.wfd1.0, SETUP, TEARDOWN, PLAY, '\
'PAUSE, GET_PARAMETER, SET_PARAMETER\r\n\r\n'
start_rtsp() {
	# (nc ends at the end of its input: it gets one that lasts; timeout signals them all)
	M1=$M1 M2_REPLY=$M2_REPLY timeout 90 sh -c '{ printf "$M1"
		while ! grep -q "^OPTIONS" "$0"; do sleep 0.1; done
		printf "$M2_REPLY"
		sleep 90; } | busybox nc -l -p 7236' "$tmp/$1.tcp" > "$tmp/$1.tcp" 2>&1 &
	nc_pid=$!
}
# sink_ended: the sink's exit status in rc, the RTSP stand-in stopped
sink_ended() {
	wait $sink_pid
	rc=$?
	echo "# the sink ended at $(elapsed) s"
	kill $nc_pid 2> /dev/null
	wait $nc_pid 2> /dev/null
}
logged() { grep -q "$2" "$tmp/$1.log"; }
show() {
	for f in "$tmp/$1.txt" "$tmp/$1.err"; do sed 's/^/# /' "$f"; done
	grep -E ' #   (p2p: [^<]|connect)' "$tmp/$1.log" | grep -v 'p2p: > P2P_PEER' |
		sed 's/^/# /'
}

# ---- 1. push button; the sink is GO (intent 15, the source 0) -----------------------
start_rtsp a
start_sink a
wait_for 30 logged a 'p2p: listening as a primary sink'
ok "pbc: the sink advertises itself and listens" [ $? = 0 ]
search
ok "pbc: the source finds lab-tv (P2P_PEER), a primary sink available on 7236" \
	grep -q '^wfd_subelems=00000600111c440032$' "$tmp/peer"
echo "# found $sink at $(elapsed) s"
src P2P_PROV_DISC "$sink" pbc > /dev/null
wait_for 20 logged a "> P2P_CONNECT .* pbc auth go_intent=15: OK"
ok "pbc: the sink accepts the source's provision discovery (P2P_CONNECT pbc auth)" [ $? = 0 ]
src P2P_CONNECT "$sink" pbc go_intent=0 > /dev/null
wait_for 30 grep -q P2P-GROUP-STARTED "$tmp/src-events"
ip=$(group ip_addr)
gif=$(group_if)
ok "pbc: the group forms, the source client with $ip from EAPOL-Key" \
	[ "$(group_role)" = client ] && [ -n "$ip" ] && [ "$(group go_ip_addr)" = 192.168.49.1 ]
ip addr add "$ip/24" dev "$gif"
echo "# group at $(elapsed) s"
wait_for 30 logged a "connected to $ip port 7236"
ok "pbc: the sink (GO, 192.168.49.1) connects to the source at $ip:7236" \
	logged a "connecting to $ip:7236"
wait_for 10 grep -q 'RTSP/1.0 200 OK' "$tmp/a.tcp"
ok "pbc: the sink answers M1 across the radios" [ $? = 0 ]
echo "# connected at $(elapsed) s"
sleep 7
ok "pbc: a quiet connection stays (7 s without a message from the source)" \
	eval 'kill -0 $sink_pid && ! logged a "the source closed the connection"'
kill -TERM $sink_pid
sink_ended
ok "pbc: on SIGTERM the sink removes its group (P2P_GROUP_REMOVE)" \
	logged a "> P2P_GROUP_REMOVE p2p-wlan1-0: OK"
ok "pbc: summary p2p_role=GO p2p_method=pbc, the source $ip" \
	[ "$(key "$tmp/a.txt" p2p_role)" = GO ] && [ "$(key "$tmp/a.txt" p2p_method)" = pbc ] &&
	[ "$(key "$tmp/a.txt" p2p_source_ip)" = "$ip" ] &&
	[ "$(key "$tmp/a.txt" p2p_source)" = "$(src status | sed -n 's/^p2p_device_address=//p')" ]
wait_for 15 grep -q "P2P-GROUP-REMOVED $gif" "$tmp/src-events"
ok "pbc: the source's group ends with it" [ $? = 0 ]
echo "# pbc: sink exit $rc, p2p_group_s=$(key "$tmp/a.txt" p2p_group_s), done at $(elapsed) s"
[ $failed = 0 ] || show a

# ---- 2. PIN; the source is GO (intent 15, the sink 0) -----------------------------
failed_before=$failed
anew
start_rtsp b
start_sink b --p2p-pin 12345670 --p2p-go-intent 0
wait_for 30 logged b 'p2p: listening as a primary sink'
search
ok "pin: the source finds the sink again" [ -n "$sink" ]
src P2P_CONNECT "$sink" 12345670 keypad go_intent=15 > /dev/null
wait_for 20 logged b "> P2P_CONNECT .* 12345670 display go_intent=0: OK"
ok "pin: the sink answers the GO negotiation request with its PIN (display)" [ $? = 0 ]
wait_for 30 grep -q P2P-GROUP-STARTED "$tmp/src-events"
gif=$(group_if)
ok "pin: the group forms, the source GO" [ "$(group_role)" = GO ]
ip addr add 192.168.49.1/24 dev "$gif"
echo "# group at $(elapsed) s"
wait_for 30 logged b "connected to 192.168.49.1 port 7236"
ok "pin: the sink (client, address from EAPOL-Key) connects to 192.168.49.1:7236" \
	logged b "connecting to 192.168.49.1:7236"
ok "pin: the sink's address came in P2P-GROUP-STARTED (ip_addr=)" \
	logged b "p2p: p2p-wlan1-0: 192.168.49.1[0-9][0-9]/24"
wait_for 10 grep -q 'RTSP/1.0 200 OK' "$tmp/b.tcp"
ok "pin: the sink answers M1 across the radios" [ $? = 0 ]
echo "# connected at $(elapsed) s"
src P2P_GROUP_REMOVE "$gif" > /dev/null
sink_ended
ok "pin: the group removed under the session ends it: ended_by=group-removed, exit 1" \
	[ "$(key "$tmp/b.txt" ended_by)" = group-removed ] && [ $rc = 1 ]
ok "pin: the failure names the removed group" \
	sh -c "grep '^result=' '$tmp/b.txt' | grep -q 'the P2P group p2p-wlan1-0 was removed'"
ok "pin: summary p2p_role=client p2p_method=pin, the source 192.168.49.1" \
	[ "$(key "$tmp/b.txt" p2p_role)" = client ] && [ "$(key "$tmp/b.txt" p2p_method)" = pin ] &&
	[ "$(key "$tmp/b.txt" p2p_source_ip)" = 192.168.49.1 ]
echo "# pin: sink exit $rc, p2p_group_s=$(key "$tmp/b.txt" p2p_group_s), done at $(elapsed) s"
[ $failed = "$failed_before" ] || show b

# ---- 3. PIN after a provision discovery (as miracastd asks); the sink is GO -----------
failed_before=$failed
anew
start_rtsp d
start_sink d --p2p-pin 12345670
wait_for 30 logged d 'p2p: listening as a primary sink'
search
src P2P_PROV_DISC "$sink" display > /dev/null
wait_for 20 logged d "> P2P_CONNECT .* 12345670 display auth go_intent=15: OK"
ok "pin, provision discovery: the sink asked to show a PIN authorizes its own" [ $? = 0 ]
src P2P_CONNECT "$sink" 12345670 keypad go_intent=0 > /dev/null
wait_for 30 grep -q P2P-GROUP-STARTED "$tmp/src-events"
ip=$(group ip_addr)
ip addr add "$ip/24" dev "$(group_if)"
wait_for 30 logged d "connected to $ip port 7236"
c=$?
ok "pin, provision discovery: the group forms, the sink (GO) connects to the source at $ip" \
	[ $c = 0 ] && [ "$(group_role)" = client ]
kill -TERM $sink_pid
sink_ended
ok "pin, provision discovery: summary p2p_role=GO p2p_method=pin, the group removed" \
	[ "$(key "$tmp/d.txt" p2p_role)" = GO ] && [ "$(key "$tmp/d.txt" p2p_method)" = pin ] &&
	logged d "> P2P_GROUP_REMOVE p2p-wlan1-0: OK"
echo "# pin after provision discovery: p2p_group_s=$(key "$tmp/d.txt" p2p_group_s)," \
	"done at $(elapsed) s"
[ $failed = "$failed_before" ] || show d

# ---- 4. a sink without a session available ------------------------------------------
failed_before=$failed
anew
start_sink c --p2p-unavailable
wait_for 30 logged c 'p2p: listening as a primary sink (session not available)'
ok "unavailable: the sink listens" [ $? = 0 ]
search
ok "unavailable: the source sees its Device Information with availability 00" \
	grep -q '^wfd_subelems=00000600011c440032$' "$tmp/peer"
kill -TERM $sink_pid
wait $sink_pid
rc=$?
ok "unavailable: stopped before any source, it says so (exit 1)" \
	[ $rc = 1 ] && grep -q 'interrupted before a source connected' "$tmp/c.txt" &&
	[ "$(key "$tmp/c.txt" p2p_role)" = - ]
src P2P_STOP_FIND > /dev/null
[ $failed = "$failed_before" ] || show c

# ---- the radio gone -----------------------------------------------------------------
# age: seconds since the source last heard the sink
age() { src P2P_PEER "$sink" | sed -n 's/^age=//p'; }
wifi_lab_sink_radio_gone
ok "the sink's radio goes off the air (rfkill), its supplicant killed" [ $? = 0 ]
ok "no sink interface is up" \
	sh -c "! ip netns exec $WIFI_LAB_NS ip link show up | grep -q 'state UP'"
src P2P_FIND type=social > /dev/null
sleep 5
a=$(age)
ok "the source searching hears the sink no more (last heard ${a:-?} s ago)" [ "${a:-0}" -ge 4 ]
wifi_lab_sink_radio_back
ok "the radio comes back with a supplicant" [ $? = 0 ]
wifi_lab_sink_cli P2P_LISTEN > /dev/null
heard() { a=$(age) && [ -n "$a" ] && [ "$a" -lt 2 ]; }
wait_for 20 heard
ok "the source hears it again once it listens" [ $? = 0 ]
src P2P_STOP_FIND > /dev/null

kill $evcli 2> /dev/null
# the sinks' logs and summaries; the supplicants' logs too after a failure
mkdir -p "$MC_OUT/wifi-sink"
cp "$tmp"/*.log "$tmp"/*.txt "$tmp"/*.err "$tmp"/*.tcp "$tmp/src-events" "$MC_OUT/wifi-sink/" \
	2> /dev/null
[ $failed = 0 ] || wifi_lab_save_logs "$MC_OUT/wifi-sink"
wifi_lab_down
echo "# $n tests in $(elapsed) s"
exit $failed
