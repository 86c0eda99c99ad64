# linkedlist.py — the seeds' Node linked list, built, walked and dropped
# ROUNDS times, as a heap script: the twin of workloads/linkedlist.c, at the
# sizes of tests/sh/test_workload_scripts.sh (gclab run -w linkedlist
#  -p length=300 -p rounds=3; LENGTH above 256 so that values past the small
#  ints are allocated too).
#
# Each round builds head, then LENGTH - 1 more nodes appended through cur
# (cur.next = n: old-to-young stores), walks the list from head checking that
# node i holds value i, and drops it. The last line printed is `result` =
# ROUNDS * LENGTH * (LENGTH + 1) // 2, the sum of every walk. Nothing differs
# from linkedlist.c.

LENGTH = 300
ROUNDS = 3


class Node:
    # No __init__: attributes are set after creation.
    pass


def main():
    assert LENGTH >= 1, 'length must be at least 1'
    total = 0
    for r in range(ROUNDS):
        head = Node()
        head.value = 1
        head.next = None
        cur = head
        n = None
        for i in range(2, LENGTH + 1):
            n = Node()
            n.value = i
            n.next = None
            cur.next = n
            cur = n
        seen = 0
        cur = head
        while cur is not None:
            v = cur.value
            seen += 1
            assert v == seen, 'a node holds the wrong value'
            total += v
            cur = cur.next
        assert seen == LENGTH, 'walked a different number of nodes than built'
        head = None
        cur = None
        n = None
        v = None
    return total


print(main())
