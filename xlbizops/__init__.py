"""xlbizops: e-commerce operations analytics for Excel.

``xlbizops.core`` holds the computations, ``xlbizops.udfs`` the Excel functions,
``xlbizops.report`` the headless workbook builder and ``xlbizops.cli`` the command line.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xlbizops")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
