print('ran')
class C:
    def __repr__(self):
        return 'c'
