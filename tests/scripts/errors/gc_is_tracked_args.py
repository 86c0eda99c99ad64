print('ran')
import gc
x = gc.is_tracked()
