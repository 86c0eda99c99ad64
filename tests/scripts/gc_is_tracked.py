# gc.is_tracked: the engine's tracking, as CPython 3.11: ints, strs, None and
# the empty tuple never; a dict from its first container value on; a tuple of
# atoms until a collection untracks it; lists and instances always.
# gc.is_finalized: False until the __del__ ran, True after (a resurrected
# object keeps the flag, and its __del__ does not run again).
# engines: rcgen
import gc

saved = []


class Phoenix:
    def __del__(self):
        saved.append(self)


class Plain:
    pass


d = {'a': 1}
d_before = gc.is_tracked(d)
d['b'] = []
d_after = gc.is_tracked(d)
t = (1, 'two')
u = (1, [])
t_before = gc.is_tracked(t)
gc.collect()
t_after = gc.is_tracked(t)
u_after = gc.is_tracked(u)
p = Phoenix()
fin_before = gc.is_finalized(p)
del p
fin_after = gc.is_finalized(saved[0])
q = saved.pop()
del q
print(gc.is_tracked(1), gc.is_tracked('s'), gc.is_tracked(None), gc.is_tracked(()))
print(gc.is_tracked([]), gc.is_tracked(Plain()), gc.is_tracked(Plain), gc.is_tracked({}))
print(d_before, d_after, t_before, t_after, u_after)
print(fin_before, fin_after, len(saved), gc.is_finalized(Plain()))
