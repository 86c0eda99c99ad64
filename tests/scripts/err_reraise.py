# Runtime error: a bare raise in a handler re-raises the exception, located
# where it was first raised; the finally block runs on the way out.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:8: KeyError: 'missing'
def get(d):
    try:
        v = d['missing']
    finally:
        print('finally in get')
    return v
try:
    get({})
except KeyError:
    print('handler')
    raise
