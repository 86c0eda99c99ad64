raise ValueError('a', 'b')
