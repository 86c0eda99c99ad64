# test_gc.py: test_trashcan — deeply nested lists and dicts of instances
# whose __del__ runs gc.collect() every 17th call. Ported: Ouch.n (a class
# attribute) is a global.
# expect-stdout: ok
import gc
n = 0
class Ouch:
    def __del__(self):
        global n
        n = n + 1
        if n % 17 == 0:
            gc.collect()
gc.enable()
N = 150
for count in range(2):
    t = []
    for i in range(N):
        t = [t, Ouch()]
    u = []
    for i in range(N):
        u = [u, Ouch()]
    v = {}
    for i in range(N):
        v = {1: v, 2: Ouch()}
t = None
u = None
v = None
gc.collect()   # (unittest's teardown does this: no __del__ may outlive the globals)
gc.disable()
print('ok')
