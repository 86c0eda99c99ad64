# Runtime error: an attribute of an int, named in the message as CPython names it.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:6: AttributeError: 'int' object has no attribute 'size'
x = 5
print(x.size)
