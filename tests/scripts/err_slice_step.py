# Runtime error: a slice with a zero step.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:8: ValueError: slice step cannot be zero
l = [1, 2, 3]
print(l[::2])
step = 0
print(l[::step])
