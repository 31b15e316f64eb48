"""Turn what Excel hands a UDF into core inputs, and results back into cells.

What arrives (xlwings with ``ndim=2, err_to_str=True``): a scalar or rows of cells,
each cell a float, a str, a bool, a ``datetime`` (date-formatted cells), ``None``
(blank) or an error as text ("#N/A").  Python callers may also pass 1-D lists
(read as a column), NumPy arrays or ints.

The rules, the same for every function (README, "Blank cells and bad values"):

- Blank means an empty cell, ``None``, or text that is empty or only spaces.
- Rows after the last non-blank row are dropped, so whole-column references such
  as ``A:A`` work.  Inside the data, a row blank in *every* argument is skipped
  (its result cell is blank); a row blank in *some* arguments is an error that
  names the argument and the row.
- Text where a number belongs, TRUE/FALSE, and Excel errors are errors naming the
  argument, the row (counted from the first cell of the range) and the value.
  Numbers stored as text are not guessed at.
- Dates: date cells, Excel serial numbers (1900 system) or ISO text "2024-03-31".
- Numbers, dates and flags are read by the order log's one parser per kind
  (``orderlog.values``), with the options that say what a cell accepts.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from xlbizops.core.errors import InputError
from xlbizops.orderlog import values
from xlbizops.orderlog.values import flag_of

EXCEL_ERRORS = frozenset(
    [
        "#N/A",
        "#DIV/0!",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#REF!",
        "#VALUE!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#PYTHON!",
    ]
)
# Without err_to_str, Windows Excel hands errors over as these COM codes (ints).
_COM_ERROR_CODES = range(-2146826300, -2146826200)
_SERIAL_1970 = 25569.0  # Excel serial of 1970-01-01 in the 1900 date system
_FIRST_SERIAL = 61.0  # 1900-03-01; below it Excel's 1900 leap-year bug shifts dates
_LAST_SERIAL = 2958465.0  # 9999-12-31

_NUMBER_TYPES = (float, int)


def rows_of(value) -> list[list]:
    """Any argument as a list of rows of cells (a 1-D list is one column)."""
    if isinstance(value, pd.DataFrame | pd.Series | np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        if not value:
            return []
        if isinstance(value[0], list | tuple):
            return [list(r) for r in value]
        return [[c] for c in value]
    return [[value]]


def column(name: str, value) -> list:
    """A single-column (or single-row) range as a flat list of cells."""
    if isinstance(value, pd.DataFrame | pd.Series | np.ndarray):
        value = value.tolist()
    if not isinstance(value, list | tuple):
        return [value]
    if not value:
        return []
    if not isinstance(value[0], list | tuple):
        return list(value)  # 1-D: already a column
    if len(value) == 1:
        return list(value[0])
    width = len(value[0])
    if width != 1 or any(len(r) != 1 for r in value):
        raise InputError(f"{name} must be a single column (got {max(map(len, value))} columns)")
    return [r[0] for r in value]


def single(name: str, value):
    """One cell's value (a one-cell range is fine)."""
    rows = rows_of(value)
    if len(rows) != 1 or len(rows[0]) != 1:
        raise InputError(f"{name} must be a single cell")
    return rows[0][0]


def is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def all_blank(value) -> bool:
    """An optional argument left out, or a range of any shape with only blank cells."""
    return all(is_blank(c) for row in rows_of(value) for c in row)


