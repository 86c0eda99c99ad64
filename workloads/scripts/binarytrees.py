# binarytrees.py — the Computer Language Benchmarks Game's binary-trees as a
# heap script: the twin of workloads/binarytrees.c, at the size of
# tests/sh/test_workload_scripts.sh (gclab run -w binarytrees -p depth=6).
#
# A stretch tree of depth max+1 is built, checked and dropped; a long-lived
# tree of depth max is built; then for each depth d from 4 to max in steps of
# 2, 2^(max-d+4) trees of depth d are built, checked and dropped one at a
# time; finally the long-lived tree is checked. A node is a 2-tuple
# (left, right); a leaf is (None, None); check(node) is the number of nodes.
# max = max(6, DEPTH). The last line printed is `result`: the sum of every
# check value. Nothing differs from binarytrees.c.

DEPTH = 6
MIN_DEPTH = 4


def make_tree(depth):
    if depth == 0:
        return (None, None)
    return (make_tree(depth - 1), make_tree(depth - 1))


def check_tree(node):
    if node[0] is None:
        return 1
    return 1 + check_tree(node[0]) + check_tree(node[1])


def main():
    assert DEPTH <= 30, 'depth is too large (at most 30)'
    max_depth = MIN_DEPTH + 2
    if DEPTH > max_depth:
        max_depth = DEPTH
    total = 0

    tree = make_tree(max_depth + 1)
    total += check_tree(tree)
    tree = None

    long_lived = make_tree(max_depth)
    for d in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 1
        for k in range(max_depth - d + MIN_DEPTH):
            iterations = iterations * 2
        s = 0
        for i in range(iterations):
            tree = make_tree(d)
            s += check_tree(tree)
            tree = None
        total += s
    total += check_tree(long_lived)
    long_lived = None
    return total


print(main())
