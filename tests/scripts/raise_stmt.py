# raise NAME, raise NAME(arg), bare raise in a handler (also from a function
# the handler calls), and the built-in hierarchy: LookupError, ArithmeticError,
# RuntimeError (RecursionError too), Exception and BaseException as catch-alls.
# engines: every
try:
    raise ValueError
except ValueError:
    print('raise ValueError')
try:
    raise TypeError('bad type')
except TypeError:
    print('raise TypeError(msg)')
try:
    raise KeyError(7)
except LookupError:
    print('KeyError is a LookupError')
try:
    raise IndexError()
except LookupError:
    print('IndexError is a LookupError')
try:
    raise ZeroDivisionError('x')
except ArithmeticError:
    print('ZeroDivisionError is an ArithmeticError')
try:
    raise OverflowError
except ArithmeticError:
    print('OverflowError is an ArithmeticError')
try:
    raise RecursionError
except RuntimeError:
    print('RecursionError is a RuntimeError')
try:
    raise AttributeError('a')
except Exception:
    print('Exception catches AttributeError')
try:
    raise NameError('n')
except BaseException:
    print('BaseException catches NameError')
try:
    raise AssertionError
except AssertionError:
    print('raise AssertionError')

def reraise():
    raise

try:
    try:
        raise KeyError('k')
    except KeyError:
        print('handling, then raise again')
        raise
except KeyError:
    print('re-raised KeyError caught outside')

try:
    try:
        [][5]
    except IndexError:
        reraise()
except IndexError:
    print('bare raise in a called function re-raises the handled one')

try:
    raise
except RuntimeError:
    print('bare raise with nothing handled is a RuntimeError')

def down(n):
    return down(n + 1)

try:
    down(0)
except RecursionError:
    print('RecursionError caught')

try:
    try:
        raise ValueError('inner')
    except TypeError:
        print('not reached')
except ValueError:
    print('unmatched clauses re-raise')

def check(n):
    if n < 0:
        raise ValueError(n)
    return n

count = 0
for i in range(-3, 3):
    try:
        count += check(i)
    except ValueError:
        count -= 10
print(count)
