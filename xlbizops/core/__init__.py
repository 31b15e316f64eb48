"""Pure computations, one module per operational area.

No Excel, no files, no printing: arrays and frames in, plain results out.
Every validation failure raises :class:`xlbizops.core.errors.InputError`.
"""

from xlbizops.core.errors import InputError

__all__ = ["InputError"]
