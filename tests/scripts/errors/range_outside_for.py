print('ran')
r = range(3)
