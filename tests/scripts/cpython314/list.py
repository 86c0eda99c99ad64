# test_gc.py: test_list — a list holding itself is found by gc.collect().
# expect-stdout: ok
import gc
gc.disable()
gc.collect()
l = []
l.append(l)
gc.collect()
del l
assert gc.collect() == 1
print('ok')
