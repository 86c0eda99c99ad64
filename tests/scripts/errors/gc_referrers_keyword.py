print('ran')
import gc
x = gc.get_referrers(o=1)
