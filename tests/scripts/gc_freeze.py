# gc.freeze moves everything to a permanent generation; unfreeze brings it back.
# engines: every freeze
import gc
keep = [[], [], []]
gc.freeze()
print(gc.get_freeze_count() > 0)
gc.unfreeze()
print(gc.get_freeze_count())
