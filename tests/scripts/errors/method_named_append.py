print('ran')
class C:
    def append(self, x):
        pass
