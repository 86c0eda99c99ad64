# C.__base__ reads a class's base; an instance has no __base__ (it is
# type's attribute, not one the class dict holds): hasattr is False and
# reading it is an AttributeError (err_instance_base.py).
# engines: every
class A:
    pass


class B(A):
    def m(self):
        return hasattr(self, '__base__')


b = B()
print(B.__base__ is A, hasattr(b, '__base__'), b.m(), hasattr(B, '__base__'))
try:
    b.__base__
except AttributeError:
    print('no __base__ on an instance')
