# Runtime error: a keyword argument the function has no parameter for.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:10: TypeError: grow() got an unexpected keyword argument 'size'
def grow(l, n=1):
    return l + [None] * n


print(len(grow([], n=3)))
print(grow([], size=2))
