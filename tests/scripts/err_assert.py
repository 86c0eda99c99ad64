# A failing assert exits 1 with its source text.
# engines: rc rcgen marksweep nogc
# expect-exit: 1
# expect-stderr: FILE:7: assertion failed: len(x) == 3
x = [1, 2]
assert len(x) == 2
assert len(x) == 3
