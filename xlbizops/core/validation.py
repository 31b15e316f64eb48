"""Input checks shared by every operational area.

One place for the rules and the wording of the messages, in the spirit of
scikit-learn's ``sklearn.utils.validation``.  Functions take array-likes that the
caller already converted (the Excel boundary turns cells into arrays first) and
return float arrays or raise :class:`InputError`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from xlbizops.core.errors import InputError
from xlbizops.orderlog import rules as orderlog_rules
from xlbizops.orderlog import values as orderlog_values
from xlbizops.orderlog.checked import CheckedLines
from xlbizops.orderlog.schema import ARGUMENTS, FIELDS

# Business quantities never come near this; beyond it products and squares overflow.
LARGEST = 1e100


def got(arr: np.ndarray, bad: np.ndarray) -> str:
    """'(got -1 in row 3)' for arrays, '(got -1)' for scalars: the first ``bad`` value,
    rows counted from 1.  Every message that points at a value ends with this."""
    idx = int(np.flatnonzero(bad)[0])
    value = arr.flat[idx]
    if isinstance(value, float | np.floating):
        shown = f"{value:g}"
    elif isinstance(value, np.datetime64 | pd.Timestamp | dt.datetime | dt.date):
        shown = f"the date {pd.Timestamp(value).date()}"  # not numpy's repr
    else:
        shown = repr(value)
    if arr.ndim == 0 or arr.size == 1:
        return f"(got {shown})"
    return f"(got {shown} in row {idx + 1})"


def as_numbers(name: str, values, *, allow_nan: bool = False) -> np.ndarray:
    """``values`` as a float array; every entry a finite number unless ``allow_nan``."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numbers") from None
    if arr.size == 0:
        raise InputError(f"{name} is empty")
    bad = np.isinf(arr) if allow_nan else ~np.isfinite(arr)
    if bad.any():
        raise InputError(f"{name} must be a finite number {got(arr, bad)}")
    huge = np.abs(arr) > LARGEST
    if huge.any():
        raise InputError(f"{name} is too large to compute with {got(arr, huge)}")
    return arr


def finite_result(name: str, result: np.ndarray, inputs: str, *arrays: np.ndarray) -> np.ndarray:
    """Refuse to hand back an overflowed result (inf, or NaN from finite inputs)."""
    result = np.asarray(result, dtype=float)
    missing_input = np.zeros(result.shape, bool)
    for arr in arrays:
        missing_input |= np.broadcast_to(np.isnan(arr), result.shape)
    if np.isinf(result).any() or (np.isnan(result) & ~missing_input).any():
        raise InputError(f"{name} is too large to compute; check the units of {inputs}")
    return result


def positive(name: str, values, *, allow_nan: bool = False) -> np.ndarray:
    """Finite numbers > 0, e.g. a cost (NaN passes through when ``allow_nan``)."""
    arr = as_numbers(name, values, allow_nan=allow_nan)
    bad = arr <= 0
    if bad.any():
        raise InputError(f"{name} must be greater than 0 {got(arr, bad)}")
    return arr


def non_negative(name: str, values, *, allow_nan: bool = False) -> np.ndarray:
    """Finite numbers >= 0, e.g. a demand that may be zero (NaN passes when ``allow_nan``)."""
    arr = as_numbers(name, values, allow_nan=allow_nan)
    bad = arr < 0
    if bad.any():
        raise InputError(f"{name} must not be negative {got(arr, bad)}")
    return arr


def flags(name: str, values, n: int) -> np.ndarray:
    """Optional flags (1 = yes, e.g. an order with an error) as 1.0/0.0, read by the
    one flag parser (``orderlog.values.flags``: TRUE/FALSE, 1/0, yes/no, y/n, x; blank
    is 0); omitted → all 0."""
    if values is None:
        return np.zeros(n)
    raw = pd.Series(np.asarray(values, dtype=object) if not hasattr(values, "dtype") else values)
    read = orderlog_values.flags(raw.reset_index(drop=True)).to_numpy(float)
    bad = np.isnan(read)
    if bad.any():
        raise InputError(f"{name} must be 1/0, TRUE/FALSE or yes/no {got(raw.to_numpy(), bad)}")
    return read


def whole_scores(name: str, values, top: int, allow_nan: bool = False) -> np.ndarray:
    """Whole-number scores from 1 to ``top`` (RFM scores, risk likelihood and impact)."""
    scores = as_numbers(name, values, allow_nan=allow_nan)
    bad = ~np.isnan(scores) & ((scores < 1) | (scores > top) | (scores != np.round(scores)))
    if bad.any():
        raise InputError(f"{name} must be a whole score from 1 to {top} {got(scores, bad)}")
    return scores


