print('ran')
l = [1, 2]
x = l[0:1]
