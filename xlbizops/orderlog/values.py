"""One parser per kind of value in an order log: number, date, flag, text id.

Each kind has one vocabulary, written here once, and is read from three places
through it: the Excel cells (``excel.cells``), the file readers (``report.inputs``)
and the query engines (``report.sources``, as Ibis expressions: the ``*_expr``
functions, which take a column and need ibis only when called).

- **number**: a number cell, or text that is a :data:`DECIMAL` (12, -3.5, 1e3) or a
  :data:`PLAIN_NUMBER` ("$1,234.50", "(12.00)" is −12).  Other shapes ("1.234,50",
  "12 kg") are not guessed at: unreadable.  Beyond :data:`LARGEST_NUMBER`: unreadable.
  Option ``text=False`` (the Excel functions): only number cells count, so a number
  stored as text or TRUE/FALSE is unreadable, as Excel's own SUM ignores it.
- **date**: a date cell; an Excel serial (61 to 2,958,465: 1900-03-01 to 9999-12-31);
  ISO 8601 text (:data:`ISO_DATE`; a time-zone offset is dropped, as shops export
  their own clock's times).  Option ``local_styles`` (the file readers): also local
  styles (:data:`DATE_FORMATS`, day-first or month-first decided by which reads more),
  serials written as text and yyyymmdd numbers.
- **flag**: TRUE/FALSE, the numbers 1/0, a word of :data:`TRUE_WORDS` or
  :data:`FALSE_WORDS` (any case, spaces around ignored); blank is 0; else unreadable.
- **text id**: text with the spaces around it removed; blank (or a missing-value word
  of :data:`BLANK_WORDS`) is none; longer than :data:`LONGEST_TEXT` is unreadable.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from xlbizops.orderlog.schema import LARGEST_NUMBER, LONGEST_TEXT

# --- the vocabularies ----------------------------------------------------------------
# Regular expressions read the same way by pandas and by every engine: [0-9] and
# spaces rather than \d and \s, which not every database's regular expressions know.

# A decimal number as a program writes it: 12, -3.5, .5, 1e3.
DECIMAL = r"^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$"
# Text numbers read without guessing: optional sign or accounting brackets, optional
# currency sign, digits with comma thousands separators (1,234,567.89) or none.
PLAIN_NUMBER = r"^[(]?[-+]?[$€£¥]? *([0-9]{1,3}(,[0-9]{3})+|[0-9]+)([.][0-9]+)?[)]?$"
DECORATION = " $€£¥,()"  # removed from a PLAIN_NUMBER before it is read
NUMBER_DECORATION = "[" + re.escape(DECORATION) + "]"
# ISO 8601 dates and date-times; group 1 is the clock time as written.
ISO_DATE = (
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?)"
    r"( *(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?))?$"
)
# Local date styles tried for text that is not ISO 8601, day-first and month-first in pairs.
DATE_FORMATS = [
    ("%d/%m/%Y", "%m/%d/%Y"),
    ("%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"),
    ("%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S"),
    ("%d.%m.%Y", "%m.%d.%Y"),
    ("%d-%m-%Y", "%m-%d-%Y"),
    ("%d/%m/%y", "%m/%d/%y"),
    ("%Y/%m/%d", "%Y/%d/%m"),
    ("%d %b %Y", "%b %d %Y"),
    ("%d %B %Y", "%B %d, %Y"),
    ("%Y%m%d", "%Y%m%d"),
]
FIRST_SERIAL, LAST_SERIAL = 61, 2_958_465  # Excel serials 1900-03-01 .. 9999-12-31
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
TRUE_WORDS = ("1", "1.0", "true", "yes", "y", "x")
FALSE_WORDS = ("0", "0.0", "false", "no", "n")
BLANK_WORDS = ("nan", "NaN", "NaT", "None")  # what a missing value becomes as text


def text(values: pd.Series) -> pd.Series:
    """Cells as text without the white space around them."""
    return values.astype(str).str.strip()


def blank(values: pd.Series, as_text: pd.Series | None = None) -> pd.Series:
    """Empty cells: missing, white space only, or a word of :data:`BLANK_WORDS`;
    ``as_text`` is :func:`text` of ``values`` when the caller has it already."""
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return values.isna()
    as_text = text(values) if as_text is None else as_text
    return values.isna() | (as_text == "") | as_text.isin(BLANK_WORDS)


def blank_expr(column):
    """:func:`blank` of a column, in any engine."""
    if not column.type().is_string():
        return column.isnull()
    return column.isnull() | column.strip().isin(["", *BLANK_WORDS]).fill_null(False)


# --- numbers ---------------------------------------------------------------------------


def numbers(
    values: pd.Series, text_numbers: bool = True, largest: float | None = LARGEST_NUMBER
) -> pd.Series:
    """Numbers, also from text like "$1,234.50" or "(12.00)"; NaN when blank or
    unreadable (the caller tells the two apart with :func:`blank`).  With
    ``text_numbers=False`` only number cells are numbers; beyond ``largest`` a
    number is unreadable (None: no limit; the Excel functions' own checks say
    "too large to compute").

    >>> numbers(pd.Series(["$1,234.50", "(12)", "1.234,50", 7, None], dtype=object)).tolist()
    [1234.5, -12.0, nan, 7.0, nan]
    """
    if pd.api.types.is_bool_dtype(values) and not text_numbers:
        return pd.Series(np.nan, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        out = values.astype(float)
        return out if largest is None else out.where(out.abs() <= largest)
    if not text_numbers:
        is_number = values.map(lambda v: isinstance(v, int | float | np.number))
        is_number &= ~values.map(lambda v: isinstance(v, bool | np.bool_))
        values = values.where(is_number)
    out = pd.to_numeric(values, errors="coerce")  # the fast path: plain numbers
    rest = out.isna() & ~blank(values)
    if text_numbers and rest.any():
        written = values[rest].astype(str).str.strip()
        readable = written.str.match(PLAIN_NUMBER)
        negative = written.str.startswith("(") & written.str.endswith(")")
        digits = written.str.replace(NUMBER_DECORATION, "", regex=True)
        number = pd.to_numeric(digits.where(readable), errors="coerce")
        out[rest] = number.where(~negative, -number)
    out = out.astype(float)
    return out if largest is None else out.where(out.abs() <= largest)  # 1e308, inf


def number_expr(column):
    """A column read as :func:`numbers` reads it, in any engine: numbers as they are,
    text that is a :data:`DECIMAL` or a :data:`PLAIN_NUMBER`; anything else null.  The
    regular expressions decide before any cast, so no backend's cast ever meets text
    it cannot read (Postgres' has no TRY_CAST; SQLite's reads "abc" as 0)."""
    import ibis

    if column.type().is_numeric():
        value = column.cast("float64")
    else:
        written = column.cast("string").strip()
        plain = written.re_search(PLAIN_NUMBER).fill_null(False)
        decorated = written
        for character in DECORATION:  # plain replaces: MySQL's Ibis has no re_replace
            decorated = decorated.replace(character, "")
        negative = written.startswith("(") & written.endswith(")")
        value = ibis.cases(
            (written.re_search(DECIMAL).fill_null(False), written),
            (plain, decorated),
            else_=ibis.null("string"),
        ).cast("float64")
        value = negative.ifelse(-value, value)
    too_large = (value > LARGEST_NUMBER) | (value < -LARGEST_NUMBER)
    return too_large.ifelse(ibis.null("float64"), value)


# --- dates -----------------------------------------------------------------------------


def _naive(value):
    """A date or date-time cell without its time zone (the clock time as written)."""
    if getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)
    return value


def _in_range(stamps: pd.Series) -> pd.Series:
    """Timestamps as nanoseconds; dates outside 1677-2262 (beyond that resolution)
    become NaT: unreadable."""
    stamps = stamps.astype("datetime64[us]")
    low, high = pd.Timestamp.min.as_unit("us"), pd.Timestamp.max.as_unit("us")
    return stamps.where((stamps >= low) & (stamps <= high)).astype("datetime64[ns]")


def _from_serials(serials: pd.Series) -> pd.Series:
    return EXCEL_EPOCH + pd.to_timedelta(serials, unit="D")


def iso_dates(written: pd.Series) -> pd.Series:
    """ISO 8601 text as timestamps (the clock time as written, where :data:`ISO_DATE`
    finds one; the rest as pandas' ISO 8601 reader reads it, which also takes the basic
    form 20240125); NaT otherwise."""
    clock = written.str.extract(ISO_DATE, expand=False)[0].fillna(written)
    try:
        iso = pd.to_datetime(clock, format="ISO8601", errors="coerce")
    except (ValueError, TypeError):  # offsets of other forms, mixed: to UTC
        iso = pd.to_datetime(clock, format="ISO8601", errors="coerce", utc=True)
        iso = iso.dt.tz_localize(None)
    return _in_range(iso)


def dates(
    values: pd.Series, date_order: str = "auto", local_styles: bool = True
) -> tuple[pd.Series, str]:
    """Dates from date cells, Excel serials and ISO 8601 text; with ``local_styles``
    also local styles, serials as text and yyyymmdd numbers.  NaT when blank or
    unreadable.  Returns (dates, note).

    Local-style text is tried day-first and month-first; with ``date_order="auto"``
    the style that reads more values wins (a day above 12 settles it), and a tie
    reads month-first and says so in the note.

    >>> dates(pd.Series(["2024-03-04", 45658, "04/03/2024", "31/03/2024"]))[0].tolist()[:2]
    [Timestamp('2024-03-04 00:00:00'), Timestamp('2025-01-01 00:00:00')]
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        if getattr(values.dtype, "tz", None) is not None:  # the clock time in its zone
            values = values.dt.tz_localize(None)
        return _in_range(values), ""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if values.dtype == object:  # cells from a spreadsheet: dates, numbers or text
        is_date = values.map(lambda v: hasattr(v, "year") and hasattr(v, "month"))
        numeric = values.map(
            lambda v: isinstance(v, int | float | np.number) and not isinstance(v, bool)
        )
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        # a column of numbers only: Excel serials (a sheet read through Office.js) or yyyymmdd
        is_date = pd.Series(False, index=values.index)
        numeric = values.notna()
    else:  # text from a CSV
        is_date = numeric = pd.Series(False, index=values.index)
    if is_date.any():
        out[is_date] = _in_range(pd.Series(
            [_naive(v) for v in values[is_date]], index=values[is_date].index, dtype=object
        ).pipe(pd.to_datetime, errors="coerce"))  # fmt: skip
    if numeric.any():
        n = values[numeric].astype(float)
        yyyymmdd = n.between(19000101, 21001231) if local_styles else n < 0
        out[n.index[yyyymmdd]] = pd.to_datetime(
            n[yyyymmdd].astype(int).astype(str), format="%Y%m%d", errors="coerce"
        )
        serial = n.between(FIRST_SERIAL, LAST_SERIAL) & ~yyyymmdd
        out[n.index[serial]] = _from_serials(n[serial])
    written_as_text = ~is_date & ~numeric & ~blank(values)
    note = ""
    if written_as_text.any():
        raw = values[written_as_text].astype(str).str.strip()
        iso = iso_dates(raw)
        out[raw.index] = iso
        rest = raw[iso.isna()]
        if local_styles and len(rest):
            out[rest.index], note = _local_dates(rest, date_order)
    return out, note


