"""Keep every Excel function's failure inside its cell as one readable line."""

from __future__ import annotations

import functools
import logging

from xlbizops.core.errors import InputError

log = logging.getLogger("xlbizops")
MAX_MESSAGE = 255  # what a cell shows comfortably; Excel's function-wizard limit too


def excel_function(func):
    """Return ``"NAME: message"`` instead of raising, so a cell never shows a traceback.

    :class:`InputError` carries a message written for the user.  Anything else is a
    bug or an exhausted machine: the cell says so in one line and the traceback goes
    to the ``xlbizops`` log (xlwings' log file on Windows).
    """

    @functools.wraps(func)
    def cell_safe(*args):
        try:
            return func(*args)
        except InputError as err:
            message = str(err)
        except MemoryError:
            message = "not enough memory for this range; use a smaller range"
        except Exception as err:  # noqa: BLE001 - the cell must show a message, not crash
            log.exception("%s failed", func.__name__)
            message = f"unexpected {type(err).__name__}: {err} (please report this)"
        text = f"{func.__name__}: {message}".replace("\n", " ")
        return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."

    return cell_safe
