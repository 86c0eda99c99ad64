# test_gc.py: test_freeze and test_traverse_frozen_objects — freeze moves
# everything to the permanent generation; a cycle made after it that points
# at a frozen list is still collected.
# expect-stdout: ok
import gc
gc.freeze()
assert gc.get_freeze_count() > 0
gc.unfreeze()
assert gc.get_freeze_count() == 0
x = [1, 2, 3]
gc.freeze()
y = [x]
y.append(y)
del y
assert gc.collect() == 1
gc.unfreeze()
print('ok')
