print('ran')
print(end='', 1)
