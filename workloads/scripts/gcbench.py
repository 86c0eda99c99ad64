# gcbench.py — Boehm's GCBench (Ellis, Kovac, Boehm) as a heap script: the
# twin of workloads/gcbench.c, at the sizes of tests/sh/test_workload_scripts.sh
# (gclab run -w gcbench -p stretch_depth=8 -p long_lived_depth=6
#  -p array_size=1000 -p min_depth=4 -p max_depth=8).
#
# TreeSize(d) = 2^(d+1) - 1, NumIters(d) = 2 * TreeSize(STRETCH_DEPTH) // TreeSize(d).
#   1. a stretch tree of depth STRETCH_DEPTH is built bottom-up (make_tree),
#      walked and dropped;
#   2. a long-lived tree of depth LONG_LIVED_DEPTH is built top-down
#      (populate) and kept, beside a long-lived array of ARRAY_SIZE doubles;
#   3. for d = MIN_DEPTH, MIN_DEPTH+2, ..., MAX_DEPTH: NumIters(d) trees of
#      depth d built top-down, walked, dropped; then NumIters(d) built
#      bottom-up, walked, dropped;
#   4. the long-lived tree is walked.
# A node is an instance of Node with attributes left and right (None at the
# leaves). The last line printed is `result`: the nodes counted by all the walks.
#
# Where this differs from gcbench.c: the subset has no floats and no way to
# write or read a blob's bytes, so the array is `bytearray(8000)` (a blob of
# 8 * ARRAY_SIZE bytes, the size of C's, written as a literal because the
# subset's bytearray takes only a literal) and only its length is checked:
# C's first half of 1.0/i values and its array[probe] == 1/probe check are
# left out. Neither changes `result`.

STRETCH_DEPTH = 8
LONG_LIVED_DEPTH = 6
ARRAY_SIZE = 1000
MIN_DEPTH = 4
MAX_DEPTH = 8


class Node:
    pass


def tree_size(d):
    size = 1
    for i in range(d + 1):
        size = size * 2
    return size - 1


def new_leaf():
    node = Node()
    node.left = None
    node.right = None
    return node


def make_tree(d):
    # Bottom-up: both children first, then their parent.
    if d <= 0:
        return new_leaf()
    left = make_tree(d - 1)
    right = make_tree(d - 1)
    node = Node()
    node.left = left
    node.right = right
    return node


def populate(d, node):
    # Top-down: give node two leaf children, then grow each.
    if d <= 0:
        return
    left = new_leaf()
    right = new_leaf()
    node.left = left
    node.right = right
    populate(d - 1, left)
    populate(d - 1, right)


def walk(node):
    # Trees are full: a node whose left is None is a leaf.
    if node.left is None:
        return 1
    return 1 + walk(node.left) + walk(node.right)


def walk_check(node, d):
    n = walk(node)
    assert n == tree_size(d), 'a tree has the wrong number of nodes'
    return n


def main():
    assert 1 <= MIN_DEPTH <= MAX_DEPTH <= STRETCH_DEPTH <= 24
    assert 1 <= LONG_LIVED_DEPTH <= 24
    total = 0

    tree = make_tree(STRETCH_DEPTH)
    total += walk_check(tree, STRETCH_DEPTH)
    tree = None

    long_lived = new_leaf()
    populate(LONG_LIVED_DEPTH, long_lived)
    array = bytearray(8000)
    assert len(array) == 8 * ARRAY_SIZE

    for d in range(MIN_DEPTH, MAX_DEPTH + 1, 2):
        iters = 2 * tree_size(STRETCH_DEPTH) // tree_size(d)
        for i in range(iters):
            tree = new_leaf()
            populate(d, tree)
            total += walk_check(tree, d)
            tree = None
        for i in range(iters):
            tree = make_tree(d)
            total += walk_check(tree, d)
            tree = None

    total += walk_check(long_lived, LONG_LIVED_DEPTH)
    return total


print(main())
