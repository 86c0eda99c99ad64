# test_gc.py: test_get_stats — three dicts; collect(0) counts in generation 0
# only, collect(2) in generation 2 only. Ported: the key-set check reads the
# three keys instead.
# expect-stdout: ok
import gc
stats = gc.get_stats()
assert len(stats) == 3
for i in range(3):
    st = stats[i]
    assert st['collected'] >= 0 and st['collections'] >= 0 and st['uncollectable'] >= 0
gc.disable()
old = gc.get_stats()
gc.collect(0)
new = gc.get_stats()
assert new[0]['collections'] == old[0]['collections'] + 1
assert new[1]['collections'] == old[1]['collections']
assert new[2]['collections'] == old[2]['collections']
gc.collect(2)
new = gc.get_stats()
assert new[0]['collections'] == old[0]['collections'] + 1
assert new[1]['collections'] == old[1]['collections']
assert new[2]['collections'] == old[2]['collections'] + 1
print('ok')
