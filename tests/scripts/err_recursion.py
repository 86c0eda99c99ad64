# Runtime error: unbounded recursion hits the depth limit (1000 frames, CPython's default).
# engines: every
# expect-exit: 1
# expect-stderr: FILE:6: RecursionError: maximum recursion depth exceeded
def r(n):
    return r(n + 1)
r(0)
