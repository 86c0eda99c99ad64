# The shape of pyperformance's bm_gc_traversal, written afresh: lists of
# `[None] * n` filled with the previous level, so a collection traverses a
# deep, wide graph and finds nothing to free; timers removed, the benchmark
# function called under the __main__ guard.
# engines: every
# compare: rcgen rcinc
import gc

LEVELS = 300


def nest(n_levels):

    level = []
    for n in range(n_levels):
        wider = [None] * n
        for i in range(n):
            wider[i] = level
        level = wider

    return level


def run(loops, n_levels):
    elapsed = 0
    top = nest(n_levels)
    for _ in range(loops):
        gc.collect()
        found = gc.collect()

        assert found == 0
        print(found, len(top), len(top[0]), gc.get_count())

    return elapsed


if __name__ == "__main__":
    run(3, LEVELS)
