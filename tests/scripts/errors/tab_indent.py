print('ran')
if True:
	pass
