# Runtime error: index out of range exits 1 with the line and CPython's message.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:7: IndexError: list index out of range
l = [1]
print(l[0])
print(l[5])
print('not reached')
