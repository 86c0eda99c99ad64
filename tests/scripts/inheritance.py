# Single inheritance: class B(A) finds methods and class attributes through
# A (B's own first), inherits __init__ and __del__ (a subclass of a class with
# __del__ has a finalizer: it runs when the instance dies, also in a cycle),
# isinstance follows the base, type() is exact, A.m(self) calls the base's
# method explicitly.
# engines: every collects_cycles
# compare: every refcounts
import gc

log = []


class Animal:
    legs = 4
    sound = 'generic'

    def __init__(self, name):
        self.name = name

    def describe(self):
        return self.name + ' has ' + str(self.legs) + ' legs and says ' + self.speak()

    def speak(self):
        return self.sound

    def __del__(self):
        log.append('del ' + self.name)


class Dog(Animal):
    sound = 'woof'


class Bird(Animal):
    legs = 2

    def __init__(self, name, wings):
        Animal.__init__(self, name)
        self.wings = wings

    def speak(self):
        return 'tweet x' + str(self.wings)


class Puppy(Dog):
    def speak(self):
        return Dog.speak(self) + '!'


d = Dog('rex')
b = Bird('tweety', 2)
p = Puppy('bit')
print(d.describe())
print(b.describe())
print(p.describe())
print(isinstance(p, Puppy), isinstance(p, Dog), isinstance(p, Animal), isinstance(d, Puppy), isinstance(b, Dog))
print(type(p) is Dog, type(p) is Puppy, type(p).__name__, Puppy.legs, Bird.legs, hasattr(p, 'speak'))
Animal.legs = 3
print(d.legs, b.legs, p.legs)
del d
print(log)
b.self_ref = b
del b
gc.collect()
print(log)
del p
print(log)
