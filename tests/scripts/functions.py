# def with positional parameters, return values, implicit None, calls as arguments.
# engines: every
def add(a, b):
    return a + b
def nothing():
    pass
def early(x):
    if x:
        return 'early'
    return
print(add(1, 2), add(add(1, 2), add(3, 4)))
print(nothing(), early(1), early(0))
def make(n):
    return [n, [n]]
print(make(3))
f = add
print(f(10, 20))
