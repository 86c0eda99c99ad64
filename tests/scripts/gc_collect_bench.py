# The shape of pyperformance's bm_gc_collect, written afresh: LOOPS times,
# RINGS rings of LINKS + 1 nodes linked through a method are built, dropped
# and collected, with the timers removed and the benchmark function called
# under the __main__ guard. Each loop prints what it found, the young
# collections it took and gc.get_count() (compared with CPython's byte for
# byte); the last line is the total found. It is also the interpreter's
# second speed figure (gclab script vs python3 -S, user time).
# engines: every collects_cycles precise
# compare: rcgen
import gc

LOOPS = 60
RINGS = 100
LINKS = 20


class Link:
    def __init__(self):
        self.next = None
        self.prev = None

    def attach(self, next):
        self.next = next
        self.next.prev = self


def close_ring(first, n_links):
    """Add n_links nodes after first and close the ring."""

    if n_links == 0:
        return

    here = first
    for i in range(n_links):
        fresh = Link()
        here.attach(fresh)
        here = fresh

    here.attach(first)


def make_rings(n_rings, n_links):
    """n_rings rings of n_links + 1 nodes."""

    rings = []
    for _ in range(n_rings):
        first = Link()
        rings.append(first)
        close_ring(first, n_links)
    return rings


def run(loops, rings, links):
    total = 0
    for _ in range(loops):
        gc.collect()
        before = gc.get_stats()[0]['collections']
        garbage = make_rings(rings, links)

        del garbage
        found = gc.collect()

        assert found >= rings * (links + 1)
        print(found, gc.get_stats()[0]['collections'] - before, gc.get_count())
        total += found
    return total


if __name__ == "__main__":
    print(run(LOOPS, RINGS, LINKS))
