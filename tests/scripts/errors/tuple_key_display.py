print('ran')
d = {(1, 2): 3}
