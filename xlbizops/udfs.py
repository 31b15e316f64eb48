"""The Excel functions' public import path.

Classic xlwings reads ``UDF Modules = xlbizops.udfs``; an xlwings Lite workbook's
``main.py`` may ``from xlbizops.udfs import *``.  The functions are defined in
:mod:`xlbizops.excel.udfs`, beside their cell rules.
"""

from xlbizops.excel.udfs import *  # noqa: F403
from xlbizops.excel.udfs import __all__  # noqa: F401
