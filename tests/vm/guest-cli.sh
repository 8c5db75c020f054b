#!/bin/sh
# TAP checks of miracastctl against the real module (in the lab guest).
#   guest-cli.sh MIRACASTCTL
ctl=$1
n=0 fails=0
check() { # check DESCRIPTION COMMAND...: ok when COMMAND succeeds
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		fails=$((fails + 1))
	fi
}

echo "1..4"
out=$("$ctl" devices)
rc=$?
echo "$out" | sed 's/^/# /'
check "miracastctl devices exits 0" [ "$rc" = 0 ]
check "lists /dev/miracast0 with its platform device" \
	sh -c 'echo "$1" | grep -q "^miracast0: /dev/miracast0 (platform miracast.0), DRM /dev/dri/card[0-9]* driver miracast 0.1.0"' - "$out"
check "shows the Virtual connector disconnected" \
	sh -c 'echo "$1" | grep -q "^  connector Virtual-1: disconnected, 0 modes"' - "$out"
"$ctl" frobnicate > /dev/null 2>&1
check "an unknown command exits 2" [ $? = 2 ]
[ "$fails" = 0 ]
