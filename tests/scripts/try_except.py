# try/except: one clause, a tuple of types, a bare except, several clauses
# (the first that matches runs), else (runs when nothing was raised), nested
# tries, exceptions raised in called functions and caught by a caller, and
# return inside try and except blocks.
# engines: every
def lookup(d, k):
    return d[k]

def deeper(d, k):
    v = lookup(d, k)
    print('not reached', v)
    return v

try:
    print('before')
    x = {}['a']
    print('not reached')
except KeyError:
    print('KeyError caught')

try:
    deeper({}, 'k')
except (IndexError, KeyError):
    print('caught from two frames down')
else:
    print('not reached')

try:
    print('nothing raised')
except ValueError:
    print('not reached')
else:
    print('else runs')

for i in range(4):
    try:
        if i == 0:
            [][1]
        if i == 1:
            1 // 0
        if i == 2:
            len(5)
        print(i, 'fine')
    except IndexError:
        print(i, 'IndexError')
    except ZeroDivisionError:
        print(i, 'ZeroDivisionError')
    except:
        print(i, 'bare except')

try:
    try:
        undefined_name
    except KeyError:
        print('not reached')
    print('not reached')
except NameError:
    print('NameError passed through the inner try')

def safe_div(a, b):
    try:
        return a // b
    except ZeroDivisionError:
        return -1

print(safe_div(7, 2), safe_div(7, 0))

def attr(o):
    try:
        return o.missing
    except AttributeError:
        print('AttributeError in a function')
    return 'fallback'

class C:
    pass

print(attr(C()))
try:
    int_value = 'a' + 1
except TypeError:
    print('TypeError')
try:
    a, b = [1, 2, 3]
except ValueError:
    print('ValueError')
try:
    assert 1 == 2, 'no'
except AssertionError:
    print('AssertionError')
total = 0
for k in ['a', 'b', 'c']:
    try:
        total += {'a': 1, 'c': 3}[k]
    except KeyError:
        total += 100
print(total)
