# A weak reference does not keep its object alive; once it dies, calling it gives None.
# engines: every
# compare: every frees precise
import gc
import weakref
class C:
    pass
c = C()
r = weakref.ref(c)
print(r() is c)
del c
gc.collect()
print(r() is None)
print(r())
