#!/bin/sh
# Build every tests/fuzz/fuzz_*.c with libFuzzer + ASan/UBSan and run each
# on a copy of its seed corpus.  A crash is saved under
# tests/fuzz/findings/ and fails the run.
#
# How long each runs:
#   run.sh            the smoke run of `make test`: FUZZ_RUNS inputs
#                     (default 20,000) from seed FUZZ_SEED (default 1), so
#                     a run does the same work, finds the same things and
#                     takes the same CPU on any machine, however loaded (a
#                     15 s run did a third of the work on a loaded VM and
#                     held a core throughout)
#   run.sh SECONDS    exploration: SECONDS each, a new seed every run
#                     (`make fuzz FUZZ_SECONDS=600`; FUZZ_SECONDS also works)
set -u
secs=${1:-${FUZZ_SECONDS:-}}
runs=${FUZZ_RUNS:-20000}
seed=${FUZZ_SEED:-1}
if [ -n "$secs" ]; then
	budget="-max_total_time=$secs"
	what="$secs s"
else
	budget="-runs=$runs -seed=$seed"
	what="$runs inputs, seed $seed"
fi
out=build/fuzz
mkdir -p "$out" tests/fuzz/findings
CFLAGS="-g1 -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -Iinclude -Isrc"
# The sources a target links are compiled once per run, with the
# fuzzer's coverage but not its main(), and shared by every target that
# links them (the Iceberg engine is two targets' sources).
OBJFLAGS="-g1 -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -Iinclude -Isrc"
objdir=$(mktemp -d)
trap 'rm -rf "$objdir"' EXIT
objects() {
	for src in "$@"; do
		o=$objdir/$(echo "$src" | tr / _).o
		[ -f "$o" ] || clang $OBJFLAGS -c "$src" -o "$o" || return 1
		echo "$o"
	done
}

# Sources each target links (pure code only).
srcs_toml="src/config/toml.c src/config/toml_lex.c src/config/toml_parse.c"
srcs_request="src/util/json.c src/util/json_in.c src/util/json_bytes.c src/util/json_out.c src/util/json_memo.c src/util/names.c src/util/name_fold.c src/util/location.c \
	src/util/paging.c src/util/uuid.c src/util/str.c src/http/router.c \
	src/auth/principal.c src/auth/password.c src/auth/jwt.c \
	src/auth/apikey.c src/auth/rbac.c src/auth/settings.c src/util/arena.c src/storage/sigv4.c"
libs_request="-ljansson -luuid -ljwt -lcrypto -lunistring"
srcs_iceberg="src/iceberg/*.c src/util/json.c src/util/json_in.c src/util/json_bytes.c src/util/json_out.c src/util/json_memo.c src/util/uuid.c src/util/location.c \
	src/util/names.c src/util/arena.c"
libs_iceberg="-ljansson -luuid -lavro -lz"
srcs_manifest="src/iceberg/manifest.c src/iceberg/manifest_frame.c \
	src/iceberg/manifest_decode.c src/iceberg/manifest_full.c \
	src/iceberg/manifest_write.c"
libs_manifest="-lavro -ljansson -lz"
# Pure like the engine, and it links the engine's helpers (types.c...).
srcs_scan_expr=$srcs_iceberg
libs_scan_expr="$libs_iceberg -lm"
srcs_oidc="src/auth/jwk.c src/auth/oidc_token.c src/auth/idp_claims.c \
	src/util/names.c"
libs_oidc="-ljansson -lcrypto"
srcs_sts="src/storage/sts.c src/storage/s3xml.c src/util/str.c"
libs_sts="-ljansson -lcurl"
# libavro 1.11 leaks when it refuses some malformed schemas (its parser's
# error paths); our own frees are checked by the unit tests under LSan.
env_manifest="ASAN_OPTIONS=detect_leaks=0"

pass=0
fail=0
for f in tests/fuzz/fuzz_*.c; do
	name=$(basename "$f" .c)
	short=${name#fuzz_}
	eval srcs=\${srcs_$short:-}
	eval libs=\${libs_$short:-}
	eval fenv=\${env_$short:-}
	if ! objs=$(objects $srcs) ||
	    ! clang $CFLAGS "$f" $objs $libs -o "$out/$name"; then
		echo "not ok - fuzz: cannot build $name"
		fail=$((fail + 1))
		continue
	fi
	corpus=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$short" ] && cp "tests/fuzz/corpus/$short"/* "$corpus"/ 2>/dev/null
	echo "== $name ($what)"
	if env $fenv "$out/$name" $budget -max_len=4096 \
	    -artifact_prefix=tests/fuzz/findings/ -print_final_stats=1 \
	    "$corpus" > "$out/$name.log" 2>&1; then
		grep -E "stat::number_of_executed_units|cov:" "$out/$name.log" | tail -2
		pass=$((pass + 1))
	else
		tail -40 "$out/$name.log"
		echo "not ok - fuzz: $name found a crash or a leak (its input: tests/fuzz/findings/; its log: $out/$name.log)"
		fail=$((fail + 1))
	fi
	rm -rf "$corpus"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
