# The shape of pyperformance's bm_gc_collect, written afresh: rings of
# linked nodes built through a method, dropped, and collected, with the
# timers removed and the benchmark function called under the __main__ guard.
# engines: rcgen
# cycles: yes
import gc

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
    elapsed = 0
    for _ in range(loops):
        gc.collect()
        before = gc.get_stats()[0]['collections']
        garbage = make_rings(rings, links)

        del garbage
        found = gc.collect()

        assert found >= rings * (links + 1)
        print(found, gc.get_stats()[0]['collections'] - before, gc.get_count())

    return elapsed


if __name__ == "__main__":
    run(3, RINGS, LINKS)
