print('ran')
s = 'abc
