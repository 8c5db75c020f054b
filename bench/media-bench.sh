#!/bin/sh
# The media benchmark, in the lab guest with miracast.ko loaded (run by
# guest-bench.sh): our daemon's media path against GNOME Network Displays'
# pipeline (bench/gnd_baseline.c), one streaming process at a time, each
# fed the same drawn frames (bench/media_draw.c) and measured by the same
# receiver (bench/media_receive.c). Prints "media MODE FIGURE ours X
# baseline Y ratio Z" lines (ratio = ours / baseline); exits non-zero when
# a run fails (never on the figures). docs/testing.md explains them.
#   media-bench.sh [MIRACASTD]
top=${MC_TOP:?run in the lab guest}
bin=$top/build/bench
daemon=${1:-$top/build/userspace/miracastd}
tmp=$(mktemp -d)
export GST_REGISTRY=$tmp/registry.bin
bitrate=4096	# GND's cap, and ours set to it
hold=6		# seconds of static screen
port=5300
rc=0

ip link set lo up
gst-inspect-1.0 x264enc > /dev/null 2>&1	# the registry, once

# run NAME N INTERVAL_MS COMMAND...: one streaming process, its figures in $tmp/NAME.rx
run() {
	name=$1 n=$2 interval=$3
	shift 3
	port=$((port + 2))
	"$bin/media_receive" $port "$n" "$tmp/$name.draw" > "$tmp/$name.rx" 2>&1 &
	rx=$!
	"$@" --stream-to 127.0.0.1:$port > "$tmp/$name.log" 2>&1 &
	s=$!
	"$bin/media_draw" "$n" "$interval" $hold $s > "$tmp/$name.draw" 2>> "$tmp/$name.log"
	drawn=$?
	kill -TERM $s
	wait $s
	streamed=$?
	wait $rx
	received=$?
	for f in log rx draw; do
		cp "$tmp/$name.$f" "$MC_OUT/media-$name.$f" 2> /dev/null
	done
	if [ $drawn != 0 ] || [ $streamed != 0 ] || [ $received != 0 ]; then
		echo "media: $name failed: draw $drawn, streaming $streamed, receiver $received"
		sed 's/^/  | /' "$tmp/$name.log" "$tmp/$name.rx" | tail -n 20
		rc=1
		return 1
	fi
}

field() { sed -n "s/^\(.* \)\{0,1\}$1 \([^ ]*\).*/\2/p" "$2" | head -n 1; }

# report LABEL FIGURE KEY: ours and baseline side by side, and their ratio
report() {
	o=$(field "$3" "$tmp/$1-ours.rx") b=$(field "$3" "$tmp/$1-gnd.rx")
	awk -v l="$1" -v f="$2" -v o="$o" -v b="$b" 'BEGIN {
		r = b + 0 ? sprintf("%.2f", o / b) : "-"
		printf "media %s %s ours %s baseline %s ratio %s\n", l, f, o, b, r }'
}

# A hardware encoder would make --encoder auto differ from x264.
auto=
for f in v4l2h264enc vah264enc vaapih264enc nvh264enc; do
	gst-inspect-1.0 --exists $f && auto=$f
done

echo "media: ours = miracastd --encoder x264, baseline = GND's pipeline" \
	"(bench/gnd_baseline.c), both at $bitrate kbit/s, in turn on the same frames;" \
	"ratio = ours / baseline"
for spec in 720p30:1280x720@30:40:250 1080p30:1920x1080@30:24:500; do
	IFS=: read -r label mode n interval <<-EOF
	$spec
	EOF
	echo "media $label: $n frames drawn, one every $interval ms (the 30 Hz mode" \
		"changes $((1000 / interval)) times a second: x264 under TCG keeps up), then" \
		"${hold} s of static screen"
	run "$label-ours" "$n" "$interval" "$daemon" --mode "$mode" --encoder x264 \
		--bitrate $bitrate || continue
	run "$label-gnd" "$n" "$interval" "$bin/gnd_baseline" --mode "$mode" \
		--bitrate $bitrate || continue
	echo "media $label frames_received ours $(field received "$tmp/$label-ours.rx")/$n" \
		"baseline $(field received "$tmp/$label-gnd.rx")/$n"
	report "$label" pictures_decoded pictures
	report "$label" kbit_per_s kbps
	report "$label" latency_p50_ms latency_p50_ms
	report "$label" latency_p99_ms latency_p99_ms
	report "$label" cpu_ms_per_frame cpu_ms_per_frame
	report "$label" psnr_mean_db psnr_mean
	report "$label" psnr_min_db psnr_min
	report "$label" static_cpu_ms_per_s static_cpu_ms_per_s
	if [ -n "$auto" ]; then
		run "$label-auto" "$n" "$interval" "$daemon" --mode "$mode" \
			--bitrate $bitrate || continue
		echo "media $label ours with --encoder auto ($auto):" \
			"$(grep '^received' "$tmp/$label-auto.rx")"
	fi
done
rm -rf "$tmp"
exit $rc
