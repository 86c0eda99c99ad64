print('ran')
from gc import collect
