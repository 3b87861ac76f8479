#!/bin/sh
# The dependency rule of ARCHITECTURE.md §3, checked on every include:
# main.c -> api/ -> app/, http/, auth/, metrics/, storage/, iceberg/ ->
# util/ (and config/, plugin/, tasks/, events/ below api).  Nothing below
# calls up: the HTTP layer knows requests, not stores or handlers.  A plugin uses
# the ABI only.  Then the call graph and the include graph
# (tests/layering.mjs): no circle between files or folders (a call, a
# function named by pointer, a global object, a header's macro or static
# inline function used is an edge; so is a static that shares another
# file's global name, as every reader takes it, and that is refused
# too), the rooms of src/api (rest/, commit/, branching/, ...) call
# and include each other only in their order (which docs/architecture.md's
# picture of the rooms draws, row for row), src/api/ top holds only the
# shared layer's listed files, and no .c file is over 1,200 lines, nor
# more than 12 over 600, each of those saying in its opening comment why
# it is "kept whole"; no test source (tests/: .c, .h, .js, .mjs, .sh) is
# over 1,200 lines either.  Prints every include or call that breaks a rule,
# then one line for run-all.sh's count: the check is one test
# ("layering: 1 passed, 0 failed").
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
	# Data policies (issue 46): pure, over schemas and stored rows.
	policy)		echo "policy iceberg util" ;;
	plugin)		echo "plugin config util" ;;
	http)		echo "http auth metrics util" ;;
	tasks)		echo "tasks util" ;;
	cli)		echo "cli config util" ;;
	# Change events' delivery (CloudEvents, webhook signatures, the
	# NATS sink): below api, which hands them events from the outbox.
	events)		echo "events config storage metrics util" ;;
	app)		echo "app config plugin metrics tasks util" ;;
	api)		echo "api app http auth metrics storage iceberg config plugin tasks events policy util" ;;
	tools)		echo "" ;;
	top)		echo "*" ;;	# main.c, service.c: the top
	*)		echo "?" ;;	# a folder with no rule yet
	esac
}

pass=0
fail=0
for f in $(find src -name '*.[ch]' | sort); do
	dir=$(echo "$f" | cut -d/ -f2)
	case $dir in *.c|*.h) dir=top ;; esac
	ok=$(allowed "$dir")
	[ "$ok" = "*" ] && continue
	if [ "$ok" = "?" ]; then
		# A new folder states where it sits before it is used.
		echo "layering: $f is in src/$dir, which has no rule (add it to allowed())"
		fail=$((fail + 1))
		continue
	fi
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
# A plugin is its own program against the ABI (include/pangolin/): it
# includes that, its own headers, and the SQL plugins the code they share
# (plugins/sql-common); never the server's src/.
for f in $(find plugins -name '*.[ch]' | sort); do
	dir=$(dirname "$f")
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		case $inc in
		pangolin/*)	pass=$((pass + 1)); continue ;;
		*/*)		;;
		*)	if [ -f "$dir/$inc" ] || { case $dir in
			    plugins/store-sqlite|plugins/store-postgres) [ -f "plugins/sql-common/$inc" ] ;;
			    *) false ;; esac; }; then
				pass=$((pass + 1)); continue
			fi ;;
		esac
		echo "layering: $f includes \"$inc\" (a plugin may use: pangolin/, its own folder, sql-common for the SQL stores)"
		fail=$((fail + 1))
	done
done
# The call and include graphs: circles and the rooms' order.
if command -v node >/dev/null 2>&1; then
	node tests/layering.mjs || fail=$((fail + 1))
else
	echo "layering: node is missing: the call graph is not checked (make deps-test)"
	fail=$((fail + 1))
fi
if [ "$fail" -eq 0 ]; then
	echo "layering: $pass includes follow the rule"
	echo "layering: 1 passed, 0 failed"
else
	echo "layering: 0 passed, 1 failed"
	exit 1
fi
