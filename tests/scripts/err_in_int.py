# Runtime error: 'in' on an int.
# engines: rc rcgen marksweep nogc
# expect-exit: 1
# expect-stderr: FILE:5: TypeError: argument of type 'int' is not iterable
print(1 in 5)
