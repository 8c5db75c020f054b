#!/bin/bash
# Judge guest kernel logs: exit 1, printing the excerpt, when any has a
# warning, BUG, oops, KASAN/UBSAN/lockdep report, refcount or list
# corruption, or a hung task; exit 0 when they are clean.
#   scan-log.sh LOG...
set -uo pipefail
pattern='WARNING:|BUG:|Oops|KASAN|UBSAN|lockdep|possible circular locking|inconsistent lock state|refcount_t|list_del corruption|list_add corruption|hung task|blocked for more than|Kernel panic|general protection fault|kernel BUG|Call Trace:|kmemleak: [0-9]+ new suspected'
status=0
for log in "$@"; do
	hits=$(tr -d '\r' < "$log" | grep -v '^mc-lab: ' | grep -n -E "$pattern")
	[ -z "$hits" ] && continue
	status=1
	first=$(echo "$hits" | head -1 | cut -d: -f1)
	echo "scan-log.sh: kernel problems in $log:"
	echo "$hits" | head -10 | sed 's/^/  ! /'
	echo "  excerpt:"
	tr -d '\r' < "$log" | sed -n "$((first > 5 ? first - 5 : 1)),$((first + 30))p" | sed 's/^/  | /'
done
exit $status
