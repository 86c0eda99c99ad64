# gclab — build, test, benchmark, fuzz.
#
#   make            optimized build/gclab (-O2)
#   make debug      ASan+UBSan build/debug/gclab
#   make test       every test under ASan+UBSan; ends with "N passed, N failed"
#   make calib      the plain-C calibration programs (build/calib/, bench/calib/)
#   make bench      the default matrix (bench/matrices/default.conf) into
#                   results/<timestamp>/: records, PNGs, report.md (JOBS=1)
#   make bench-smoke  tiny matrix, outputs checked (for CI; not in make test)
#   make fuzz       fuzz targets for libFuzzer and AFL++, and replay binaries (build/fuzz/)
#   make fuzz-smoke each fuzz target 60 s under libFuzzer and 60 s under AFL++
#   make clean
#
# Sources are found by directory, so a new engine or workload file needs no
# Makefile change (only a line in its registry.c).

CC      ?= cc
COMMIT  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
WARN    := -Wall -Wextra -Werror
CSTD    := -std=c11 -D_GNU_SOURCE
INC     := -Icore -Iworkloads -Ibench -Ifuzz
DEFS    := -DGCLAB_COMMIT='"$(COMMIT)"'
LIBS    := -ljansson -lgc -lm -lpthread

OPT_CFLAGS := $(CSTD) $(WARN) $(INC) $(DEFS) -O2 -g
DBG_CFLAGS := $(CSTD) $(WARN) $(INC) $(DEFS) -O1 -g -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=undefined
DBG_LDFLAGS := -fsanitize=address,undefined

