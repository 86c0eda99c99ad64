# Runtime error: 'in' on an int.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:5: TypeError: argument of type 'int' is not iterable
print(1 in 5)
