# A failing assert with a message shows both.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:6: assertion failed: x is None: x was set
x = 1
assert x is None, 'x was set'