def _local_dates(rest: pd.Series, date_order: str) -> tuple[pd.Series, str]:
    """Text dates that are not ISO 8601: Excel serials as text (a CSV saved from a sheet
    with unformatted dates: 45658 or 45658.5; ISO 8601 reads 4 digits as a year, so 5
    to 7 digits are serials), then :data:`DATE_FORMATS` (pandas' ISO reader is not
    used for yyyymmdd: it is the last format)."""
    out = pd.Series(pd.NaT, index=rest.index, dtype="datetime64[ns]")
    serials = rest[rest.str.fullmatch(r"\d{2,7}(\.\d+)?")].astype(float)
    serials = serials[serials.between(FIRST_SERIAL, LAST_SERIAL)]
    out[serials.index] = _from_serials(serials)
    rest = rest.drop(serials.index)
    note = ""
    if len(rest):
        order = 0 if date_order == "dmy" else 1 if date_order == "mdy" else None
        best, best_count, tie = None, 0, False
        for pair in DATE_FORMATS:
            for k, fmt in enumerate(pair):
                if order is not None and k != order and pair[0] != pair[1]:
                    continue
                parsed = pd.to_datetime(rest, format=fmt, errors="coerce")
                count = int(parsed.notna().sum())
                if count > best_count:
                    best, best_count, tie = parsed, count, False
                elif count == best_count and count and k == 1 and pair[0] != pair[1]:
                    best, tie = parsed, True  # ambiguous: read month-first
        if best is not None:
            out[rest.index] = _in_range(best)
            if tie:
                note = "dates like 03/04/2024 were read month-first (set date_order)"
    return out, note


