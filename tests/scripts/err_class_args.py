# Runtime error: a class without __init__ called with arguments.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:7: TypeError: D() takes no arguments
class D:
    pass
d = D(1)
