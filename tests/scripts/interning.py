# Small ints (-5..256) and identifier-like literals are shared objects.
# engines: every
a = 256
b = 256
assert a is b
c = -5
d = -5
assert c is d
s = 'hello'
t = 'hello'
assert s is t
assert None is None
assert True is not False
print(a is b, s is t)
