# gc.freeze() at module level: at shutdown CPython never collects the frozen
# module dict, so no __del__ of a global runs, before or after the freeze
# (and the objects are left: the run's leak count says so).
# engines: rcgen
# expect-leak rcgen: 6
import gc

class D:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print('del', self.tag)

a = D('before-freeze')
gc.freeze()
b = D('after-freeze')
print('end')
