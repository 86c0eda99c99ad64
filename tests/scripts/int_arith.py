# ints: + - * // % with Python's floor rounding, unary minus, comparisons.
# engines: every
print(7 + 3, 7 - 10, 7 * -3, -7)
print(7 // 2, -7 // 2, 7 // -2, -7 // -2)
print(7 % 3, -7 % 3, 7 % -3, -7 % -3)
print(1 < 2, 2 <= 2, 3 > 4, 4 >= 5, 1 == 1, 1 != 1)
print(9223372036854775807, -9223372036854775808)
print(1 < 2 < 3, 1 < 3 < 2, 3 > 2 > 1 > 0)
print(True + 1, -True, 0x10)
x = 5
x += 2
x -= 1
x *= 3
x //= 4
x %= 3
print(x)
