print('ran')
return 1
