# The repr of a dict, or of a non-empty list or tuple, calls Py_ReprEnter,
# whose first use makes the thread state's dict and a list in it (two
# objects, kept): list_repr and tuplerepr return "[]" and "()" before it,
# dict_repr only after it. str(), repr() and f-strings share it with print.
# engines: rcgen
# (leaked: the frozen module dict and what it holds, as shutdown_frozen.py)
# expect-leak rcgen: 5
import gc
gc.freeze()
gc.collect()
r = []
r.append(gc.get_count()[0])
s = str([])
r.append(gc.get_count()[0])
s = repr({})
r.append(gc.get_count()[0])
s = str((1, 2))
r.append(gc.get_count()[0])
s = str([1])
r.append(gc.get_count()[0])
s = f'{[2]}'
r.append(gc.get_count()[0])
objs = gc.get_objects()
kinds = [type(o).__name__ for o in objs]
del objs
print(r, kinds)
