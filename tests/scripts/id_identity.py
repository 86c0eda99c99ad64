# id() is the same for the same object and differs between live objects.
# engines: every
a = []
b = a
c = []
print(id(a) == id(b), id(a) == id(c), a is b, a is c, a is not c)
print(id(None) == id(None))
