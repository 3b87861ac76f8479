# Sourced by tests/run-all.sh and tests/run-integration.sh: the tests'
# scratch files (servers' directories and SQLite files, warehouses,
# PostgreSQL's and Swift's data) go to a directory on tmpfs when
# /dev/shm has 4 GiB free, else where TMPDIR already points.  What the
# tests check does not depend on the disk's pace, and on a shared VM an
# fsync waited up to tens of milliseconds: a file that commits thousands
# of times waited minutes.  The disk's pace is make bench's.  A TMPDIR
# set by the caller (PGL_TEST_TMPDIR=keep) is left alone.
if [ -z "${PGL_TEST_TMPDIR:-}" ] && [ -d /dev/shm ] &&
    [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -gt 4194304 ] 2>/dev/null &&
    PGL_TEST_TMPDIR=$(mktemp -d /dev/shm/pgl-test.XXXXXX); then
	chmod 755 "$PGL_TEST_TMPDIR"	# PostgreSQL runs as user postgres
	TMPDIR=$PGL_TEST_TMPDIR
	export TMPDIR PGL_TEST_TMPDIR
	pgl_tmpdir_owned=1
fi
