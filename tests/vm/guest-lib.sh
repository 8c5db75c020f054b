# What the lab's end-to-end guest scripts share (POSIX sh, sourced after
# setting ctl, the miracastctl to ask): TAP lines, waiting, the sink's
# summary, the connector as a client sees it, the kernel's session errors.
n=0 failed=0
ok() { # ok DESCRIPTION CONDITION...
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n $desc"; else echo "not ok $n $desc"; failed=1; fi
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
both_ge() { ge "$1" "$2" && ge "$3" "$4"; }
# key FILE NAME: a value of the sink's summary
key() { sed -n "s/^$2=//p" "$1" | head -n 1; }
# the connector's state and modes ("1280x720@60 ..."), as a client sees them
state() { "$ctl" devices | sed -n 's/^  connector [^:]*: \([a-z]*\),.*/\1/p' | head -n 1; }
modes() { "$ctl" devices | sed -n 's/^    \([0-9x]*\): .* @ \([0-9]*\) Hz.*/\1@\2/p' | sort -u | xargs; }
errors() { sed -n 's/^session_errors: //p' /sys/kernel/debug/dri/*/miracast_state | head -n 1; }
# wait_for SECONDS COMMAND...: until it succeeds
wait_for() {
	t=$(($1 * 10))
	shift
	while ! "$@" > /dev/null 2>&1 && [ $t -gt 0 ]; do
		sleep 0.1
		t=$((t - 1))
	done
	"$@" > /dev/null 2>&1
}
idle() { "$ctl" status 2>/dev/null | grep -q '): idle, to none$'; }
