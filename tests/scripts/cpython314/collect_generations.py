# test_gc.py: test_collect_generations — a list "trickles" into the old
# generation after gc.collect(0): get_count()[1:] is (1, 0).
# expect-stdout: ok
import gc
gc.disable()
gc.collect()
x = []
gc.collect(0)
c = gc.get_count()
assert c[1] == 1 and c[2] == 0
print('ok')
