# Inside a function a local is one reference, as a global is at module level.
# engines: every refcounts
import sys
def f():
    x = []
    y = x
    n = sys.getrefcount(x)
    del y
    return [n, sys.getrefcount(x)]
print(f())
def g():
    x = [[]]
    inner = x[0]
    return sys.getrefcount(inner)
print(g())
