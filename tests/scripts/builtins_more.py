# str(), repr(), hasattr() and isinstance() on the subset's values.
# engines: every
class P:
    kind = 'p'

    def __init__(self):
        self.x = 1

    def m(self):
        return 2


p = P()
print(str(12), str('ab'), repr('ab'), str([1, 'a', (None,)]), repr({'k': [2]}), str(), str(True))
print(len(str(-45)), str(None) + '!', repr(7) == '7')
print(hasattr(p, 'x'), hasattr(p, 'm'), hasattr(p, 'kind'), hasattr(p, 'y'), hasattr(P, 'm'))
print(isinstance(1, int), isinstance(True, int), isinstance(1, bool), isinstance('s', str))
print(isinstance([], list), isinstance((), tuple), isinstance({}, dict), isinstance([], dict))
print(isinstance(p, P), isinstance(P, P), isinstance(1, P))
