print('ran')
@staticmethod
def f():
    pass
