# Runtime error: a for loop over an int.
# engines: rc rcgen marksweep nogc
# expect-exit: 1
# expect-stderr: FILE:5: TypeError: 'int' object is not iterable
for x in 5:
    print(x)