def clock_expr(column):
    """The clock time as written of a text column of ISO 8601 dates or date-times (an
    offset dropped), or null: the first step of :func:`timestamp_expr`, kept as a
    column of its own so that the second reads it rather than repeating the regular
    expression at every use."""
    import ibis

    clock = column.re_extract(ISO_DATE, 1)
    return (clock == "").ifelse(ibis.null("string"), clock)  # no match: "" or null


def timestamp_expr(clock):
    """:func:`clock_expr`'s text as a timestamp, read as :func:`dates` reads ISO
    dates, in any engine: a day the calendar does not have (31 February) or a time
    past 23:59:59 is null.  The checks come before the cast, so no backend's cast
    meets text it cannot read."""
    import ibis

    padded = clock + " 00:00:00"  # every position below holds digits, timed or not
    year, month, day, hour, minute, second = (
        padded.substr(start, length).cast("int64")
        for start, length in ((0, 4), (5, 2), (8, 2), (11, 2), (14, 2), (17, 2))
    )
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    last_day = ibis.cases(
        (month.isin([4, 6, 9, 11]), 30), (month == 2, leap.ifelse(29, 28)), else_=31
    )
    valid = (month >= 1) & (month <= 12) & (day >= 1) & (day <= last_day)
    valid = valid & (hour <= 23) & (minute <= 59) & (second <= 59)
    return (
        valid.fill_null(False)
        .ifelse(clock.replace("T", " "), ibis.null("string"))
        .cast("timestamp")
    )


