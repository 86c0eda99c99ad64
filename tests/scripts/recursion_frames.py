# Recursion pushes one frame per call; each frame holds its own locals.
# engines: every
def depth(n):
    if n == 0:
        return 0
    return depth(n - 1) + 1
def build(n):
    if n == 0:
        return []
    inner = build(n - 1)
    return [inner]
print(depth(500))
x = build(300)
d = 0
while len(x) > 0:
    x = x[0]
    d += 1
print(d)
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
print(fib(15))
