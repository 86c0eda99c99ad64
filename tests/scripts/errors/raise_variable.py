x = 1
raise x
