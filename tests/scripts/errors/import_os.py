print('ran')
import os
