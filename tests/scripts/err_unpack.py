# Runtime error: unpacking three values into two names.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:5: ValueError: too many values to unpack (expected 2)
a, b = [1, 2, 3]
