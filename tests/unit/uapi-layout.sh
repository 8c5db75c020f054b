#!/bin/bash
# TAP: kernel/uapi/miracast.h compiles, with one layout, as C and C++ for
# 64- and 32-bit userspace (tests/unit/uapi-layout.c asserts the layout).
#   uapi-layout.sh
top=$(cd "$(dirname "$0")/../.." && pwd)
src=$top/tests/unit/uapi-layout.c
flags=(-Wall -Wextra -Werror -pedantic -fsyntax-only -I "$top/kernel/uapi")
n=0 failed=0
echo "1..4"
for compiler in "gcc -std=c11 -x c" "g++ -std=c++11 -x c++"; do
	for bits in 64 32; do
		n=$((n + 1))
		if out=$($compiler -m$bits "${flags[@]}" "$src" 2>&1); then
			echo "ok $n uapi header: ${compiler%% *} -m$bits"
		else
			echo "not ok $n uapi header: ${compiler%% *} -m$bits"
			echo "$out" | sed 's/^/# /'
			failed=1
		fi
	done
done
exit $failed
