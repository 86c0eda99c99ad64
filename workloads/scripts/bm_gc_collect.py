# The shape of pyperformance's bm_gc_collect, written afresh, as the
# interpreter's second speed figure (gclab script vs python3 -S, user time):
# LOOPS times, rings of LINKS + 1 nodes linked through a method are built,
# dropped and collected; the timers are gone, the benchmark function runs
# under the __main__ guard and prints what it collected.
import gc

LOOPS = 60
CYCLES = 100
LINKS = 20


class Node:
    def __init__(self):
        self.next = None
        self.prev = None

    def link_next(self, next):
        self.next = next
        self.next.prev = self


def create_cycle(node, n_links):
    """Link n_links new nodes after node and close the ring."""
    if n_links == 0:
        return
    current = node
    for i in range(n_links):
        next_node = Node()
        current.link_next(next_node)
        current = next_node
    current.link_next(node)


def create_gc_cycles(n_cycles, n_links):
    """n_cycles rings of n_links + 1 nodes each."""
    cycles = []
    for _ in range(n_cycles):
        node = Node()
        cycles.append(node)
        create_cycle(node, n_links)
    return cycles


def benchmark_collection(loops, cycles, links):
    total = 0
    for _ in range(loops):
        gc.collect()
        all_cycles = create_gc_cycles(cycles, links)
        del all_cycles
        collected = gc.collect()
        assert collected is None or collected >= cycles * (links + 1)
        total += collected
    return total


if __name__ == "__main__":
    print(benchmark_collection(LOOPS, CYCLES, LINKS))
