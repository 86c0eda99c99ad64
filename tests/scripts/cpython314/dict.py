# test_gc.py: test_dict — a dict holding itself.
# expect-stdout: ok
import gc
gc.disable()
gc.collect()
d = {}
d[1] = d
gc.collect()
del d
assert gc.collect() == 1
print('ok')
