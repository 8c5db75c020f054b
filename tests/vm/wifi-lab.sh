# The Wi-Fi lab of the guest scripts (POSIX sh, sourced; as root in the lab
# guest, see run.sh): two radios of mac80211_hwsim that hear each other,
# the source's in the initial network namespace and the sink's in the
# namespace "sink" (so that IP between them crosses the radios instead of
# the loopback), and a wpa_supplicant on each with P2P and Wi-Fi Display.
#
#   . "$MC_TOP/tests/vm/wifi-lab.sh"
#   wifi_lab_up || exit 1           radios, namespace, both supplicants
#   wifi_lab_src_cli P2P_FIND       a command to the source's P2P device
#   wifi_lab_sink_cli P2P_LISTEN    ... to the sink's
#   wifi_lab_sink_restart           the sink's supplicant anew (no peers, no groups)
#   wifi_lab_source_wpa_restart     the source's supplicant anew
#   wifi_lab_sink_radio_gone        the sink's radio off the air, its supplicant killed
#   wifi_lab_sink_radio_back        the radio on again, the supplicant started
#   wifi_lab_save_logs DIR          the supplicants' logs into DIR
#   wifi_lab_down                   supplicants stopped, namespace and radios gone
#
# The functions return non-zero (and say why on stderr) when a step fails.
# What the lab gives to the scripts:
#   WIFI_LAB_SRC_CTRL  /run/wpa_src, the source's ctrl_interface directory;
#                      its P2P device's socket is $WIFI_LAB_SRC_CTRL/p2p-dev-wlan0
#   WIFI_LAB_SINK_CTRL /run/wpa_sink; the sink's is $WIFI_LAB_SINK_CTRL/p2p-dev-wlan1
#   WIFI_LAB_SINK_PHY  the sink's wiphy (phy1 on a first load)
#   WIFI_LAB_NS        sink: run the sink's programs with "ip netns exec sink"
# Both supplicants run with -d -t; their logs are in $WIFI_LAB_LOGS
# (default /tmp/wifi-lab: tmpfs, quick) until wifi_lab_save_logs copies them.
# The configurations, tests/vm/wpa-source.conf and wpa-sink.conf, let either
# side be GO and hand out 192.168.49.100-199 in EAPOL-Key (the GO itself is
# 192.168.49.1, which its owner must put on the group interface).

WIFI_LAB_SRC_CTRL=/run/wpa_src
WIFI_LAB_SINK_CTRL=/run/wpa_sink
WIFI_LAB_NS=sink
WIFI_LAB_SINK_PHY=
WIFI_LAB_LOGS=${WIFI_LAB_LOGS:-/tmp/wifi-lab}
wifi_lab_dir=$MC_TOP/tests/vm

wifi_lab_say() {
	echo "wifi-lab: $*" >&2
}

# wifi_lab_wait TENTHS COMMAND...: until the command succeeds, for so many tenths of a second
wifi_lab_wait() {
	wifi_lab_t=$1
	shift
	while ! "$@" > /dev/null 2>&1; do
		[ "$wifi_lab_t" -gt 0 ] || return 1
		sleep 0.1
		wifi_lab_t=$((wifi_lab_t - 1))
	done
}

wifi_lab_src_cli() {
	wpa_cli -p "$WIFI_LAB_SRC_CTRL" -i p2p-dev-wlan0 "$@"
}

wifi_lab_sink_cli() {
	wpa_cli -p "$WIFI_LAB_SINK_CTRL" -i p2p-dev-wlan1 "$@"
}

# wifi_lab_stop PIDFILE: the process gone (TERM, after 5 s KILL)
wifi_lab_stop() {
	[ -s "$1" ] || return 0
	wifi_lab_pid=$(cat "$1")
	rm -f "$1"
	kill "$wifi_lab_pid" 2> /dev/null || return 0
	wifi_lab_wait 50 sh -c "! kill -0 $wifi_lab_pid" ||
		kill -9 "$wifi_lab_pid" 2> /dev/null
	wifi_lab_wait 20 sh -c "! kill -0 $wifi_lab_pid"
}

# wifi_lab_wpa_start CTRL_DIR IFACE CONF NAME [COMMAND...]: a supplicant on
# IFACE, started by COMMAND (ip netns exec ...), until its P2P device answers
wifi_lab_wpa_start() {
	wifi_lab_ctrl=$1 wifi_lab_if=$2 wifi_lab_conf=$3 wifi_lab_name=$4
	shift 4
	rm -rf "$wifi_lab_ctrl"
	"$@" wpa_supplicant -B -Dnl80211 -i"$wifi_lab_if" -c "$wifi_lab_dir/$wifi_lab_conf" \
		-P "/run/wpa_$wifi_lab_name.pid" -t -d -f "$WIFI_LAB_LOGS/wpa_$wifi_lab_name.log" || {
		wifi_lab_say "the $wifi_lab_name's wpa_supplicant did not start"
		return 1
	}
	wifi_lab_wait 300 test -S "$wifi_lab_ctrl/p2p-dev-$wifi_lab_if" &&
		wifi_lab_wait 100 sh -c \
			"wpa_cli -p $wifi_lab_ctrl -i p2p-dev-$wifi_lab_if ping | grep -q PONG" || {
		wifi_lab_say "no $wifi_lab_ctrl/p2p-dev-$wifi_lab_if within 30 s"
		return 1
	}
}

