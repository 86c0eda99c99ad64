#!/usr/bin/env bash
# test_clusterfuzzlite.sh — .clusterfuzzlite/build.sh builds the fuzz targets
# the way OSS-Fuzz/ClusterFuzzLite calls it ($CC $CFLAGS $LIB_FUZZING_ENGINE
# $OUT), and what it leaves in $OUT is what the service expects: each target,
# its dictionary, options and a seed-corpus zip holding every committed
# corpus file; each target replays its seed corpus cleanly.
source "$(dirname "$0")/lib.sh"

if ! command -v clang >/dev/null || ! command -v unzip >/dev/null; then
    skip clusterfuzzlite_build "clang or unzip missing"
    exit 0
fi
out=$T_TMP/out
CC=clang CFLAGS=-fsanitize=fuzzer-no-link,address LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=$out \
    bash .clusterfuzzlite/build.sh >"$T_TMP/log" 2>&1
expect_eq clusterfuzzlite_build_exits_0 "$?" 0
for t in ops_target diff_target script_target; do
    missing=
    for f in "$t" "$t.dict" "$t.options" "${t}_seed_corpus.zip"; do
        [ -s "$out/$f" ] || missing="$missing $f"
    done
    expect_eq "clusterfuzzlite_${t}_has_binary_dict_options_corpus" "$missing" ""
    mkdir -p "$T_TMP/seeds-$t"
    unzip -q "$out/${t}_seed_corpus.zip" -d "$T_TMP/seeds-$t" 2>/dev/null
    expect_eq "clusterfuzzlite_${t}_seed_zip_holds_the_corpus" \
        "$(ls "$T_TMP/seeds-$t" | sort | md5sum)" "$(ls "fuzz/corpus/$t" | sort | md5sum)"
    # -runs=0: run every seed once, fuzz nothing
    ASAN_OPTIONS=detect_leaks=1 "$out/$t" -runs=0 "$T_TMP/seeds-$t" >"$T_TMP/run" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "INITED" "$T_TMP/run"; then pass "clusterfuzzlite_${t}_replays_its_seeds"; else
        fail "clusterfuzzlite_${t}_replays_its_seeds" "exit $rc: $(grep -m2 -E 'ERROR|invariant' "$T_TMP/run")"; fi
done
