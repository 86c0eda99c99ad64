# gc.get_stats: one dict per generation with collections, collected, uncollectable.
# engines: rcgen rcinc
import gc
gc.collect()
before = gc.get_stats()
a = []
a.append(a)
del a
found = gc.collect()
after = gc.get_stats()
print(len(after), found)
print(after[2]['collected'] - before[2]['collected'], after[2]['uncollectable'])
print(after[2]['collections'] - before[2]['collections'])
