print('ran')
print(f'{1 +}')
