# gclab — build, test, benchmark, fuzz.
#
#   make            optimized build/gclab (-O2)
#   make debug      ASan+UBSan build/debug/gclab
#   make test       every test under ASan+UBSan; ends with "N passed, N failed"
#   make bench      the default comparison of the engines (see README)
#   make clean
#
# Sources are found by directory, so a new engine or workload file needs no
# Makefile change (only a line in its registry.c).

CC      ?= cc
COMMIT  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
WARN    := -Wall -Wextra -Werror
CSTD    := -std=c11 -D_GNU_SOURCE
INC     := -Icore -Iworkloads -Ibench
DEFS    := -DGCLAB_COMMIT='"$(COMMIT)"'
LIBS    := -ljansson -lgc -lm -lpthread

OPT_CFLAGS := $(CSTD) $(WARN) $(INC) $(DEFS) -O2 -g
DBG_CFLAGS := $(CSTD) $(WARN) $(INC) $(DEFS) -O1 -g -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=undefined
DBG_LDFLAGS := -fsanitize=address,undefined

LIB_SRCS := $(wildcard core/*.c) $(wildcard core/script/*.c) $(wildcard engines/*.c) $(wildcard workloads/*.c)
CLI_SRCS := $(wildcard bench/*.c)
TEST_SRCS := $(wildcard tests/test_*.c)

OPT_LIB := $(LIB_SRCS:%.c=build/opt/%.o)
DBG_LIB := $(LIB_SRCS:%.c=build/dbg/%.o)
OPT_CLI := $(CLI_SRCS:%.c=build/opt/%.o)
DBG_CLI := $(CLI_SRCS:%.c=build/dbg/%.o)
DBG_METRICS := build/dbg/bench/metrics.o
TEST_BINS := $(TEST_SRCS:tests/%.c=build/debug/tests/%)

HEADERS := $(wildcard core/*.h) $(wildcard core/script/*.h) $(wildcard engines/*.h) $(wildcard workloads/*.h) $(wildcard bench/*.h) tests/t.h

.PHONY: all debug test bench clean deps
all: build/gclab

# V=1 shows the full commands.
Q := $(if $(V),,@)

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

build/debug/gclab: $(DBG_LIB) $(DBG_CLI)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD asan $@")
	$(Q)$(CC) $(DBG_LDFLAGS) -o $@ $^ $(LIBS)

build/debug/tests/%: tests/%.c $(DBG_LIB) $(DBG_METRICS) $(HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD asan $@")
	$(Q)$(CC) $(DBG_CFLAGS) -o $@ $< $(DBG_LIB) $(DBG_METRICS) $(LIBS) $(DBG_LDFLAGS)

debug: build/debug/gclab

# Installs missing Debian packages (a no-op when all are present), so that
# `make test` and `make bench` work on a fresh machine.
deps:
	@bash scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory build/gclab build/debug/gclab $(TEST_BINS)
	@bash tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory build/gclab
	@bash scripts/bench.sh

clean:
	rm -rf build