def whole_number(name: str, value, *, minimum: int, maximum: int | None = None) -> int:
    """One integer within bounds, e.g. a season length or a number of clusters."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a whole number (got {value!r})") from None
    if not np.isfinite(number) or number != int(number):
        raise InputError(f"{name} must be a whole number (got {value!r})")
    number = int(number)
    if number < minimum:
        raise InputError(f"{name} must be at least {minimum} (got {number})")
    if maximum is not None and number > maximum:
        raise InputError(f"{name} must be at most {maximum} (got {number})")
    return number


def choice(name: str, value: str, options: tuple[str, ...]) -> str:
    """A case-insensitive keyword, returned in lower case."""
    text = str(value).strip().lower()
    if text not in options:
        listed = ", ".join(f'"{o}"' for o in options)
        raise InputError(f"{name} must be one of {listed} (got {value!r})")
    return text


def needs(name: str, table, keys, what: str = "the column(s) ") -> None:
    """That ``table`` (a DataFrame's columns, a dict's keys) holds every one of
    ``keys``; the message names the missing ones."""
    missing = [k for k in keys if k not in table]
    if missing:
        raise InputError(f"{name} needs {what}{', '.join(missing)}")


def same_rows(**arrays) -> int:
    """The common length of columns that go together row by row (no broadcasting).

    The message names the first column that differs and the first column given.
    """
    names = list(arrays)
    n = len(arrays[names[0]])
    for name in names[1:]:
        if len(arrays[name]) != n:
            raise InputError(f"{name} has {len(arrays[name])} rows but {names[0]} has {n}")
    return n


def same_length(**arrays: np.ndarray) -> int:
    """The common length of 1-D arrays; length-1 arrays broadcast to it."""
    lengths = {name: np.size(arr) for name, arr in arrays.items()}
    longest = max(lengths.values())
    for name, n in lengths.items():
        if n not in (1, longest):
            other = max(lengths, key=lengths.get)
            raise InputError(
                f"{name} has {n} rows but {other} has {longest}; "
                "give ranges of the same length or a single cell"
            )
    return longest


def as_dates(name: str, values, *, allow_blank: bool = False) -> pd.Series:
    """Dates as a datetime Series: datetime values, or text in ISO 8601 (yyyy-mm-dd,
    optionally with a time).  Text that is not a date is refused with its row, never
    turned silently into a blank; blanks (None, NaN, NaT, "") only where allowed."""
    raw = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw.astype("datetime64[ns]")
    else:
        is_text = raw.map(lambda c: isinstance(c, str)).astype(bool)
        blank_text = is_text & raw.map(lambda c: isinstance(c, str) and not c.strip()).astype(bool)
        parsed = pd.to_datetime(raw.mask(is_text), errors="coerce")  # date and datetime values
        if is_text.any():  # text: the one date parser's ISO 8601 reading
            written = raw[is_text & ~blank_text].astype(str).str.strip()
            parsed = parsed.astype("datetime64[ns]")
            parsed[written.index] = orderlog_values.iso_dates(written)
        failed = parsed.isna() & raw.notna() & ~blank_text
        if failed.any():
            row = int(np.flatnonzero(failed)[0])
            raise InputError(f"{name} row {row + 1} is not a date ({raw.iloc[row]!r})")
        parsed = parsed.astype("datetime64[ns]")
    if not allow_blank and parsed.isna().any():
        raise InputError(f"{name} is blank in row {int(np.flatnonzero(parsed.isna())[0]) + 1}")
    return parsed.reset_index(drop=True)


def as_date(name: str, value) -> pd.Timestamp:
    """One date (a datetime or ISO text)."""
    return as_dates(name, [value]).iloc[0]


def order_lines(**given) -> CheckedLines:
    """The order-line checks, once: each argument (``order_dates=…``, named as the
    Excel functions name it: ``orderlog.schema.ARGUMENTS``; None or absent when not
    given) read by its field's kind, every column the same length, order dates
    present, order ids present where given, no line delivered without a ship date,
    and no step dated before the one it follows.  What passes is a
    :class:`CheckedLines`, which core functions use without checking again.

    >>> lines = order_lines(order_dates=["2025-01-02"], status=[" Cancelled "])
    >>> lines["status"].tolist(), len(lines)
    (['cancelled'], 1)
    """
    field_of = {argument: field for field, argument in ARGUMENTS.items()}
    columns: dict[str, np.ndarray] = {}
    for argument, values in given.items():
        if values is None:
            continue
        field = field_of[argument]
        kind = FIELDS[field]
        if field == "status":
            columns[field] = orderlog_rules.status_words(values)
        elif kind == "date":
            read = as_dates(argument, values, allow_blank=field != "order_date")
            columns[field] = read.to_numpy("datetime64[ns]")
        elif kind == "number":
            columns[field] = as_numbers(argument, values, allow_nan=True)
        elif kind == "flag":
            columns[field] = flags(argument, values, len(pd.Series(values)))
        else:
            columns[field] = np.asarray(values, dtype=object)
    if "order_date" in columns and len(columns["order_date"]) == 0:
        raise InputError("order_dates is empty")
    same_rows(**{ARGUMENTS[f]: c for f, c in columns.items()})
    ids = columns.pop("order_id", None)
    if ids is not None and pd.isna(pd.Series(ids)).any():
        raise InputError(f"order_ids is blank in row {int(np.flatnonzero(pd.isna(ids))[0]) + 1}")
    delivered, shipped = columns.get("delivered_date"), columns.get("shipped_date")
    if delivered is not None and shipped is not None:
        orphan = ~np.isnat(delivered) & np.isnat(shipped)
        if orphan.any():
            row = int(np.flatnonzero(orphan)[0]) + 1
            raise InputError(f"delivered_dates has a date but shipped_dates is blank in row {row}")
    for step, before in (("shipped_date", "order_date"), ("delivered_date", "shipped_date")):
        if step in columns and before in columns:
            early = columns[step] < columns[before]  # NaT compares False
            if early.any():
                row = int(np.flatnonzero(early)[0]) + 1
                raise InputError(f"{ARGUMENTS[step]} is before its start date in row {row}")
    return CheckedLines(columns, ids)
