# gc.callbacks are called with ('start', info) and ('stop', info) around a collection.
# engines: every collects_cycles
# compare: rcgen rcinc
import gc
seen = []
def cb(phase, info):
    seen.append([phase, info['generation'], info.get('collected')])
gc.callbacks.append(cb)
a = []
a.append(a)
del a
gc.collect()
gc.callbacks.pop()
print(seen)
