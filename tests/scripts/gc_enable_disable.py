# gc.enable / gc.disable / gc.isenabled.
# engines: rc rcgen marksweep nogc
import gc
print(gc.isenabled())
gc.disable()
print(gc.isenabled())
gc.enable()
print(gc.isenabled())
