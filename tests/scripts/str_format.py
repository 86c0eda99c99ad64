# printf-style `%` formatting of strs with ints and strs: d i x X o c s r
# and %%, flags - + space 0, widths and precisions, one value or a tuple.
# engines: every
n = 42
print('%d items' % n)
print('%s and %r' % ('a', 'b'))
print('[%5d] [%-5d] [%05d] [%+d] [% d] [%.3d]' % (n, n, n, n, n, 7))
print('%x %X %o %c %c' % (255, 255, 8, 65, 'z'))
print('[%6s] [%-6s] [%.2s]' % ('abc', 'abc', 'abc'))
print('%d%%' % 50, '%s' % [1, 'x'], '%s' % (None,), '%r' % ((1, 2),))
print('%d' % -7, '%5d|' % -7, '%05d' % -7, '%d' % True)
print('no values' % ())
label = 'gen'
for g in range(3):
    print('%s%d: %3d objects' % (label, g, g * 10))
