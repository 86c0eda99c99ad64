# Runtime error: division by zero.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:6: ZeroDivisionError: integer division or modulo by zero
x = 0
print(10 // x)
