# dict: display, insertion order, get with and without default, del, len, int keys, pop.
# engines: every
d = {'b': 1, 'a': 2}
d['c'] = 3
d[10] = 'ten'
print(d)
print(d['a'], d.get('zz'), d.get('zz', 0), d.get(10))
del d['b']
print(d, len(d))
d['b'] = [1]
print(d)
print(d.pop('a'), d)
print({})