# The source's supplicant: wlan0, here; the sink's: wlan1, in its namespace.
wifi_lab_source_start() {
	wifi_lab_wpa_start "$WIFI_LAB_SRC_CTRL" wlan0 wpa-source.conf src
}

wifi_lab_sink_start() {
	wifi_lab_wpa_start "$WIFI_LAB_SINK_CTRL" wlan1 wpa-sink.conf sink ip netns exec "$WIFI_LAB_NS"
}

wifi_lab_up() {
	mkdir -p "$WIFI_LAB_LOGS"
	ip link set lo up
	# the crypto the kernel would load on demand, loaded at once
	modprobe -a ccm gcm ctr cmac
	# (a kernel booted with it loaded, radios=2, keeps it)
	[ -d /sys/module/mac80211_hwsim ] || modprobe mac80211_hwsim radios=2 || {
		wifi_lab_say "cannot load mac80211_hwsim"
		return 1
	}
	wifi_lab_wait 100 test -e /sys/class/net/wlan1/phy80211/name || {
		wifi_lab_say "mac80211_hwsim made no wlan0 and wlan1"
		return 1
	}
	WIFI_LAB_SINK_PHY=$(cat /sys/class/net/wlan1/phy80211/name)
	ip netns add "$WIFI_LAB_NS" &&
		iw phy "$WIFI_LAB_SINK_PHY" set netns name "$WIFI_LAB_NS" &&
		ip netns exec "$WIFI_LAB_NS" ip link set lo up || {
		wifi_lab_say "cannot move $WIFI_LAB_SINK_PHY into the namespace $WIFI_LAB_NS"
		return 1
	}
	wifi_lab_source_start && wifi_lab_sink_start
}

wifi_lab_sink_restart() {
	wifi_lab_stop /run/wpa_sink.pid
	wifi_lab_sink_start
}

wifi_lab_source_wpa_restart() {
	wifi_lab_stop /run/wpa_src.pid
	wifi_lab_source_start
}

# The rfkill switch of the sink's wiphy, as its namespace's sysfs shows it
# (the wiphy's device, and the rfkill below it, are seen there only).
wifi_lab_sink_rfkill() {
	ip netns exec "$WIFI_LAB_NS" sh -c '
		for r in /sys/class/ieee80211/$1/rfkill*; do
			[ -e "$r/soft" ] && echo "$r" && exit 0
		done
		exit 1' sh "$WIFI_LAB_SINK_PHY"
}

# The sink is gone from the air, as a television switched off: its
# supplicant is killed (-9: no deauthentication, no P2P-GROUP-REMOVED, as
# with a power cut), then the wiphy's rfkill soft block makes cfg80211 shut
# every interface of the radio: wlan1, the P2P device, a group it owned.
# mac80211_hwsim neither sends nor hears anything for a radio whose
# interfaces are down, so the source's frames go unanswered (its group
# client loses the beacons; as GO it sees the station's frames stop).
# Taking wlan1 down alone would not do: the P2P device and the group
# interface are interfaces of their own, and a killed supplicant leaves
# them up. (hwsim radios can also be deleted over its generic netlink,
# HWSIM_CMD_DEL_RADIO, but no tool in the guest speaks it.)
wifi_lab_sink_radio_gone() {
	wifi_lab_rf=$(wifi_lab_sink_rfkill) || {
		wifi_lab_say "no rfkill switch for $WIFI_LAB_SINK_PHY"
		return 1
	}
	if [ -s /run/wpa_sink.pid ]; then
		kill -9 "$(cat /run/wpa_sink.pid)" 2> /dev/null
		rm -f /run/wpa_sink.pid
	fi
	ip netns exec "$WIFI_LAB_NS" sh -c "echo 1 > $wifi_lab_rf/soft"
	wifi_lab_wait 50 sh -c "! ip netns exec $WIFI_LAB_NS ip link show up | grep -q 'state UP'" || {
		wifi_lab_say "the sink's interfaces stayed up under rfkill"
		return 1
	}
}

# The radio back on the air, the supplicant started anew.
wifi_lab_sink_radio_back() {
	wifi_lab_rf=$(wifi_lab_sink_rfkill) || return 1
	ip netns exec "$WIFI_LAB_NS" sh -c "echo 0 > $wifi_lab_rf/soft"
	wifi_lab_sink_start
}

wifi_lab_save_logs() {
	mkdir -p "$1" && cp "$WIFI_LAB_LOGS"/*.log "$1"/ 2> /dev/null
}

wifi_lab_down() {
	wifi_lab_stop /run/wpa_sink.pid
	wifi_lab_stop /run/wpa_src.pid
	ip netns del "$WIFI_LAB_NS" 2> /dev/null
	# the phy comes back to the initial namespace when its namespace goes
	wifi_lab_wait 50 sh -c "! ip netns list | grep -q '^$WIFI_LAB_NS'"
	rmmod mac80211_hwsim 2> /dev/null
	return 0
}