LIB_SRCS := $(wildcard core/*.c) $(wildcard core/script/*.c) $(wildcard engines/*.c) $(wildcard workloads/*.c)
# fuzz/decode.c: `gclab fuzz-print` decodes fuzz inputs.
CLI_SRCS := $(wildcard bench/*.c) fuzz/decode.c
TEST_SRCS := $(wildcard tests/test_*.c)

OPT_LIB := $(LIB_SRCS:%.c=build/opt/%.o)
DBG_LIB := $(LIB_SRCS:%.c=build/dbg/%.o)
OPT_CLI := $(CLI_SRCS:%.c=build/opt/%.o)
DBG_CLI := $(CLI_SRCS:%.c=build/dbg/%.o)
DBG_METRICS := build/dbg/bench/metrics.o
TEST_BINS := $(TEST_SRCS:tests/%.c=build/debug/tests/%)
# tests/plain_*.c: built without sanitizers, for behaviour ASan's allocator
# hides (it never reuses a freed address at once).
PLAIN_SRCS := $(wildcard tests/plain_*.c)
PLAIN_BINS := $(PLAIN_SRCS:tests/%.c=build/plain/tests/%)

HEADERS := $(wildcard core/*.h) $(wildcard core/script/*.h) $(wildcard engines/*.h) $(wildcard workloads/*.h) $(wildcard bench/*.h) tests/t.h tests/engine_t.h

.PHONY: all debug test bench bench-smoke clean deps fuzz fuzz-smoke fuzz-coverage
all: build/gclab

# V=1 shows the full commands.
Q := $(if $(V),,@)

# The record names the commit it was built from: record.o is rebuilt when
# HEAD moves (a stamp per commit), not only when record.c changes.
COMMIT_STAMP := build/commit-$(COMMIT)
$(COMMIT_STAMP):
	@mkdir -p build && rm -f build/commit-* && touch $@
build/opt/bench/record.o build/dbg/bench/record.o: $(COMMIT_STAMP)

build/opt/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(OPT_CFLAGS) -c $< -o $@

build/dbg/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC asan $<")
	$(Q)$(CC) $(DBG_CFLAGS) -c $< -o $@

build/gclab: $(OPT_LIB) $(OPT_CLI)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(LIBS)

# The hook-cost measurement build (scripts/hook-cost.sh): build/gclab with
# every refcount-hook and barrier test compiled out (GCLAB_NO_HOOKS,
# core/engine.h); engines with hooks are refused there. Never installed.
NOHOOKS_OBJS := $(LIB_SRCS:%.c=build/nohooks/%.o) $(CLI_SRCS:%.c=build/nohooks/%.o)
build/nohooks/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC nohk $<")
	$(Q)$(CC) $(OPT_CFLAGS) -DGCLAB_NO_HOOKS -c $< -o $@
build/nohooks/bench/record.o: $(COMMIT_STAMP)
build/nohooks/gclab: $(NOHOOKS_OBJS)
	@$(if $(Q),echo "  LD nohk $@")
	$(Q)$(CC) -o $@ $^ $(LIBS)

build/debug/gclab: $(DBG_LIB) $(DBG_CLI)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD asan $@")
	$(Q)$(CC) $(DBG_LDFLAGS) -o $@ $^ $(LIBS)

build/debug/tests/%: tests/%.c $(DBG_LIB) $(DBG_METRICS) $(HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD asan $@")
	$(Q)$(CC) $(DBG_CFLAGS) -o $@ $< $(DBG_LIB) $(DBG_METRICS) $(LIBS) $(DBG_LDFLAGS)

build/plain/tests/%: tests/%.c $(OPT_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(OPT_CFLAGS) -o $@ $< $(OPT_LIB) $(LIBS)

debug: build/debug/gclab

# Installs missing Debian packages (a no-op when all are present), so that
# `make test` and `make bench` work on a fresh machine.
deps:
	@bash scripts/deps.sh

test: deps
	@$(MAKE) -s --no-print-directory build/gclab build/debug/gclab $(TEST_BINS) $(PLAIN_BINS) $(FUZZ_REPLAY_ASAN) $(CALIB_BINS) build/fuzz/afl-mutator.so
	@bash tests/run.sh

JOBS ?= 1
MATRIX ?= bench/matrices/default.conf
bench: deps
	@$(MAKE) -s --no-print-directory build/gclab calib
	@bash scripts/bench.sh $(MATRIX) --jobs $(JOBS)

# Plain-C calibration programs (bench/calib/): GCBench with malloc/free and
# with libgc, and the `traversal` graph marked in C. Same -O2 as build/gclab.
CALIB_BINS := build/calib/gcbench-malloc build/calib/gcbench-bdw build/calib/traversal-c
.PHONY: calib
calib: $(CALIB_BINS)
build/calib/gcbench-malloc: bench/calib/gcbench_c.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CSTD) $(WARN) -O2 -g -o $@ $<
build/calib/gcbench-bdw: bench/calib/gcbench_c.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CSTD) $(WARN) -O2 -g -DCALIB_BDW -o $@ $< -lgc
build/calib/traversal-c: bench/calib/traversal_c.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CSTD) $(WARN) -O2 -g -o $@ $<

bench-smoke: deps
	@$(MAKE) -s --no-print-directory build/gclab
	@bash scripts/bench.sh bench/matrices/smoke.conf --check --jobs $(JOBS)

# ---- fuzzing (fuzz/README.md) -------------------------------------------
# Each target fuzz/<t>.c defines LLVMFuzzerTestOneInput and is built three ways:
#   build/fuzz/libfuzzer/<t>  clang -fsanitize=fuzzer,address,undefined
#   build/fuzz/afl/<t>        afl-clang-fast, AFL_USE_ASAN=1, -fsanitize=fuzzer (AFL++'s driver)
#   build/fuzz/replay-<t>     fuzz/replay_main.c, no instrumentation (-O2)
# plus build/fuzz/replay-asan-<t> (ASan+UBSan, what `make test` replays the corpus with)
# and build/fuzz/cov/replay-<t> (clang source coverage, for scripts/fuzz-coverage.sh).
FUZZ_CC      ?= clang
FUZZ_TARGETS := ops_target diff_target script_target
FUZZ_SUPPORT := fuzz/decode.c fuzz/model.c fuzz/harness.c fuzz/events.c fuzz/apply.c fuzz/check.c fuzz/walk.c fuzz/mutate.c
FUZZ_HEADERS := $(HEADERS) $(wildcard fuzz/*.h)
# -DGCLAB_MUTANTS: the engines' planted bugs are compiled in, off unless
# GCLAB_MUTANT=engine/name selects one (core/mutant.h, scripts/fuzz-mutants.sh).
FUZZ_FLAGS   := $(CSTD) $(WARN) $(INC) $(DEFS) -DGCLAB_MUTANTS -g -O1 -fno-omit-frame-pointer
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# libFuzzer's coverage of core/ and engines/: edge counters, no comparison tracing
# (trace-cmp was a third of the time; the input's bytes are opcodes and operands reduced
# modulo their range, which the engines' comparisons never meet; fuzz/README.md).
FUZZ_LF_COV  ?= -fsanitize=fuzzer-no-link -fno-sanitize-coverage=trace-cmp

FUZZ_LF_OBJ   := $(LIB_SRCS:%.c=build/fuzz/lf-obj/%.o) $(FUZZ_SUPPORT:%.c=build/fuzz/lf-obj/%.o)
FUZZ_AFL_OBJ  := $(LIB_SRCS:%.c=build/fuzz/afl-obj/%.o) $(FUZZ_SUPPORT:%.c=build/fuzz/afl-obj/%.o)
FUZZ_COV_OBJ  := $(LIB_SRCS:%.c=build/fuzz/cov-obj/%.o) $(FUZZ_SUPPORT:%.c=build/fuzz/cov-obj/%.o)
FUZZ_DBG_SUP  := $(FUZZ_SUPPORT:%.c=build/dbg/%.o)
FUZZ_OPT_SUP  := $(FUZZ_SUPPORT:%.c=build/opt/%.o)
# (the pattern rules above know only $(HEADERS): the oracle's objects depend on fuzz/*.h too)
$(FUZZ_DBG_SUP) $(FUZZ_OPT_SUP): $(FUZZ_HEADERS)
FUZZ_LIBFUZZER := $(FUZZ_TARGETS:%=build/fuzz/libfuzzer/%)
FUZZ_AFL       := $(FUZZ_TARGETS:%=build/fuzz/afl/%)
FUZZ_REPLAY    := $(FUZZ_TARGETS:%=build/fuzz/replay-%)
FUZZ_REPLAY_ASAN := $(FUZZ_TARGETS:%=build/fuzz/replay-asan-%)
FUZZ_REPLAY_COV  := $(FUZZ_TARGETS:%=build/fuzz/cov/replay-%)

# Objects made on the way to a target are kept (make would delete them as intermediates).
.SECONDARY: $(FUZZ_LF_OBJ) $(FUZZ_AFL_OBJ) $(FUZZ_COV_OBJ) $(FUZZ_DBG_SUP) $(FUZZ_OPT_SUP)

fuzz: $(FUZZ_LIBFUZZER) $(FUZZ_AFL) $(FUZZ_REPLAY) $(FUZZ_REPLAY_ASAN)

build/fuzz/lf-obj/%.o: %.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC lf   $<")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_SAN) $(FUZZ_LF_COV) -c $< -o $@

# The harness and model (fuzz/*.c but the targets) are the oracle, not the code under
# test: no coverage instrumentation there, so the fuzzers spend their time on the engines,
# and -O2 (ASan and UBSan stay on): the checks were 60% of an input's time at -O1.
build/fuzz/lf-obj/fuzz/%.o: fuzz/%.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_SAN) -c $< -o $@ -O2

build/fuzz/libfuzzer/%: fuzz/%.c $(FUZZ_LF_OBJ) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD lf   $@")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_LF_OBJ) $(LIBS)

build/fuzz/afl-obj/%.o: %.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC afl  $<")
	$(Q)AFL_USE_ASAN=1 AFL_QUIET=1 afl-clang-fast $(FUZZ_FLAGS) -c $< -o $@

build/fuzz/afl-obj/fuzz/%.o: fuzz/%.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=address -c $< -o $@ -O2

build/fuzz/afl/%: fuzz/%.c $(FUZZ_AFL_OBJ) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD afl  $@")
	$(Q)AFL_USE_ASAN=1 AFL_QUIET=1 afl-clang-fast $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_AFL_OBJ) $(LIBS)

# AFL++'s custom mutator (fuzz/afl_mutator.c around fuzz/mutate.c, the same structure-aware
# mutator as libFuzzer's LLVMFuzzerCustomMutator): a shared library afl-fuzz loads itself
# (AFL_CUSTOM_MUTATOR_LIBRARY, scripts/fuzz-run.sh). The decoder it calls needs the engine
# registry, so core and the engines are built into it once more, position-independent,
# -O2, without sanitizers or coverage (it runs inside afl-fuzz, not the target).
FUZZ_MUT_OBJ := $(LIB_SRCS:%.c=build/fuzz/mut-obj/%.o) $(addprefix build/fuzz/mut-obj/fuzz/,decode.o mutate.o afl_mutator.o)
.SECONDARY: $(FUZZ_MUT_OBJ)
fuzz: build/fuzz/afl-mutator.so

build/fuzz/mut-obj/%.o: %.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC mut  $<")
	$(Q)$(CC) $(CSTD) $(WARN) $(INC) $(DEFS) -O2 -g -fPIC -c $< -o $@

build/fuzz/afl-mutator.so: $(FUZZ_MUT_OBJ)
	@$(if $(Q),echo "  LD mut  $@")
	$(Q)$(CC) -shared -Wl,--no-undefined -o $@ $(FUZZ_MUT_OBJ) $(LIBS)

build/fuzz/replay-%: fuzz/%.c fuzz/replay_main.c $(OPT_LIB) $(FUZZ_OPT_SUP) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(OPT_CFLAGS) -o $@ $< fuzz/replay_main.c $(OPT_LIB) $(FUZZ_OPT_SUP) $(LIBS)

build/fuzz/replay-asan-%: fuzz/%.c fuzz/replay_main.c $(DBG_LIB) $(FUZZ_DBG_SUP) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD asan $@")
	$(Q)$(CC) $(DBG_CFLAGS) -o $@ $< fuzz/replay_main.c $(DBG_LIB) $(FUZZ_DBG_SUP) $(LIBS) $(DBG_LDFLAGS)

build/fuzz/cov-obj/%.o: %.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC cov  $<")
	$(Q)$(FUZZ_CC) $(CSTD) $(WARN) $(INC) $(DEFS) -O0 -g -fprofile-instr-generate -fcoverage-mapping -c $< -o $@

build/fuzz/cov/replay-%: fuzz/%.c fuzz/replay_main.c $(FUZZ_COV_OBJ) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD cov  $@")
	$(Q)$(FUZZ_CC) $(CSTD) $(WARN) $(INC) $(DEFS) -O0 -g -fprofile-instr-generate -fcoverage-mapping -o $@ $< fuzz/replay_main.c $(FUZZ_COV_OBJ) $(LIBS)

fuzz-coverage: $(FUZZ_REPLAY_COV)

# 60 s per target under each fuzzer; run by CI (.ci/run) after `make test`, not part of it.
fuzz-smoke: deps
	@$(MAKE) --no-print-directory $(FUZZ_LIBFUZZER) $(FUZZ_AFL) build/fuzz/afl-mutator.so
	@bash scripts/fuzz-smoke.sh

clean:
	rm -rf build
