#!/bin/bash -eu
# build.sh — builds gclab's fuzz targets the OSS-Fuzz way: $CC and $CFLAGS
# (the service's sanitizer and coverage flags) for every object,
# $LIB_FUZZING_ENGINE to link, binaries, seed corpora (<target>_seed_corpus.zip),
# dictionaries and options files into $OUT.
# Locally:
#   CC=clang CFLAGS=-fsanitize=fuzzer-no-link LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#       OUT=/tmp/cfl .clusterfuzzlite/build.sh
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC_DIR"
: "${CC:=clang}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:?set OUT}"
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags="-std=c11 -D_GNU_SOURCE -Icore -Iworkloads -Ibench -Ifuzz -DGCLAB_COMMIT=\"cfl\" -g"
objs=()
for src in core/*.c core/script/*.c engines/*.c workloads/*.c fuzz/decode.c fuzz/model.c fuzz/harness.c; do
    obj="$work/$(echo "$src" | tr / _).o"
    $CC $CFLAGS $flags -c "$src" -o "$obj"
    objs+=("$obj")
done
for t in ops_target diff_target script_target; do
    $CC $CFLAGS $flags -c "fuzz/$t.c" -o "$work/$t.o"
    # C objects, linked by the C++-aware fuzzing-engine flags
    ${CXX:-clang++} $CFLAGS $LIB_FUZZING_ENGINE "$work/$t.o" "${objs[@]}" -o "$OUT/$t" \
        -Wl,-Bstatic -ljansson -lgc -Wl,-Bdynamic -lm -lpthread 2>/dev/null ||
        ${CXX:-clang++} $CFLAGS $LIB_FUZZING_ENGINE "$work/$t.o" "${objs[@]}" -o "$OUT/$t" -ljansson -lgc -lm -lpthread
    cp "fuzz/$t.dict" "fuzz/$t.options" "$OUT/"
    rm -f "$OUT/${t}_seed_corpus.zip"
    (cd "fuzz/corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
done
echo "build.sh: $(ls "$OUT" | tr '\n' ' ')"
