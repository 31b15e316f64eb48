"""Reading an order log for the report: any shop's columns, encodings and date styles.

The log becomes a frame with xlbizops' field names.  Nothing is dropped silently:
every row is either used or rejected with a reason, and the counts go to the
report's About sheet (:class:`Intake`).
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xlbizops.core.errors import InputError, UsageError
from xlbizops.orderlog import cleaning, rules, schema, values
from xlbizops.orderlog.schema import FIELDS, REQUIRED
from xlbizops.report import presets

ENCODINGS = ("utf-8-sig", "gb18030", "cp1252")  # tried in this order
DELIMITERS = ",;\t|"


@dataclass
class Intake:
    """What happened to the rows of an input file."""

    source: str
    rows_read: int = 0
    rows_used: int = 0
    rejected: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # field -> column in the file
    layout: str = ""  # which export layout was read, and how it was chosen


def _normal(name: str) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


_FIELD_KEYS = {_normal(name): name for name in FIELDS}


def resolve_columns(found: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """field -> column: the user's mapping first, then same name ignoring case and spaces."""
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InputError(
            f"--map names unknown field(s) {', '.join(unknown)}; fields are {', '.join(FIELDS)}"
        )
    listed = ", ".join(repr(c) for c in found[:40]) + (" ..." if len(found) > 40 else "")
    resolved = {}
    by_normal: dict[str, str] = {}
    for position, column in enumerate(found, start=1):
        key = _normal(column)
        if key in by_normal and key in _FIELD_KEYS and _FIELD_KEYS[key] not in mapping:
            first = found.index(by_normal[key]) + 1
            raise InputError(
                f"columns {by_normal[key]!r} (column {first}) and {column!r} (column "
                f"{position}) both read as {_FIELD_KEYS[key]}; rename or delete one, or choose "
                f'with --map {_FIELD_KEYS[key]}="<column>"'
            )
        by_normal.setdefault(key, column)
    for name in FIELDS:
        if name in mapping:
            if mapping[name] not in found:
                raise InputError(
                    f"column {mapping[name]!r} (mapped to {name}) is not in the file; "
                    f"columns found: {listed}"
                )
            resolved[name] = mapping[name]
        elif _normal(name) in by_normal:
            resolved[name] = by_normal[_normal(name)]
    missing = [name for name in REQUIRED if name not in resolved]
    if missing:
        hint = " ".join(f'--map {m}="<column>"' for m in missing)
        raise InputError(
            f"no column for {', '.join(missing)}; columns found: {listed}. Map them with {hint}"
        )
    return resolved


MIXED = "xlbizops-cp1252"  # the error handler of UTF-8 text with cp1252 bytes in it
MIXED_BYTES = [0]  # bytes it decoded, counted for the About sheet's note


