# try/finally: the finally block runs when nothing is raised and when an
# exception passes through it (which then goes on to an outer handler);
# try/except/else/finally in one statement; a def inside a finally block.
# engines: every
try:
    print('body')
finally:
    print('finally after a normal body')

try:
    try:
        print('raising')
        {}[1]
    finally:
        print('finally while KeyError passes')
    print('not reached')
except KeyError:
    print('outer caught it')

def f(n):
    try:
        v = 10 // n
    except ZeroDivisionError:
        print('f: zero')
        v = 0
    else:
        print('f: else')
    finally:
        print('f: finally')
    return v

print(f(5))
print(f(0))

def g():
    try:
        [][0]
    finally:
        print('g: finally')

try:
    g()
except IndexError:
    print('IndexError from g after its finally')

try:
    try:
        1 // 0
    except ZeroDivisionError:
        print('handler raises')
        [][0]
    finally:
        print('finally after the handler raised')
except IndexError:
    print('the new exception reached the outer handler')

try:
    pass
finally:
    def h():
        return 'defined in finally'
print(h())
