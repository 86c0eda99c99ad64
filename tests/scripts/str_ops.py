# str: concatenation, comparison, len, and how print quotes strings inside containers.
# engines: every
a = 'ab'
b = a + 'cd'
print(b, len(b))
print(a < b, 'b' > 'abc', a == 'ab', a != 'ab')
print(['x', "it's", 'say "hi"', 'both \' "', 'tab\tnew\nline', '\\'])
print('x\n' + 'y')
print({'key': 'value'})
print('')
print('' == '', len(''))
