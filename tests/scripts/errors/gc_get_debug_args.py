print('ran')
import gc
print(gc.get_debug(1))
