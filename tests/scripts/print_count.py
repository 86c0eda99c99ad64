# print allocates as CPython 3.11's does (core/ops.c op_print): the first
# print ever makes its keyword-name tuple (kept), each call packs its
# positional arguments in a tuple (from the tuple free list when it can),
# each write makes and frees a bound `write` method, and a buffered stdout
# (a pipe, PYTHONUNBUFFERED unset) keeps a pending list from its second
# pending write. The figures differ between the buffering modes; gclab reads
# the mode as CPython does, so this prints what python3 -S prints in both
# (test_scripts.sh runs it with PYTHONUNBUFFERED=1 and without).
# stdout-modes: both
# engines: rcgen
# (leaked: the frozen module dict and what it holds, as shutdown_frozen.py)
# expect-leak rcgen: 3
import gc
gc.freeze()
gc.collect()
print(1)
print(gc.get_count())
r = []
r.append(gc.get_count()[0])
print()
r.append(gc.get_count()[0])
print(1, 2)
r.append(gc.get_count()[0])
print(1, 2, 3, 4, 5)
r.append(gc.get_count()[0])
print(1, end='')
r.append(gc.get_count()[0])
print(1, 2, sep='-')
r.append(gc.get_count()[0])
x = []
r.append(gc.get_count()[0])
print(r)
