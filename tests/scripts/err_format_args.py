# Runtime error: a format string with more conversions than values.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:6: TypeError: not enough arguments for format string
print('%d-%d' % (1, 2))
print('%d-%d' % (1,))
