print('ran')
class A:
    def __init__(self):
        super().__init__()
