print('ran')
import gc
gc.is_finalized(1, 2)
