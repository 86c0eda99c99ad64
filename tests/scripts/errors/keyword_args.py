print('ran')
print(1, flush=True)
