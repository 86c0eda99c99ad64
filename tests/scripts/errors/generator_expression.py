print('ran')
l = [1, 2]
t = tuple(x for x in l)
