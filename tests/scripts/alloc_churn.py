# Allocation churn: a loop makes and drops lists, dicts and instances.
# engines: every
class C:
    pass
keep = None
for i in range(1000):
    x = [i, {'i': i}]
    c = C()
    c.x = x
    keep = c
print(keep.x[0], keep.x[1])
