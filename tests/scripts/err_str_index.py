# Runtime error: a str index past the end.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:7: IndexError: string index out of range
s = 'abc'
print(s[2], s[-3])
print(s[3])
