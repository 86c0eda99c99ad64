# test_gc.py: test_get_count — after gc.collect() the old counts are 0 and
# young's is small; allocating a list raises it.
# expect-stdout: ok
import gc
gc.disable()
gc.collect()
c = gc.get_count()
x = []
d = gc.get_count()
assert c[1] == 0 and c[2] == 0
assert d[1] == 0 and d[2] == 0
assert c[0] < 5
assert d[0] > c[0]
print('ok')
