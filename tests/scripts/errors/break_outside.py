print('ran')
break
