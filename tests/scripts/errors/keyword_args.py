print('ran')
print(1, end='')
