# Runtime error: list.index of a value the list does not hold.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:7: ValueError: 5 is not in list
l = [1, 2, 3]
print(l.index(3))
print(l.index(5))
