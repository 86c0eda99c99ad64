print('ran')
a, b = 1, 2
