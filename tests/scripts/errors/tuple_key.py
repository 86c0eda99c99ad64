print('ran')
d = {}
d[(1, 2)] = 3
