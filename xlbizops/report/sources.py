"""Order logs the report reads where they live: a glob of Parquet or CSV files, a
database table or query named by URL, or Spark — all through Ibis.

``open_source`` gives an Ibis table of the raw columns; ``clean`` applies the
messy-log rules of ``inputs.clean_orders`` inside the engine (rejections counted
by reason on the About sheet) and gives the cleaned lines ``aggregates`` sums.
DuckDB, embedded, runs globs and DuckDB files with nothing to install or start;
other databases run the queries themselves; ``--engine spark`` hands them to a
Spark session.
"""

from __future__ import annotations

import glob as globbing
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import pandas as pd

from xlbizops.core.errors import InputError, UsageError
from xlbizops.report import aggregates, inputs
from xlbizops.report.aggregates import LINE_SCHEMA
from xlbizops.workbook.atomic import alive

URL = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
# Backends Ibis opens from a URL, and the extra that installs the driver.
SCHEMES = {
    "duckdb": None,
    "sqlite": None,
    "postgres": "postgres",
    "postgresql": "postgres",
    "mysql": "mysql",
    "mssql": "mssql",
    "bigquery": "bigquery",
    "snowflake": "snowflake",
    "trino": "trino",
    "clickhouse": "clickhouse",
    "oracle": "oracle",
}
ENGINES = ("duckdb", "spark")
DUCKDB_MEMORY = "1500MB"  # spill to disk beyond this: logs bigger than memory
WORK_PREFIX = "xlbizops-duckdb-"  # + pid: the cleaned log, in the temporary folder


def _is_glob(text: str) -> bool:
    return not URL.match(text) and any(ch in text for ch in "*?[")


def _matching(pattern: str) -> list[str]:
    """The files a glob matches, sorted (``**`` goes into sub-folders)."""
    return sorted(globbing.glob(os.path.expanduser(pattern), recursive=True))


def is_engine_source(text) -> bool:
    """A URL or a glob: what the pandas path for one file does not read."""
    if isinstance(text, list | tuple):
        return False
    return bool(URL.match(str(text))) or _is_glob(str(text))


@dataclass
class Source:
    """An order log in an engine: its raw table, what to call it, how to run a query."""

    table: object
    name: str
    backend: object
    cleanup: list = field(default_factory=list)
    keep: str = ""  # how to hold the cleaned lines: "table" (DuckDB), "cache" (Spark)
    held: int = 0  # tables made by materialize

    def run(self, expr):
        return aggregates.fetch(expr)

    def materialize(self, expr):
        """Work out ``expr`` once when its source is files, not at every aggregation."""
        if self.keep == "table":
            self.held += 1
            return self.backend.create_table(f"lines_{self.held}", expr)
        if self.keep == "cache":
            return expr.cache()
        return expr

    def close(self) -> None:
        for step in self.cleanup:
            step()


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def duckdb_connection(database: str = ":memory:", threads: int | None = None):
    """DuckDB as the report uses it: no progress bar of its own (the report draws one,
    on a terminal only), rows in any order (every query sorts what it shows)."""
    con = ibis.duckdb.connect(database)
    con.raw_sql("SET enable_progress_bar = false")
    con.raw_sql("SET preserve_insertion_order = false")
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


