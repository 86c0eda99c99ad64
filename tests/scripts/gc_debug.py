# gc.get_debug() returns what gc.set_debug() set; DEBUG_SAVEALL keeps the
# unreachable objects of a collection in gc.garbage (instead of freeing them).
# engines: every debug_saveall
import gc

first = gc.get_debug()
gc.set_debug(gc.DEBUG_SAVEALL)
saveall = gc.get_debug()
a = []
b = [a]
a.append(b)
del a, b
found = gc.collect()
kept = len(gc.garbage)
gc.set_debug(0)
last = gc.get_debug()
del gc.garbage[:]
print(first, saveall, gc.DEBUG_SAVEALL, last)
print(found, kept)
