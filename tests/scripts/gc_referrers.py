# gc.get_referrers(*objs): every tracked object (generations 0, 1, 2 in list
# order) that refers to one of the objects; the argument tuple and the result
# are not among them, frozen objects are not searched, frames are not objects.
# engines: rcgen
import gc


class Box:
    pass


t = Box()
gc.collect()
old = [t]
gc.collect(0)
young = [t, t]
pair = (t, 1)
holder = Box()
holder.item = t
r = gc.get_referrers(t)
names = []
for x in r:
    if x is old:
        names.append('old')
    elif x is young:
        names.append('young')
    elif x is pair:
        names.append('pair')
    elif x is holder:
        names.append('holder')
    elif isinstance(x, dict):
        names.append('dict')
    else:
        names.append('other')
both = gc.get_referrers(old, young)


def local_only():
    u = Box()
    w = [u]
    return len(gc.get_referrers(u)) == 1 and gc.get_referrers(u)[0] is w


gc.freeze()
frozen = gc.get_referrers(t)
gc.unfreeze()
print(names)
print(len(both), both[0] is both[1])
print(local_only(), len(frozen))
