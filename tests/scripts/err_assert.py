# A failing assert exits 1 with its source text.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:7: assertion failed: len(x) == 3
x = [1, 2]
assert len(x) == 2
assert len(x) == 3
