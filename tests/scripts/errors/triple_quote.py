print('ran')
s = '''doc

