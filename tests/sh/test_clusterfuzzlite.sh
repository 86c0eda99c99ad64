#!/usr/bin/env bash
# test_clusterfuzzlite.sh — .clusterfuzzlite/build.sh run exactly as
# OSS-Fuzz's `compile` runs it inside the Dockerfile's image: the checkout
# copied to $SRC/gclab, build.sh copied to $SRC/build.sh, `bash -eu
# $SRC/build.sh` from $SRC/gclab with only OSS-Fuzz's variables in the
# environment (CC, CXX, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, SANITIZER, OUT,
# SRC, WORK). What it leaves in $OUT is what the service expects: each
# target statically linked against libjansson and libgc, its dictionary,
# options and a seed-corpus zip holding every committed corpus file; each
# target replays its seeds cleanly. A failed static link is an error.
source "$(dirname "$0")/lib.sh"

if ! command -v clang >/dev/null || ! command -v zip >/dev/null || ! command -v unzip >/dev/null; then
    skip clusterfuzzlite_build "clang, zip or unzip missing (scripts/deps.sh installs them)"
    exit 0
fi
SRC=$T_TMP/src
mkdir -p "$SRC/gclab" "$T_TMP/out" "$T_TMP/work"
git ls-files -z | xargs -0 cp --parents -t "$SRC/gclab"     # the checkout, as COPY . $SRC/gclab
cp .clusterfuzzlite/build.sh "$SRC/build.sh"                 # as COPY .clusterfuzzlite/build.sh $SRC/
# OSS-Fuzz's address-sanitizer flags (base-builder's SANITIZER_FLAGS_address
# plus the libFuzzer coverage flags), without -stdlib=libc++ (not installed here).
asan="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
oss_env=(env -i PATH="$PATH" HOME="$HOME" CC=clang CXX=clang++ CFLAGS="$asan" CXXFLAGS="$asan"
         LIB_FUZZING_ENGINE=-fsanitize=fuzzer SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64
         OUT="$T_TMP/out" SRC="$SRC" WORK="$T_TMP/work")
(cd "$SRC/gclab" && "${oss_env[@]}" bash -eu "$SRC/build.sh") >"$T_TMP/log" 2>&1
rc=$?
expect_eq "build.sh run as OSS-Fuzz's compile runs it (from \$SRC/gclab) exits 0" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/    /' "$T_TMP/log" | tail -5
out=$T_TMP/out
for t in ops_target diff_target script_target; do
    missing=
    for f in "$t" "$t.dict" "$t.options" "${t}_seed_corpus.zip"; do
        [ -s "$out/$f" ] || missing="$missing $f"
    done
    expect_eq "clusterfuzzlite_${t}_has_binary_dict_options_corpus" "$missing" ""
    expect_eq "clusterfuzzlite_${t}_links_libjansson_and_libgc_statically" \
        "$(ldd "$out/$t" 2>/dev/null | grep -c -E 'libjansson|libgc\.so')" 0
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

# A static link that fails is an error, said before anything is compiled: a
# linker that cannot find the static archives (a CXX that refuses -Bstatic).
mkdir -p "$T_TMP/bin"
printf '#!/bin/sh\nfor a; do [ "$a" = -Wl,-Bstatic ] && { echo "ld: cannot find -ljansson: static archive missing" >&2; exit 1; }; done\nexec clang++ "$@"\n' >"$T_TMP/bin/nostatic++"
chmod +x "$T_TMP/bin/nostatic++"
rm -rf "$T_TMP/out2"
(cd "$SRC/gclab" && "${oss_env[@]}" CXX="$T_TMP/bin/nostatic++" OUT="$T_TMP/out2" bash -eu "$SRC/build.sh") >"$T_TMP/log2" 2>&1
expect_eq "a failed static link makes build.sh fail" "$?" 1
expect_eq "it says why, and builds no target" \
    "$(grep -c '^build.sh: cannot link libjansson and libgc statically' "$T_TMP/log2") $(ls "$T_TMP/out2" 2>/dev/null | wc -l)" "1 0"
