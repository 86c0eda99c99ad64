# f-strings with int and str values: {value}, {value!r}, {value!s}, {{ and
# }}, any expression inside (calls, indexing, arithmetic, quotes of the
# other kind), and triple-quoted ones.
# engines: every
n = 3
name = 'ring'
items = [1, 'two', None]
print(f'{n} {name}s')
print(f"{name!r} has {len(name)} letters; {n * 2 + 1} = odd")
print(f'{items} {items[1]!r} {items[1]!s} {{braces}} {n}}}')
print(f'{"quoted"} and {f"{n}"}')
print(f'', f'plain', f'{n}')
d = {'k': 5}
print(f"{d['k']} {d} {(n, name)}")


def label(gen, count):
    return f'gen{gen}: {count} objects'


for g in range(2):
    print(label(g, g * 100))
print(f'''multi
{name}
line''')
print(f'{n}' == '3', f'{-n}')
