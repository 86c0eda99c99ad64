# test_gc.py: test_gc_main_module_at_shutdown — a cycle through the main
# module's globals is collected at shutdown, its __del__ runs.
# expect-stdout: __del__ called
class C:
    def __del__(self):
        print('__del__ called')
l = [C()]
l.append(l)
