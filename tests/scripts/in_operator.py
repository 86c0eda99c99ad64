# `in` and `not in` on lists and tuples (identity, then ==), dict keys and
# substrings of strs.
# engines: every
a = [1, 'x', None]
o = [5]
print(1 in a, 'x' in a, 2 in a, 2 not in a, None in a)
print(o in [o], o in (o,), 3 in (1, 2, 3), 4 not in (1, 2, 3))
d = {'k': 1, 7: 2}
print('k' in d, 7 in d, 'z' in d, 'z' not in d)
print('ell' in 'hello', 'x' in 'hello', '' in 'a', 'lo' not in 'hello')
if 'x' in a and 3 not in a:
    print('both')
