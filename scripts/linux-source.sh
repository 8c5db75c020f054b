#!/bin/bash
# Extract from Debian's linux-source-6.1 tarball the few files the project
# uses (the kselftest harness, checkpatch and its data) into DIR, once.
#   linux-source.sh DIR
set -euo pipefail
dir=${1:?usage: linux-source.sh DIR}
tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null) || {
	echo "linux-source.sh: /usr/src/linux-source-6.1.tar.xz missing (run make deps)" >&2
	exit 1
}
files=(
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)
stamp="$dir/.extracted"
if [ -f "$stamp" ] && [ "$stamp" -nt "$tarball" ]; then
	exit 0
fi
mkdir -p "$dir"
echo "linux-source.sh: extracting ${#files[@]} files from $tarball"
tar -C "$dir" --strip-components=1 -xJf "$tarball" "${files[@]/#/linux-source-6.1/}"
touch "$stamp"
