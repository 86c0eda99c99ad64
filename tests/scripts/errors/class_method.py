print('ran')
class C:
    def method(self):
        pass
