print('ran')
s = '''doc'''
