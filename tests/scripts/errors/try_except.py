print('ran')
try:
    pass
except:
    pass
