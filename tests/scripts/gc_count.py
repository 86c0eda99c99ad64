# gc.get_count after a full collection, then after allocating containers.
# engines: rcgen rcinc
import gc
gc.collect()
keep = []
for i in range(50):
    keep.append([])
c = gc.get_count()
print(len(c), c[0] >= 50, c[1], c[2])