# --- flags -----------------------------------------------------------------------------


def flag_of(value) -> float | None:
    """One flag cell as 1.0 or 0.0: TRUE or FALSE, the numbers 1 or 0, a word of
    :data:`TRUE_WORDS` or :data:`FALSE_WORDS`; blank is 0.0; anything else None
    (unreadable: the caller says so).

    >>> [flag_of(v) for v in (True, 1, " Yes ", "x", "n", "", None, 2, "maybe")]
    [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, None, None]
    """
    if value is None:
        return 0.0
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return float(bool(value))
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        number = float(value)
        if number != number:  # NaN: a blank cell
            return 0.0
        return number if number in (0.0, 1.0) else None
    word = str(value).strip().lower()
    if word == "" or word in FALSE_WORDS:
        return 0.0
    return 1.0 if word in TRUE_WORDS else None


def flags(values: pd.Series) -> pd.Series:
    """:func:`flag_of` of a column: 1.0, 0.0 (also blank), NaN where unreadable."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values):
        out = values.astype(float).fillna(0.0)
        return out.where(out.isin((0.0, 1.0)))
    if pd.api.types.is_datetime64_any_dtype(values):  # a date is no flag; blank is 0
        return pd.Series(np.where(values.isna(), 0.0, np.nan), index=values.index)
    word = text(values).str.lower()
    out = pd.Series(np.nan, index=values.index)
    out[word.isin(TRUE_WORDS)] = 1.0
    out[word.isin(FALSE_WORDS) | blank(values, word)] = 0.0
    is_bool = values.map(lambda v: isinstance(v, bool | np.bool_))
    out[is_bool] = values[is_bool].astype(float)
    return out


def flag_expr(column):
    """A column read as :func:`flags` reads it, in any engine (unreadable is 0: the
    engines count it apart, see ``report.sources``)."""
    dtype = column.type()
    if dtype.is_boolean() or dtype.is_numeric():
        flag = column.cast("float64") == 1 if dtype.is_numeric() else column
        return flag.ifelse(1.0, 0.0).fill_null(0.0)
    word = column.cast("string").strip().lower()
    return word.isin(list(TRUE_WORDS)).ifelse(1.0, 0.0).fill_null(0.0)


# --- text ids --------------------------------------------------------------------------


def text_ids(values: pd.Series, as_text: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """(ids, too long): text without surrounding spaces, None where blank or longer
    than :data:`LONGEST_TEXT` (Excel would cut it: two ids could become one); the
    second marks the too-long ones for the caller's message."""
    as_text = text(values) if as_text is None else as_text
    long = as_text.str.len() > LONGEST_TEXT
    return as_text.where(~blank(values, as_text) & ~long, None), long


def text_expr(column):
    """A column read as :func:`text_ids` reads it, in any engine."""
    import ibis

    written = column.cast("string").strip()
    unusable = (written == "") | (written.length() > LONGEST_TEXT)
    return unusable.ifelse(ibis.null("string"), written)
