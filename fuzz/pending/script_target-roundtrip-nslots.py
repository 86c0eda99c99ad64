def f(a, _3b):
 
    gg = a
    gg = a
   