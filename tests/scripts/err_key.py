# Runtime error: a missing dict key.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:6: KeyError: 'x'
d = {'y': 1}
print(d['x'])
