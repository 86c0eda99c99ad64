# test_gc.py: test_tuple — since tuples are immutable the loop is closed with a list.
# expect-stdout: ok
import gc
gc.disable()
gc.collect()
l = []
t = (l,)
l.append(t)
gc.collect()
del t
del l
assert gc.collect() == 2
print('ok')
