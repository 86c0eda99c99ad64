# Runtime error: inside a comprehension's element (located at its line).
# engines: every
# expect-exit: 1
# expect-stderr: FILE:7: ZeroDivisionError: integer division or modulo by zero
l = [3, 2, 1, 0]
print([10 // x for x in l if x > 1])
print([10 // x for x in l])
