print('ran')
import gc
gc.nothing()