def _cp1252_bytes(err: UnicodeDecodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 refused as cp1252 (latin-1 where cp1252 has no character):
    a file saved in UTF-8 with lines pasted from a cp1252 program reads as its author
    sees it, instead of every non-ASCII letter of the file being misread."""
    bad = err.object[err.start : err.end]
    MIXED_BYTES[0] += len(bad)
    return bad.decode("cp1252", errors="replace").replace("\ufffd", bad.decode("latin-1")), err.end


codecs.register_error(MIXED, _cp1252_bytes)


def _text_encoding(path: Path, head: bytes) -> str:
    """The encoding of a text file from its first bytes: UTF-16 by its byte-order mark
    (or zero bytes between ASCII ones), UTF-8 (with or without BOM, or with cp1252 bytes
    mixed in: ``utf-8-sig`` read with the :data:`MIXED` error handler), GB 18030,
    Windows-1252, else latin-1.  Binary data is refused."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) > 64 and head[1::2].count(0) > len(head) // 4 and not head[::2].count(0):
        return "utf-16-le"
    if len(head) > 64 and head[::2].count(0) > len(head) // 4 and not head[1::2].count(0):
        return "utf-16-be"
    control = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    if control > max(8, len(head) // 100):
        raise InputError(
            f"{path.name} is not a text file ({control:,} binary bytes in its first "
            f"{len(head):,}); is it really a CSV export?"
        )
    try:
        head.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as err:
        if err.start > len(head) - 4 and head[: err.start].decode("utf-8-sig"):
            return "utf-8-sig"  # a character cut by the 64 KB boundary
    if any(ch > "\x7f" for ch in head.decode("utf-8-sig", errors="ignore")):
        return "utf-8-sig"  # UTF-8 letters and cp1252 bytes: read with the MIXED handler
    for encoding in ENCODINGS[1:]:
        try:
            head.decode(encoding)
            return encoding
        except UnicodeDecodeError as err:
            if err.start > len(head) - 4:
                return encoding
    return "latin-1"  # cp1252 leaves a few bytes undefined


def _sniff_text(path: Path) -> tuple[str, str]:
    head = path.open("rb").read(1 << 16)
    if not head.strip():
        raise InputError(f"{path.name} is empty")
    encoding = _text_encoding(path, head)
    sample = head.decode(encoding, errors=MIXED if encoding == "utf-8-sig" else "replace")
    lines = sample.splitlines()[:50]
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS} if lines else {",": 0}
        delimiter = max(counts, key=counts.get)
    return encoding, delimiter


MB_PER_MILLION_ORDERS = 140  # CSV size of a million orders with ~17 columns


ARROW_ENCODINGS = ("utf-8", "utf-8-sig")  # read by pyarrow's CSV reader, several threads


def _read_csv_arrow(path: Path, delimiter: str, header: list[str], usecols, typed=None):
    """A UTF-8 CSV file with pyarrow's reader: every cell as text ("" for an empty
    one), quoted line breaks kept; ten times pandas' reader on a million rows.  None
    when pyarrow's stricter reading refuses the file.

    ``typed`` (column name → "number" or "date") names the columns the caller will
    parse; each that :func:`_plainly_typed` reads whole comes as numbers or dates."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    wanted = [c for c in header if usecols is None or usecols(c.strip())]
    try:
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                # large_string: what pandas' str columns hold, so no copy to pandas
                column_types={c: pa.large_string() for c in header},
                include_columns=wanted,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None  # ragged rows, a space before a quote: pandas' reader decides
    for i, name in enumerate(table.column_names):
        kind = (typed or {}).get(name.strip())
        column = _plainly_typed(table[name], kind) if kind else None
        if column is not None:
            table = table.set_column(i, name, column)
    return table.to_pandas()


# Timestamps pandas holds in nanoseconds (values.dates' unit): years 1678 to 2261.
_TIMESTAMP_YEARS = (1678, 2261)


def _plainly_typed(column, kind: str):
    """A text column as float64 or timestamps, vectorised, when every non-blank cell
    is a plain decimal number ("12", "-3.5", "1e3") or an ISO 8601 date or date-time;
    otherwise None, and ``orderlog.values.numbers`` / ``values.dates`` read the text cell
    by cell as before.  Blank cells become nulls.  What this reads, those read to the
    same value (tested), so this only skips their text handling on clean columns."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(column)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    try:
        if kind == "number":
            return text.cast(pa.float64())
        if kind != "date":
            return None
        stamps = text.cast(pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    years = pc.min_max(pc.year(stamps))
    low, high = years["min"].as_py(), years["max"].as_py()
    if low is not None and (low < _TIMESTAMP_YEARS[0] or high > _TIMESTAMP_YEARS[1]):
        return None
    return stamps


def read_raw(
    path: str | os.PathLike,
    intake: Intake,
    usecols=None,
    max_file_mb: float | None = None,
    header_only: bool = False,
    typed: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The file as a frame of raw values (text for CSV), header row as column names.

    ``usecols`` (a function of the column name) reads only the columns needed;
    ``typed`` (column → "number" or "date") lets a UTF-8 CSV's clean columns arrive
    as numbers or dates (:func:`_plainly_typed`).  A file
    larger than ``max_file_mb`` is refused with a message saying what to do, rather
    than exhausting the machine's memory part-way through a nightly run.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a file (a glob such as '{path}/*.csv' reads "
                         "the files in it)")  # fmt: skip
    size_mb = path.stat().st_size / 1e6
    if size_mb == 0:
        raise InputError(f"{path.name} is empty")
    if max_file_mb is not None and size_mb > max_file_mb:
        millions = size_mb / MB_PER_MILLION_ORDERS
        raise InputError(
            f"{path.name} is {size_mb:,.0f} MB (about {millions:,.0f} million orders); the "
            f"report reads at most {max_file_mb:,.0f} MB. Export a shorter period, or raise "
            "max_file_mb in report.toml [settings] if this machine has the memory (about "
            "1.2 GB per million orders)"
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        if suffix in (".xlsx", ".xlsm"):
            _refuse_sparse_sheet(path)
        try:
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        except Exception as err:  # noqa: BLE001 - calamine raises its own error types
            raise InputError(
                f"{path.name} cannot be read as a workbook ({' '.join(str(err).split())[:120]}); "
                "is it damaged, password-protected, or not really an Excel file?"
            ) from None
        if not rows:
            raise InputError(f"{path.name} has no rows")
        header = [str(c).strip() for c in rows[0]]
        _refuse_repeated_columns(path, header)
        frame = pd.DataFrame(rows[1:], columns=header, dtype=object)
        intake.encoding, intake.delimiter = "xlsx", ""
    elif suffix == ".parquet":
        try:
            import pyarrow.parquet as pq

            schema = pq.read_schema(path)
            # dates as datetime64, not a Python date object per cell (values.dates then
            # takes them as they are: reading a million lines 12.4 s → 1.8 s)
            frame = pq.read_table(path).to_pandas(date_as_object=False)
        except Exception as err:  # noqa: BLE001 - pyarrow raises many error types
            raise InputError(
                f"{path.name} cannot be read as Parquet ({' '.join(str(err).split())[:120]})"
            ) from None
        nested = [f for f in schema if f.type.num_fields or str(f.type).startswith("list")]
        if nested:
            raise InputError(
                f"{path.name}: column {nested[0].name!r} holds {nested[0].type} values "
                "(lists or records), not one value per order line; flatten it before the report"
            )
        intake.encoding, intake.delimiter = "parquet", ""
    else:
        intake.encoding, intake.delimiter = _sniff_text(path)
        errors = MIXED if intake.encoding == "utf-8-sig" else "strict"
        with open(path, encoding=intake.encoding, errors=errors, newline="") as f:
            header = next(csv.reader(f, delimiter=intake.delimiter), [])
        _refuse_repeated_columns(path, [c.strip() for c in header])
        try:
            fast = None
            if intake.encoding in ARROW_ENCODINGS and not header_only:
                fast = _read_csv_arrow(path, intake.delimiter, header, usecols, typed)
            if fast is not None:
                return _checked(path, fast)
            MIXED_BYTES[0] = 0
            frame = pd.read_csv(
                path,
                sep=intake.delimiter,
                encoding=intake.encoding,
                encoding_errors=errors,
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
                usecols=usecols,
                nrows=0 if header_only else None,
            )
            if MIXED_BYTES[0]:
                intake.notes.append(
                    f"{path.name}: UTF-8 text with {MIXED_BYTES[0]:,} byte(s) in Windows-1252 "
                    "(pasted from another program): read as that"
                )
        except pd.errors.EmptyDataError:
            raise InputError(f"{path.name} has no header row") from None
        except UnicodeDecodeError as err:
            raise InputError(
                f"{path.name} is not readable as {intake.encoding} text (byte {err.start}); "
                "save it as UTF-8 CSV"
            ) from None
    return _checked(path, frame)


_CELL_REF = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})([0-9]{1,7})"')
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"'
)


def _refuse_sparse_sheet(path: Path) -> None:
    """A workbook whose first sheet spans far more cells than its file could hold (a
    stray cell at XFD1048576 and the header at A1: 17 billion cells) is refused before
    the reader builds that grid, which would ask for hundreds of gigabytes and abort
    the process.  The sheet's own ``<dimension>`` says its span; without one, the cell
    references are read.  A legitimate sheet needs at least ten bytes of XML a cell."""
    import zipfile

    from openpyxl.utils.cell import column_index_from_string

    from xlbizops.workbook.package import sheet_parts

    rows, columns = [], []  # the smallest and largest seen

    def see(letters: bytes, row: bytes) -> None:
        column = column_index_from_string(letters.decode())
        for seen, value in ((rows, int(row)), (columns, column)):
            seen[:] = [min(seen + [value]), max(seen + [value])]

    try:
        with zipfile.ZipFile(path) as package:
            parts = list(sheet_parts(package.read).values())
            if not parts:
                return
            size = package.getinfo(parts[0]).file_size
            with package.open(parts[0]) as xml:
                chunk = xml.read(1 << 14)
                found = _DIMENSION.search(chunk)
                if found:
                    see(*found.group(1, 2))
                    if found.group(3):
                        see(*found.group(3, 4))
                while chunk and not found:  # every cell reference, a megabyte at a time
                    for ref in _CELL_REF.finditer(chunk):
                        see(*ref.group(1, 2))
                    chunk = xml.read(1 << 20)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return  # the reader says what is wrong with the file
    if not rows:
        return
    cells = (rows[1] - rows[0] + 1) * (columns[1] - columns[0] + 1)
    if cells > max(10_000_000, size // 10):
        raise InputError(
            f"{path.name}: its first sheet spans {cells:,} cells (to row {rows[1]:,}, "
            f"column {columns[1]:,}) but holds far fewer; delete the stray cells far below "
            "or to the right of the table, save it and try again"
        )


def _checked(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        raise InputError(f"{path.name} has two columns named {dup!r}")
    if len(frame.columns) < 2:
        raise InputError(
            f"{path.name} has a single column {frame.columns[0][:60]!r}; "
            "is it delimited by something other than , ; tab or |?"
        )
    return frame


def _refuse_repeated_columns(path: Path, header: list[str]) -> None:
    """Two columns of one name: which one is the amount?  Refuse, naming both."""
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name in seen and name:
            raise InputError(
                f"{path.name} has two columns named {name!r} (columns {seen[name]} and "
                f"{position}); rename one, or delete the one that is not wanted"
            )
        seen[name] = position


def clean_orders(
    raw: pd.DataFrame,
    columns: dict[str, str],
    intake: Intake,
    date_order: str = "auto",
    dedupe: bool = False,
    earliest: str = "1990-01-01",
    latest: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The report's order lines: typed fields, rejected rows counted by reason.  Only
    the fields the analyses read (``schema.ANALYSED``) are cleaned, and a duplicate
    is a row identical in those, as in an engine (``sources.clean``).

    Rejected: a blank or unreadable order date, customer or amount (an infinite or
    overflowing number is unreadable); an order date before ``earliest`` or after
    ``latest`` (the as-of date; default today); a duplicate (see
    :func:`duplicate_rows`).  Blanked and counted: a shipped or delivered date before
    its order date.  Kept and counted: returns (negative quantity or amount), lines
    sharing an order id (multi-line orders), unreadable optional fields (left blank).
    """
    intake.rows_read = len(raw)
    columns = {f: c for f, c in columns.items() if f in schema.ANALYSED}
    intake.columns = dict(columns)
    if len(raw) == 0:
        raise InputError(f"{intake.source} has a header row but no data rows")
    frame = pd.DataFrame(index=raw.index)
    reject = pd.Series("", index=raw.index)

    def reason(mask, text):
        nonlocal reject
        reject = reject.mask(mask & (reject == ""), text)

    for name, column in columns.items():
        cells = raw[column]
        kind = FIELDS[name]
        text = values.text(cells) if kind not in ("date", "number") else None
        blank = values.blank(cells, text)
        if kind == "date":
            parsed, note = values.dates(cells, date_order)
            if note:
                intake.notes.append(f"{name}: {note}")
        elif kind == "number":
            parsed = values.numbers(cells)
        elif kind == "flag":
            parsed = values.flags(cells)
        else:
            parsed, long = values.text_ids(cells, text)
            if long.any() and name in REQUIRED:
                reason(
                    long, f"{name} longer than {schema.LONGEST_TEXT:,} characters (Excel's limit)"
                )
            elif long.any():
                intake.notes.append(
                    f"{name}: {int(long.sum()):,} value(s) longer than {schema.LONGEST_TEXT:,} "
                    "characters (Excel's cell limit) left blank"
                )
                blank = blank | long
        unreadable = parsed.isna() & ~blank
        if name in REQUIRED:
            frame[cleaning.blank_flag(name)] = blank.to_numpy(bool)
        elif unreadable.any():
            treated = "read as 0 (no error)" if kind == "flag" else "left blank"
            intake.notes.append(f"{name}: {int(unreadable.sum()):,} unreadable value(s) {treated}")
        frame[name] = parsed.fillna(0.0).astype(int) if kind == "flag" else parsed
    # Each order id once: no two rows alike, and no order on two lines (hashing a
    # million ids takes a quarter of a second: once, here).
    unique_ids = "order_id" in frame and frame["order_id"].is_unique
    duplicate, duplicate_reason = duplicate_rows(raw, columns, intake, dedupe, unique_ids)
    last = pd.Timestamp(latest) if latest is not None else pd.Timestamp.today().normalize()
    lines = {f: frame[f].to_numpy() for f in frame}
    for rejection in cleaning.rejections(earliest, last):  # the engines' reasons too
        reason(rules.evaluate(rejection.rule, lines), rejection.reason)
    frame = frame.drop(columns=[cleaning.blank_flag(f) for f in REQUIRED if f in columns])
    reason(duplicate, duplicate_reason)
    rejected = reject != ""
    intake.rejected.update(reject[rejected].value_counts().to_dict())
    if rejected.any():  # else the frame stays as it is: no copy of a million rows
        frame = frame[~rejected].reset_index(drop=True)
    intake.rows_used = len(frame)
    if frame.empty:
        reasons = ", ".join(f"{n:,} {r}" for r, n in intake.rejected.most_common())
        raise InputError(f"no usable rows in {intake.source}: {reasons}")
    frame["customer_id"] = frame["customer_id"].astype(str)
    if "order_id" not in frame:
        frame["order_id"] = np.arange(1, len(frame) + 1).astype(str)
    else:
        missing = frame["order_id"].isna()
        frame.loc[missing, "order_id"] = "row-" + (frame.index[missing] + 2).astype(str)
        if missing.any() or not unique_ids:  # blank ids were filled, or ids repeat
            shared = frame["order_id"].duplicated(keep=False)
            intake.notes.append(
                f"{int(shared.sum()):,} lines share an order id with another line: "
                "read as multi-line orders"
            )
    for name in cleaning.EARLY_BLANKED:
        if name in frame:
            early = rules.evaluate(cleaning.early(name), {f: frame[f].to_numpy() for f in frame})
            if early.any():
                frame.loc[early, name] = pd.NaT
                intake.notes.append(
                    f"{name}: {int(early.sum()):,} date(s) before their order date were left blank"
                )
    if cleaning.derives_price(frame.columns):
        frame["unit_price"] = cleaning.derived_price(
            frame["amount"].to_numpy(float), frame["quantity"].to_numpy(float)
        )
        intake.notes.append(cleaning.PRICE_NOTE)
    returns = rules.evaluate(rules.RETURN_LINE, {f: frame[f].to_numpy() for f in frame})
    frame["is_return"] = returns
    if returns.any():
        intake.notes.append(returns_note(int(returns.sum())))
    return frame


def returns_note(lines: int) -> str:
    """The About sheet's note on return lines, from a file or an engine."""
    return (
        f"{lines:,} return line(s) (negative quantity or amount): netted in revenue, not "
        "counted as orders"
    )


def duplicate_rows(
    raw: pd.DataFrame,
    columns: dict[str, str],
    intake: Intake,
    dedupe: bool,
    unique_ids: bool = False,
) -> tuple[pd.Series, str]:
    """(rows to reject as duplicates, the reason counted for them).

    Only a log with order ids can tell a repeated line from a repeated purchase.
    With an ``order_id`` column, a row identical to an earlier one (order id
    included) is a duplicate.  Without one, identical rows are real purchases —
    CDNOW, the log behind the published BG/NBD fit, has a customer buying the
    same CDs for the same amount twice in a day — so they are kept and noted,
    unless ``dedupe`` says the export repeats lines.  ``unique_ids``: the caller
    knows every order id to be on one row.
    """
    if "order_id" in columns:
        reason = "exact duplicate of an earlier row (same order id)"
        if unique_ids or raw[columns["order_id"]].is_unique:  # no two rows alike
            return pd.Series(False, index=raw.index), reason
        return raw[list(columns.values())].duplicated(keep="first"), reason
    repeated = raw[list(columns.values())].duplicated(keep="first")
    if dedupe:
        return repeated, "identical to an earlier row (dedupe is on)"
    if repeated.any():
        intake.notes.append(
            f"{int(repeated.sum()):,} row(s) identical to an earlier row: the log has no "
            "order id, so they were kept as separate purchases (dedupe rejects them)"
        )
    return pd.Series(False, index=raw.index), ""


def read_orders(
    path,
    mapping: dict[str, str] | None = None,
    date_order: str = "auto",
    max_file_mb: float | None = None,
    dedupe: bool = False,
    earliest: str = "1990-01-01",
    latest: pd.Timestamp | None = None,
    preset: str | None = None,
):
    """(order lines, intake) from a CSV, XLSX or Parquet file, or several files passed
    together (the Olist tables).

    A shop export is recognised from its headers (``presets``) unless ``mapping`` says
    which column is which; ``preset`` forces a layout.  Otherwise columns are found by
    name, and only the mapped ones are read.
    """
    paths = [Path(p) for p in (path if isinstance(path, list | tuple) else [path])]
    intake = Intake(source=", ".join(p.name for p in paths))
    chosen = presets.by_name(preset) if preset else None
    if len(paths) > 1 or (chosen and chosen.tables):
        chosen = chosen or presets.PRESETS["olist"]
        if not chosen.tables:
            raise UsageError(f"the {chosen.title} layout is one file; got {len(paths)}")
        frames = [read_raw(p, Intake(source=p.name), max_file_mb=max_file_mb) for p in paths]
        raw, notes = chosen.prepare(None, presets.olist_tables(frames))
        return _from_preset(raw, notes, chosen, intake, "given", date_order, dedupe, earliest,
                            latest)  # fmt: skip
    single = paths[0]
    if single.suffix.lower() in (".csv", ".txt", ".tsv", ""):
        header = read_raw(
            single, Intake(source=intake.source), max_file_mb=max_file_mb, header_only=True
        )
        found = list(header.columns)
    else:
        raw = read_raw(single, intake, max_file_mb=max_file_mb)
        found = list(raw.columns)
    if chosen:
        chosen.require(single.name, found)
    how = "given with --preset" if chosen else "recognised from its headers"
    chosen = chosen or (None if mapping else presets.detect(found))
    if chosen:
        if single.suffix.lower() in (".csv", ".txt", ".tsv", ""):
            raw = read_raw(single, intake, max_file_mb=max_file_mb)
        prepared, notes = chosen.prepare(raw)
        return _from_preset(prepared, notes, chosen, intake, how, date_order, dedupe, earliest,
                            latest)  # fmt: skip
    columns = resolve_columns(found, mapping or {})
    if single.suffix.lower() in (".csv", ".txt", ".tsv", ""):
        wanted = {c for f, c in columns.items() if f in schema.ANALYSED}
        typed = {c: FIELDS[f] for f, c in columns.items() if FIELDS[f] in ("number", "date")}
        raw = read_raw(single, intake, lambda c: str(c).strip() in wanted, max_file_mb, typed=typed)
    intake.layout = "columns matched by name" + (" and --map" if mapping else "")
    return clean_orders(raw, columns, intake, date_order, dedupe, earliest, latest), intake


def _from_preset(raw, notes, preset, intake, how, date_order, dedupe, earliest, latest):
    intake.layout = f"{preset.title} ({how})"
    intake.notes.extend(notes)
    columns = {name: name for name in FIELDS if name in raw.columns}
    lines = clean_orders(raw, columns, intake, date_order, dedupe, earliest, latest)
    return lines, intake


def read_table_file(path, required: tuple[str, ...], what: str) -> pd.DataFrame:
    """A small side input (inventory snapshot, supplier metrics) with named columns."""
    intake = Intake(source=Path(path).name)
    raw = read_raw(path, intake)
    by_normal = {_normal(c): c for c in raw.columns}
    missing = [r for r in required if _normal(r) not in by_normal]
    if missing:
        raise InputError(
            f"the {what} file {intake.source} needs column(s) {', '.join(missing)}; "
            f"found {', '.join(map(repr, raw.columns))}"
        )
    out = raw.rename(columns={by_normal[_normal(r)]: r for r in required})
    return out


__all__ = ["FIELDS", "Intake", "read_orders", "read_table_file"]
