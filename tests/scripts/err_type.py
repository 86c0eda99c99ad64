# Runtime error: int + str, raised inside a function called from the module.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:6: TypeError: unsupported operand type(s) for +: 'int' and 'str'
def f(a, b):
    return a + b
print(f(1, 2))
print(f(1, 'x'))
