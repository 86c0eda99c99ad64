# rings.py — pyperformance's gc_collect as a heap script: rings of nodes,
# created and dropped repeatedly, each batch followed by a full collection.
# The twin of workloads/rings.c, at the sizes of
# tests/sh/test_workload_scripts.sh (gclab run -w rings -p n=5 -p size=4
#  -p rounds=3).
#
# Each round makes a list of N rings of SIZE Node instances linked by next
# and prev, walks every ring by next until it is back at its first node
# (exactly SIZE steps), drops everything and calls gc.collect(). The last
# line printed is `result` = ROUNDS * N * SIZE, the steps of all the walks.
# Cyclic garbage only: on rc every node leaks. Nothing differs from rings.c
# except spelling: `for first in rings` is `rings[i]` over range(N), the
# subset's only for loop.
import gc

N = 5
SIZE = 4
ROUNDS = 3


class Node:
    pass


def main():
    assert SIZE >= 1, 'size must be at least 1'
    total = 0
    for r in range(ROUNDS):
        rings = []
        for i in range(N):
            first = Node()
            cur = first
            for k in range(1, SIZE):
                x = Node()
                cur.next = x
                x.prev = cur
                cur = x
            cur.next = first      # close the ring
            first.prev = cur
            rings.append(first)
        for i in range(N):
            steps = 0
            back = False
            first = rings[i]
            cur = first
            while not back and steps <= SIZE:
                cur = cur.next
                steps += 1
                back = cur is first
            assert steps == SIZE, 'a ring has the wrong number of steps around'
            total += steps
        rings = None
        first = None
        cur = None
        x = None
        gc.collect()
    return total


print(main())
