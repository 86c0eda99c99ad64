#!/bin/bash -eu
# build.sh — builds gclab's fuzz targets the OSS-Fuzz / ClusterFuzzLite way:
# $CC and $CFLAGS (the service's sanitizer and coverage flags) for every
# object, $CXX $CXXFLAGS $LIB_FUZZING_ENGINE to link, and into $OUT each
# target, its seed corpus (<target>_seed_corpus.zip), dictionary and options.
#
# How the service calls it: the Dockerfile copies the checkout to $SRC/gclab
# and this file to $SRC/build.sh, and `compile` runs `bash -eu $SRC/build.sh`
# from $SRC/gclab (the WORKDIR). So the checkout is found from the working
# directory (or $SRC/gclab), not from where this file lies; run from
# .clusterfuzzlite/ inside a checkout it also works:
#   CC=clang CXX=clang++ CFLAGS=-fsanitize=address,fuzzer-no-link \
#       LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/cfl .clusterfuzzlite/build.sh
#
# libjansson and libgc are linked statically: the service runs the targets on
# a base-runner image without them. A failed static link is an error (no quiet
# fallback to shared libraries that would not be there at run time).

is_checkout() { [ -f "$1/core/gclab.h" ] && [ -d "$1/fuzz/corpus" ]; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if is_checkout "$PWD"; then root=$PWD
elif is_checkout "$here/.."; then root=$(cd "$here/.." && pwd)
elif [ -n "${SRC:-}" ] && is_checkout "$SRC/gclab"; then root=$SRC/gclab
else
    echo "build.sh: no gclab checkout in $PWD, $here/.. or \$SRC/gclab" >&2
    exit 1
fi
cd "$root"
: "${CC:=clang}" "${CXX:=clang++}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:?set OUT}"
: "${CXXFLAGS:=$CFLAGS}"
# OSS-Fuzz's CXXFLAGS may name libc++; the objects are C, so only the link sees them.
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(-std=c11 -D_GNU_SOURCE -Icore -Iworkloads -Ibench -Ifuzz '-DGCLAB_COMMIT="cfl"' -g)
static_libs=(-Wl,-Bstatic -ljansson -lgc -Wl,-Bdynamic -lm -lpthread)

# Fail fast, before compiling anything, if the static libraries cannot be linked.
echo 'int main(void) { return 0; }' >"$work/probe.c"
if ! $CC -c "$work/probe.c" -o "$work/probe.o" ||
   ! $CXX "$work/probe.o" -o "$work/probe" "${static_libs[@]}" 2>"$work/probe.err"; then
    echo "build.sh: cannot link libjansson and libgc statically ($CXX ${static_libs[*]}):" >&2
    sed 's/^/    /' "$work/probe.err" >&2
    echo "build.sh: install their static archives (libjansson-dev, libgc-dev ship libjansson.a, libgc.a)" >&2
    exit 1
fi

objs=()
for src in core/*.c core/script/*.c engines/*.c workloads/*.c fuzz/decode.c fuzz/model.c fuzz/harness.c fuzz/events.c fuzz/apply.c fuzz/check.c fuzz/walk.c fuzz/mutate.c; do
    obj="$work/$(echo "$src" | tr / _).o"
    # shellcheck disable=SC2086  # CFLAGS is a list of flags
    $CC $CFLAGS "${flags[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
done
for t in ops_target diff_target script_target; do
    # shellcheck disable=SC2086
    $CC $CFLAGS "${flags[@]}" -c "fuzz/$t.c" -o "$work/$t.o"
    # C objects, linked by the C++-aware fuzzing-engine flags
    # shellcheck disable=SC2086
    if ! $CXX $CXXFLAGS $LIB_FUZZING_ENGINE "$work/$t.o" "${objs[@]}" -o "$OUT/$t" "${static_libs[@]}"; then
        echo "build.sh: linking $t failed (static libjansson and libgc; see above)" >&2
        exit 1
    fi
    cp "fuzz/$t.dict" "fuzz/$t.options" "$OUT/"
    rm -f "$OUT/${t}_seed_corpus.zip"
    (cd "fuzz/corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
done
echo "build.sh: $(ls "$OUT" | tr '\n' ' ')"
