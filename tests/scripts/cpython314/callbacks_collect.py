# test_gc.py: GCCallbackTests.test_collect and test_collect_generation — two
# callbacks, each called at start and stop of gc.collect(), with generation,
# collected and uncollectable in the info dict; collect(2) reports 2.
# Ported: `"generation" in info` is a read of the key.
# expect-stdout: ok
import gc
gc.disable()
visit = []
def cb1(phase, info):
    visit.append([1, phase, info['generation'], info['collected'], info['uncollectable']])
def cb2(phase, info):
    visit.append([2, phase, info['generation'], info['collected'], info['uncollectable']])
gc.callbacks.append(cb1)
gc.callbacks.append(cb2)
gc.collect()
visit = []
gc.collect()
n1 = 0
n2 = 0
starts = 0
stops = 0
for i in range(len(visit)):
    v = visit[i]
    if v[0] == 1:
        n1 += 1
    if v[0] == 2:
        n2 += 1
    if v[1] == 'start':
        starts += 1
    if v[1] == 'stop':
        stops += 1
assert n1 == 2 and n2 == 2
assert starts == 2 and stops == 2
visit = []
gc.collect(2)
for i in range(len(visit)):
    assert visit[i][2] == 2
gc.callbacks.pop()
gc.callbacks.pop()
print('ok')