def excel_serial(value: dt.date) -> float:
    """A date or datetime as an Excel serial number (1900 date system), the inverse of
    what :func:`dates` reads."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return _SERIAL_1970 + (value - dt.datetime(1970, 1, 1)).total_seconds() / 86400


def _error_text(cell) -> str | None:
    if isinstance(cell, str) and cell.strip().upper() in EXCEL_ERRORS:
        return cell.strip().upper()
    if type(cell) is int and cell in _COM_ERROR_CODES:
        return "an Excel error"
    return None


def _describe(cell) -> str:
    error = _error_text(cell)
    if error:
        return f"the error {error}"
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, dt.date):
        return f"the date {cell:%Y-%m-%d}"
    if isinstance(cell, str):
        text = cell if len(cell) <= 20 else cell[:17] + "..."
        return f"text '{text}'"
    return repr(cell)


def _reject(name: str, row: int, cell, wanted: str) -> InputError:
    return InputError(f"{name} row {row + 1} holds {_describe(cell)}, not {wanted}")


def numbers(name: str, cells: list) -> np.ndarray:
    """Cells as floats; blanks become NaN.  Read by the one number parser
    (``orderlog.values.numbers``) with its Excel option: only number cells are
    numbers (text, TRUE/FALSE and errors are refused, naming the row)."""
    kinds = set(map(type, cells))
    if kinds <= {float, int, type(None)} and (
        int not in kinds or not any(type(c) is int and c in _COM_ERROR_CODES for c in cells)
    ):
        return np.array(cells, dtype=float)  # None -> nan (the parser's fast path, inline)
    column = pd.Series(cells, dtype=object)
    read = values.numbers(column, text_numbers=False, largest=None).to_numpy(float)
    refused = np.isnan(read) & ~column.map(is_blank).to_numpy(bool)
    refused |= column.map(_error_text).notna().to_numpy(bool)  # COM error codes are ints
    if refused.any():
        i = int(np.flatnonzero(refused)[0])
        raise _reject(name, i, cells[i], "a number")
    return read


def _serials_to_datetimes(name: str, serials: np.ndarray) -> np.ndarray:
    bad = np.isfinite(serials) & ((serials < _FIRST_SERIAL) | (serials > _LAST_SERIAL))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{name} row {i + 1} holds {serials[i]:g}, which is not a date after 1900-03-01"
        )
    micros = np.round((serials - _SERIAL_1970) * 86_400_000_000)
    out = np.full(len(serials), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(micros)
    out[ok] = micros[ok].astype(np.int64).astype("datetime64[us]")
    return out


def dates(name: str, cells: list) -> np.ndarray:
    """Cells as ``datetime64[ns]``; blanks become NaT.  Date cells, Excel serials and
    ISO 8601 text, the one date parser's reading (``orderlog.values.dates``) without
    its local styles: "03/04/2024" in a cell is refused, not guessed."""
    kinds = set(map(type, cells))
    if kinds <= {dt.datetime, type(None)} and dt.datetime in kinds:
        return pd.to_datetime(pd.Series(cells, dtype=object)).to_numpy("datetime64[ns]")
    if kinds <= {float, int, type(None)}:
        return _serials_to_datetimes(name, numbers(name, cells))
    out = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[ns]")
    text_rows = []
    for i, cell in enumerate(cells):
        if is_blank(cell):
            continue
        if isinstance(cell, dt.date):
            out[i] = np.datetime64(pd.Timestamp(cell))
        elif isinstance(cell, _NUMBER_TYPES) and not isinstance(cell, bool):
            if _error_text(cell):
                raise _reject(name, i, cell, "a date")
            out[i] = _serials_to_datetimes(name, np.array([float(cell)]))[0]
        elif isinstance(cell, str) and not _error_text(cell):
            text_rows.append(i)
        else:
            raise _reject(name, i, cell, "a date")
    if text_rows:
        read = values.iso_dates(pd.Series([cells[i].strip() for i in text_rows], dtype=object))
        for i, stamp in zip(text_rows, read, strict=True):
            if pd.isna(stamp):
                raise _reject(name, i, cells[i], "a date (use a date cell or yyyy-mm-dd)")
            out[i] = np.datetime64(stamp)
    return out


def labels(name: str, cells: list) -> np.ndarray:
    """Cells as identifiers (object array): text stripped, whole numbers as int."""
    out = np.empty(len(cells), dtype=object)
    for i, cell in enumerate(cells):
        if is_blank(cell):
            out[i] = None
        elif _error_text(cell) or isinstance(cell, bool):
            raise _reject(name, i, cell, "an identifier")
        elif isinstance(cell, str):
            out[i] = cell.strip()
        elif isinstance(cell, float | int) and float(cell).is_integer():
            out[i] = int(cell)
        elif isinstance(cell, float | int | dt.date):
            out[i] = cell
        else:
            raise _reject(name, i, cell, "an identifier")
    return out


def _blank_mask(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == object:
        return np.fromiter((c is None for c in arr), bool, len(arr))
    return np.isnat(arr) if arr.dtype.kind == "M" else np.isnan(arr)


def aligned(
    broadcast: bool = True, **columns: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Apply the blank-cell rules to arguments that go together row by row.

    Returns the mask of rows to compute (see :func:`used_rows`) and each argument
    cut to that many rows (blank rows still in, so positions match the sheet).
    With ``broadcast``, single cells given beside ranges are repeated for every row;
    they take no part in deciding which rows are blank.
    """
    longest = max(len(arr) for arr in columns.values())
    if longest == 1:
        for name, arr in columns.items():
            if _blank_mask(arr)[0]:
                raise InputError(f"{name} is blank")
    allowed = (1, longest) if broadcast else (longest,)
    for name, arr in columns.items():
        if len(arr) not in allowed:
            other = next(n for n, a in columns.items() if len(a) == longest)
            raise InputError(
                f"{name} has {len(arr)} rows but {other} has {longest}; "
                + (
                    "give ranges of the same length or a single cell"
                    if broadcast
                    else "give ranges of the same length"
                )
            )
    ranges = {n: a for n, a in columns.items() if len(a) == longest}
    used = used_rows(**ranges)
    out = {}
    for name, arr in columns.items():
        if len(arr) == longest:
            out[name] = arr[: len(used)]
        elif _blank_mask(arr)[0]:
            raise InputError(f"{name} is blank")
        else:
            out[name] = np.repeat(arr, len(used))
    return used, out