def _duckdb(work: Path | None = None):
    """An embedded DuckDB whose tables live in a temporary file: it spills to disk
    rather than holding a big log in memory."""
    base = Path(work or tempfile.gettempdir())
    for leftover in base.glob(f"{WORK_PREFIX}*"):  # of runs killed before they could
        pid = leftover.name[len(WORK_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=base))
    con = duckdb_connection(str(folder / "work.duckdb"))
    con.raw_sql(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.raw_sql(f"SET temp_directory = '{folder / 'spill'}'")

    def remove():
        con.disconnect()
        shutil.rmtree(folder, ignore_errors=True)

    return con, remove


def _files(pattern: str) -> tuple[list[str], str]:
    paths = _matching(pattern)
    if not paths:
        raise InputError(f"no file matches {pattern}")
    kinds = {Path(p).suffix.lower() for p in paths}
    if kinds <= {".parquet", ".pq"}:
        return paths, "parquet"
    if kinds <= {".csv", ".txt", ".tsv"}:
        return paths, "csv"
    raise InputError(
        f"{pattern} matches {', '.join(sorted(kinds))} files; a glob reads Parquet or CSV files, "
        "one kind at a time"
    )


def open_source(
    text: str,
    table: str | None = None,
    query: str | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
) -> Source:
    """The order log named by ``text``: a glob of files or a database URL (with
    ``table`` or ``query``), as an Ibis table in ``engine``."""
    if engine not in ENGINES:
        raise UsageError(f"--engine must be one of {', '.join(ENGINES)} (got {engine!r})")
    match = URL.match(text)
    if match is None:
        if table or query:
            raise UsageError("--table and --query go with a database URL, not with files")
        paths, kind = _files(text)
        if engine == "spark":
            return _spark_files(paths, kind, text, spark_master)
        con, remove = _duckdb()
        reader = con.read_parquet if kind == "parquet" else con.read_csv
        try:
            raw = reader(paths, table_name="orders_raw")
        except Exception as err:  # noqa: BLE001 - DuckDB's own error names the file
            remove()
            raise InputError(f"cannot read {text}: {_first_line(err)}") from None
        name = f"{len(paths):,} {kind} file(s) matching {text}"
        return Source(raw, name, con, [remove], keep="table")
    scheme = match.group(1).lower()
    if scheme not in SCHEMES:
        raise UsageError(
            f"unknown database URL scheme {scheme}:// (known: {', '.join(sorted(SCHEMES))})"
        )
    if engine == "spark":
        raise UsageError("--engine spark reads files (a glob); a database URL runs in its database")
    if bool(table) == bool(query):
        raise UsageError('a database URL needs --table NAME or --query "SELECT …" (one of them)')
    con = _connect(text, scheme)
    return _from_database(con, text, table, query)


def _connect(url: str, scheme: str):
    if scheme in ("duckdb", "sqlite"):
        rest = url.split("://", 1)[1]  # sqlite:///shop.db relative, sqlite:////srv/shop.db not
        path = rest[1:] if rest.startswith("/") else rest
        if not Path(path).is_file():  # opening would create an empty database there
            raise InputError(
                f"database file {path} does not exist ({scheme}:/// and a relative path, "
                f"or {scheme}://// and an absolute one)"
            )
        try:
            if scheme == "duckdb":
                return ibis.duckdb.connect(path, read_only=True)
            return ibis.sqlite.connect(path)
        except Exception as err:  # noqa: BLE001 - the driver says what is wrong
            raise InputError(f"cannot open {url}: {_first_line(err)}") from None
    try:
        return ibis.connect(url)
    except ModuleNotFoundError as err:
        extra = SCHEMES[scheme]
        raise UsageError(
            f"{scheme}:// needs its driver: pip install 'xlbizops[{extra}]' ({err.name} missing)"
        ) from None
    except Exception as err:  # noqa: BLE001 - a refused connection, a wrong password
        # An OSError: like a file that cannot be read, exit code 3.
        raise ConnectionError(f"cannot connect to {_redacted(url)}: {_first_line(err)}") from None


def _redacted(url: str) -> str:
    """The URL without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _from_database(con, url: str, table: str | None, query: str | None) -> Source:
    where = _redacted(url)
    if table:
        try:
            raw = con.table(table)
        except Exception:  # noqa: BLE001 - each backend has its own "not found"
            names = ", ".join(sorted(con.list_tables())[:20]) or "none"
            raise InputError(f"no table {table!r} in {where}; its tables: {names}") from None
        name = f"table {table} in {where}"
    else:
        try:
            raw = con.sql(query)
        except Exception as err:  # noqa: BLE001 - the database's parser says where
            raise InputError(f"the query does not run on {where}: {_first_line(err)}") from None
        name = f"a query on {where}"
    return Source(raw, name, con, [con.disconnect])


def _spark_files(paths: list[str], kind: str, pattern: str, master: str | None) -> Source:
    session = spark_session(master)
    reader = session.read.option("header", "true").option("inferSchema", "true")
    try:
        frame = reader.parquet(*paths) if kind == "parquet" else reader.csv(paths)
    except Exception as err:  # noqa: BLE001 - Spark's analysis error names the file
        raise InputError(f"cannot read {pattern}: {_first_line(err)}") from None
    frame.createOrReplaceTempView("orders_raw")
    con = ibis.pyspark.connect(session)
    name = f"{len(paths):,} {kind} file(s) matching {pattern}"
    return Source(con.table("orders_raw"), name, con, keep="cache")


def spark_session(master: str | None = None):
    """A Spark session on ``master`` (default ``local[*]``), in UTC so that dates are
    the days written in the log."""
    # pyspark 4 warns at every conversion that pandas 3 is newer than it knows; the
    # report's conversions (small aggregates) are checked against DuckDB's by the tests.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError:
        raise UsageError("--engine spark needs pyspark: pip install 'xlbizops[spark]'") from None
    builder = SparkSession.builder.master(master or "local[*]").appName("xlbizops report")
    return (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )


# --- A folder of a shop's exports --------------------------------------------------------


def export_files(text, preset: str | None, mapping, intake: inputs.Intake, **reading):
    """A glob of CSV or XLSX files (a shop's monthly exports, say), or None when
    ``text`` is not one.

    Each file is read as ``xlbizops report FILE`` reads it — its layout recognised
    from its headers or named by ``preset``, columns matched by name or ``mapping``,
    mixed date styles, currency text — and appended to DuckDB's working copy, so only
    one file is in memory at a time.  A line repeated in two files (overlapping
    export periods) is a duplicate like any other: with order ids, rejected and
    counted.  ``reading``: ``inputs.read_orders``' date_order, max_file_mb, dedupe,
    earliest and latest.
    """
    if not _is_glob(text):
        return None
    paths = _matching(text)
    if not paths or any(Path(p).suffix.lower() in (".parquet", ".pq") for p in paths):
        return None  # no file (said by open_source), or Parquet: DuckDB reads it typed
    con, remove = _duckdb()
    table, total, with_ids = "exports", 0, True
    try:
        for number, path in enumerate(paths, 1):
            lines, part = inputs.read_orders(path, mapping, preset=preset, **reading)
            with_ids &= "order_id" in part.columns
            if "order_id" not in part.columns:  # numbered per file: make them distinct
                lines["order_id"] = f"{number}-" + lines["order_id"]
            intake.rows_read += part.rows_read
            intake.rejected.update(part.rejected)
            intake.notes.extend(f"{Path(path).name}: {note}" for note in part.notes)
            intake.columns, intake.layout = part.columns, part.layout
            arrow = aggregates.arrow_lines(lines)
            if number == 1:
                con.create_table(table, ibis.memtable(arrow))
            else:
                con.insert(table, ibis.memtable(arrow).select(*con.table(table).columns))
            total += len(lines)
        lines = con.table(table)
        if with_ids:
            # the one copy kept: distinct lines, classified for the aggregations
            unique = con.create_table("exports_distinct", aggregates.classify(lines.distinct()))
            repeated = total - int(unique.count().to_pandas())
            if repeated:
                intake.rejected["exact duplicate of an earlier row (same order id)"] += repeated
            lines, total = unique, total - repeated
    except BaseException:
        remove()
        raise
    intake.rows_used = total
    intake.layout = f"{intake.layout}; {len(paths):,} files matching {text}"
    intake.source = f"{len(paths):,} files matching {text}"
    return Source(lines, intake.source, con, [remove], keep="table")


# --- Cleaning in the engine ------------------------------------------------------------


def _typed(column, kind: str, backend: str = "duckdb"):
    """The column as the report's type; unreadable values become null (SQLite, which
    has no TRY_CAST, reads text dates with its own date functions)."""
    dtype = column.type()

    def read(text, to):
        return text.cast(to) if backend == "sqlite" else text.try_cast(to)

    if kind == "date":
        if dtype.is_timestamp():  # microseconds: DuckDB misreads the year of nanoseconds
            return column.cast("timestamp(6)") if dtype.scale == 9 else column
        if dtype.is_date():
            return column.cast("timestamp")
        return read(column.cast("string").strip(), "timestamp")
    if kind == "number":
        if dtype.is_numeric():
            value = column.cast("float64")
        else:
            value = read(column.cast("string").strip().replace(",", ""), "float64")
        huge = 1.7976931348623157e308  # beyond it: infinite, unreadable as in a file
        return ((value > huge) | (value < -huge)).ifelse(ibis.null("float64"), value)
    if kind == "flag":
        if dtype.is_boolean() or dtype.is_numeric():
            return (column.cast("float64") == 1).ifelse(1.0, 0.0).fill_null(0.0)
        text = column.cast("string").strip().lower()
        return text.isin(list(inputs.TRUE_WORDS)).ifelse(1.0, 0.0).fill_null(0.0)
    text = column.cast("string").strip()
    return (text == "").ifelse(ibis.null("string"), text)


def clean(
    source: Source,
    mapping: dict[str, str] | None,
    intake: inputs.Intake,
    dedupe: bool = False,
    earliest: str = "1990-01-01",
    latest=None,
):
    """The cleaned order lines of ``source`` (an Ibis table, :data:`LINE_SCHEMA`), by
    the rules of ``inputs.clean_orders``: a blank or unreadable order date, customer
    or amount, an order date before ``earliest`` or after ``latest`` (default today)
    and, with order ids (or ``dedupe``), a row identical to an earlier one are
    rejected and counted; shipped or delivered dates before the order date are
    blanked and counted; negative amounts or quantities are returns."""
    raw = source.table
    columns = inputs.resolve_columns(list(raw.columns), mapping or {})
    wanted = {f: c for f, c in columns.items() if f in LINE_SCHEMA}
    intake.columns = dict(wanted)
    picked = raw.select(**{f: raw[c] for f, c in wanted.items()})
    stats = {"rows": picked.count()}
    dedupe = "order_id" in wanted or dedupe
    hashing = source.backend.name in ("duckdb", "pyspark")
    if dedupe and hashing:  # one 64-bit hash per row: the costly DISTINCT only if needed
        stats["distinct"] = ibis.struct({f: picked[f] for f in wanted}).hash().nunique()
    if "order_id" in wanted:
        stats["no_id"] = picked.order_id.isnull().cast("int64").sum()
    stats = source.run(picked.aggregate(**stats)).iloc[0]
    intake.rows_read = int(stats["rows"])
    if intake.rows_read == 0:
        raise InputError(f"{intake.source} has no rows")
    if dedupe and (not hashing or stats["distinct"] < stats["rows"]):
        picked = picked.distinct()
    blank = {}
    for name in inputs.REQUIRED:
        given = picked[name]
        blank[f"_blank_{name}"] = given.isnull()
        if given.type().is_string():
            blank[f"_blank_{name}"] = given.isnull() | (given.strip() == "")
    kind = source.backend.name
    typed = picked.mutate(**{f: _typed(picked[f], inputs.FIELDS[f], kind) for f in wanted}, **blank)
    first = pd.Timestamp(earliest)
    last = pd.Timestamp(latest) if latest is not None else pd.Timestamp.today().normalize()
    reasons = []
    for name in inputs.REQUIRED:
        reasons.append((typed[f"_blank_{name}"], f"blank {name}"))
        reasons.append((typed[name].isnull(), f"unreadable {name}"))
    reasons.append(
        (typed.order_date < first.to_pydatetime(), f"order date before {first:%Y-%m-%d}")
    )
    after = (last + pd.Timedelta(days=1)).to_pydatetime()
    reasons.append((typed.order_date >= after, f"order date after {last:%Y-%m-%d}"))
    why = ibis.cases(*reasons, else_=ibis.null("string"))
    typed = typed.mutate(reason=why).drop(*blank)
    # Everything else in the same pass: ids for lines without one, dates before their
    # order date blanked (and flagged, to count them), returns.
    if "order_id" not in typed.columns:
        typed = typed.mutate(order_id=(ibis.row_number() + 1).cast("string"))
    elif stats["no_id"]:  # numbering rows is a window over the whole log: only if needed
        row = "row-" + (ibis.row_number() + 2).cast("string")
        typed = typed.mutate(order_id=typed.order_id.fill_null(row))
    day = typed.order_date.truncate("D")
    early = {
        f"_early_{name}": (typed[name] < day).fill_null(False)
        for name in ("shipped_date", "delivered_date")
        if name in typed.columns
    }
    typed = typed.mutate(**early)
    typed = typed.mutate(
        **{
            name.removeprefix("_early_"): typed[name].ifelse(
                ibis.null("timestamp"), typed[name.removeprefix("_early_")]
            )
            for name in early
        }
    )
    returns = typed.amount < 0
    if "quantity" in typed.columns:
        returns = returns | (typed.quantity < 0).fill_null(False)
    # Classified (day, month, statuses) in the same pass, so the copy the engine keeps
    # is the one every aggregation reads (aggregates.classify).
    counted = source.materialize(
        aggregates.classify(typed.mutate(is_return=returns.fill_null(False)))
    )
    sums = {f"n{name}": counted[name].cast("int64").sum() for name in early}
    tally = source.run(counted.group_by("reason").aggregate(rows=counted.count(), **sums))
    distinct_rows = int(tally["rows"].sum())
    if intake.rows_read > distinct_rows:
        label = (
            "exact duplicate of an earlier row (same order id)"
            if "order_id" in wanted
            else "identical to an earlier row (dedupe is on)"
        )
        intake.rejected[label] += intake.rows_read - distinct_rows
    kept = tally[tally["reason"].isna()]
    for reason, rows in zip(tally["reason"], tally["rows"], strict=True):
        if isinstance(reason, str):
            intake.rejected[reason] += int(rows)
    intake.rows_used = int(kept["rows"].sum())
    if intake.rows_used == 0:
        reasons_text = ", ".join(f"{n:,} {r}" for r, n in intake.rejected.most_common())
        raise InputError(f"no usable rows in {intake.source}: {reasons_text}")
    for name in early:
        n = int(kept[f"n{name}"].sum())
        if n:
            field = name.removeprefix("_early_")
            intake.notes.append(f"{field}: {n:,} date(s) before their order date were left blank")
    lines = counted.filter(counted.reason.isnull()).drop("reason", *early)
    intake.layout = "columns matched by name" + (" and --map" if mapping else "")
    return lines
