# Runtime error: a for loop over an int.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:5: TypeError: 'int' object is not iterable
for x in 5:
    print(x)