def used_rows(**columns: np.ndarray) -> np.ndarray:
    """Boolean mask of rows to compute, after applying the blank-cell rules.

    All columns must have the same length.  Trailing rows blank everywhere are
    dropped (the mask is shorter); rows blank everywhere inside are False; a row
    blank in some columns only raises :class:`InputError`.
    """
    blanks = np.vstack([_blank_mask(arr) for arr in columns.values()])
    filled = ~blanks.any(axis=0)
    empty = blanks.all(axis=0)
    partial = ~filled & ~empty
    if partial.any():
        row = int(np.flatnonzero(partial)[0])
        names = list(columns)
        missing = [names[j] for j in range(len(names)) if blanks[j, row]]
        raise InputError(
            f"{missing[0]} is blank in row {row + 1}, where the rest of the row has values"
        )
    last = np.flatnonzero(filled)
    if last.size == 0:
        names = list(columns)
        raise InputError(
            f"{names[0]} is empty"
            if len(names) == 1
            else f"{names[0]} and the other ranges are empty"
        )
    return filled[: last[-1] + 1]


def optional(value, default):
    """An optional argument: omitted, blank or a blank cell gives ``default``."""
    if isinstance(value, list | tuple) and value:
        value = single("argument", value)
    return default if is_blank(value) else value


def to_cells(frame: pd.DataFrame, header: bool = True) -> list[list]:
    """A result table as rows of plain Python values; NaN/NaT become blank cells."""
    body = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    return [list(frame.columns)] + body if header else body


def spread(values: np.ndarray, used: np.ndarray) -> list:
    """Results for the used rows, put back in input order with blanks where skipped."""
    out = np.full(len(used), None, dtype=object)
    out[used] = values
    return out.tolist()


def column_of(values: np.ndarray) -> list[list]:
    """A 1-D result as a one-column range; NaN becomes a blank cell."""
    return [[None if x != x else x] for x in values.tolist()]


def flag(name: str, value, default: bool) -> bool:
    """TRUE/FALSE, 1/0 or a flag word (``orderlog.values.flag_of``: yes/no, y/n, x)."""
    value = optional(value, default)
    read = flag_of(value)
    if read is None:
        raise InputError(f"{name} must be TRUE or FALSE (got {value!r})")
    return bool(read)
