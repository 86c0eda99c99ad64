print('ran')
l = [1, 2]
l[0:1] = [3]
