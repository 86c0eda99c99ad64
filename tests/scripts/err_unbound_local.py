# Runtime error: a local read before it is assigned.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:6: UnboundLocalError: cannot access local variable 'v' where it is not associated with a value
def u():
    print(v)
    v = 1
u()
