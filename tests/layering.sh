#!/bin/sh
# The dependency rule of ARCHITECTURE.md §3, checked on every include:
# main.c -> api/ -> http/, auth/, metrics/, storage/, iceberg/ -> util/
# (and config/, plugin/ below api).  Nothing below calls up: the HTTP
# layer knows requests, not stores or handlers.  Prints every include
# that breaks the rule, then one line for run-all.sh's count: the check
# is one test ("layering: 1 passed, 0 failed").
set -u
cd "$(dirname "$0")/.."

# directory: the directories (or top-level headers) it may include.
allowed() {
	case $1 in
	util)		echo "util" ;;
	config)		echo "config util" ;;
	auth)		echo "auth config util" ;;
	metrics)	echo "metrics util" ;;
	storage)	echo "storage util" ;;
	iceberg)	echo "iceberg util" ;;
	plugin)		echo "plugin config util" ;;
	http)		echo "http auth metrics util" ;;
	tasks)		echo "tasks util" ;;
	cli)		echo "cli config util" ;;
	api)		echo "api app.h http auth metrics storage iceberg config plugin tasks util" ;;
	tools)		echo "" ;;
	*)		echo "*" ;;	# main.c, app.c: the top
	esac
}

pass=0
fail=0
for f in $(find src -name '*.[ch]' | sort); do
	dir=$(echo "$f" | cut -d/ -f2)
	case $dir in *.c|*.h) dir=top ;; esac
	ok=$(allowed "$dir")
	[ "$ok" = "*" ] && continue
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		case $inc in pangolin/*) continue ;; esac
		target=${inc%%/*}
		case " $ok " in
		*" $target "*) pass=$((pass + 1)) ;;
		*)	echo "layering: $f includes \"$inc\" ($dir may use: $ok)"
			fail=$((fail + 1)) ;;
		esac
	done
done
if [ "$fail" -eq 0 ]; then
	echo "layering: $pass includes follow the rule"
	echo "layering: 1 passed, 0 failed"
else
	echo "layering: 0 passed, 1 failed"
	exit 1
fi
