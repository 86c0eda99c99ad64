# Functions and classes are weakly referenceable and die with their last name.
# engines: every
# compare: every refcounts
import weakref
def f():
    return 1
class K:
    pass
rf = weakref.ref(f)
rk = weakref.ref(K)
print(rf() is f, rk() is K)
del f
print(rf())
