print('ran')
gc.collect()
