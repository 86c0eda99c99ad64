print('ran')
l = [3, 1]
l.sort()
