# Runtime error: an exception raised and not caught ends the run.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:8: ValueError: bad value
try:
    print('in try')
finally:
    raise ValueError('bad value')
