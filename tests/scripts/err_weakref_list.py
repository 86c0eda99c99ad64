# Runtime error: lists cannot be weakly referenced.
# engines: every
# expect-exit: 1
# expect-stderr: FILE:6: TypeError: cannot create weak reference to 'list' object
import weakref
r = weakref.ref([])
