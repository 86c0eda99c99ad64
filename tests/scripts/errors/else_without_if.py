print('ran')
else:
    pass
