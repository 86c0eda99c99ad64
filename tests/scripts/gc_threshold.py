# gc.get_threshold defaults to CPython's (700, 10, 10); set_threshold changes it.
# engines: every refcounts collects_cycles
# compare: rcgen
import gc
print(gc.get_threshold())
gc.set_threshold(100, 5, 3)
print(gc.get_threshold())
gc.set_threshold(700, 10, 10)
