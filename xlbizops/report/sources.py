"""Order logs the report reads where they live: a glob of Parquet or CSV files, a
database table or query named by URL, or Spark — all through Ibis.

``open_source`` gives an Ibis table of the raw columns; ``clean`` applies the
messy-log rules of ``inputs.clean_orders`` inside the engine (rejections counted
by reason on the About sheet) and gives the cleaned lines ``orderlog.sums`` sums.
DuckDB, embedded, runs globs and DuckDB files with nothing to install or start;
other databases run the queries themselves; ``--engine spark`` hands them to a
Spark session.
"""

from __future__ import annotations

import contextlib
import glob as globbing
import os
import re
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import pandas as pd

from xlbizops.core.errors import InputError, UsageError
from xlbizops.orderlog import cleaning, rules, sums, values
from xlbizops.orderlog.schema import LINE_SCHEMA
from xlbizops.report import inputs
from xlbizops.workbook.atomic import remove_stale_temporaries

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
# Database drivers whose errors, while the report's queries run, are the database
# refusing (a read-only session, a missing privilege): one line, exit 1.
DRIVERS = ("psycopg", "MySQLdb", "_mysql", "sqlite3", "_sqlite3")
_DUCKDB_TYPES = {"string": "VARCHAR", "timestamp": "TIMESTAMP", "float64": "DOUBLE",
                 "boolean": "BOOLEAN"}  # fmt: skip
DUCKDB_MEMORY = "1500MB"  # spill to disk beyond this: logs bigger than memory
WORK_PREFIX = "xlbizops-duckdb-"  # + pid: the cleaned log, in the temporary folder


def _is_glob(text: str) -> bool:
    return not URL.match(text) and any(ch in text for ch in "*?[")


def _matching(pattern: str) -> list[str]:
    """The files a glob matches, sorted (``**`` goes into sub-folders)."""
    return sorted(globbing.glob(os.path.expanduser(pattern), recursive=True))


def input_files(text) -> list[str]:
    """The files an order log named by ``text`` reads: a glob's matches, a DuckDB or
    SQLite URL's file, the file itself; none for a database server."""
    if isinstance(text, list | tuple):
        return [name for item in text for name in input_files(item)]
    text = str(text)
    match = URL.match(text)
    if match:
        scheme = match.group(1).lower()
        return [_database_file(text)] if scheme in ("duckdb", "sqlite") else []
    return _matching(text) if _is_glob(text) else [text]


def _database_file(url: str) -> str:
    """sqlite:///shop.db is relative, sqlite:////srv/shop.db absolute."""
    rest = url.split("://", 1)[1]
    return rest[1:] if rest.startswith("/") else rest


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
    # how to hold the cleaned lines: "table" (DuckDB's working copy), "temp" (TEMP
    # tables of a SQLite file opened read-only), "cache" (Spark); "" not at all
    keep: str = ""
    held: int = 0  # tables made by materialize

    def run(self, expr):
        try:
            return sums.fetch(expr)
        except Exception as err:
            if type(err).__module__.split(".")[0] in DRIVERS:
                raise InputError(
                    f"{self.name}: the database refused a query: {_first_line(err)}"
                ) from None
            raise

    def materialize(self, expr):
        """Work out ``expr`` once when its source is files, not at every aggregation."""
        if self.keep in ("table", "temp"):
            self.held += 1
            temp = self.keep == "temp"  # a read-only database file: its TEMP tables
            return self.backend.create_table(f"xlbizops_lines_{self.held}", expr, temp=temp)
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
    remove_stale_temporaries(base, WORK_PREFIX)  # of runs killed before they could
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


def require_url_for(orders, table: str | None, query: str | None) -> None:
    """``--table`` and ``--query`` name something in a database: with files (one, several
    or a glob) they are a usage error, not silently ignored."""
    if (table or query) and not (isinstance(orders, str) and URL.match(orders)):
        raise UsageError("--table and --query go with a database URL, not with files")


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
    require_url_for(text, table, query)
    match = URL.match(text)
    if match is None:
        paths, kind = _files(text)
        if engine == "spark":
            return _spark_files(paths, kind, text, spark_master)
        con, remove = _duckdb()
        reader = con.read_parquet if kind == "parquet" else con.read_csv
        try:  # files with more or fewer columns: matched by name, the missing ones null
            raw = reader(paths, table_name="orders_raw", union_by_name=True)
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
    if query:
        query = check_query(query, scheme)
    con = _connect(text, scheme)
    return _from_database(con, text, table, query)


# sqlglot's dialect for each URL scheme (the rest share their scheme's name).
DIALECTS = {"postgresql": "postgres", "mssql": "tsql"}
# Functions that act rather than read: sleep, lock, signal, write or read server files,
# run text as SQL, change settings or sequences.  A --query may call none of them.
ACTING_FUNCTIONS = {
    "benchmark", "cursor_to_xml", "get_lock", "load_extension", "load_file", "nextval",
    "pg_cancel_backend", "pg_create_restore_point", "pg_file_write", "pg_logical_emit_message",
    "pg_ls_dir", "pg_notify", "pg_read_binary_file", "pg_read_file", "pg_reload_conf",
    "pg_rotate_logfile", "pg_stat_file", "pg_switch_wal", "pg_terminate_backend",
    "query_to_xml", "query_to_xml_and_xmlschema", "query_to_xmlschema", "readfile",
    "release_lock", "set_config", "setval", "sleep", "writefile",
}  # fmt: skip
ACTING_PREFIXES = ("pg_sleep", "pg_advisory", "pg_try_advisory", "lo_", "dblink")


def check_query(query: str, scheme: str) -> str:
    """``--query`` must be exactly one SELECT (``WITH … SELECT``, a UNION of SELECTs):
    no second statement, no INSERT, UPDATE, DELETE or MERGE (not even inside a WITH), no
    DDL, COPY, CALL, SET, PRAGMA, ATTACH, SELECT … INTO or FOR UPDATE, and no function
    that acts (:data:`ACTING_FUNCTIONS`).  Read with sqlglot in the database's dialect;
    text it cannot read is refused too.  This guard stands beside the read-only
    connection (:func:`_connect`): each alone could miss what the other catches (a
    function of the database's own that writes passes this check; the session stops
    it).  Returns the statement as sqlglot writes it, to run instead of the text."""
    import logging

    import sqlglot
    from sqlglot import exp

    dialect = DIALECTS.get(scheme, scheme)
    quiet = logging.getLogger("sqlglot")
    level, quiet.level = quiet.level, logging.CRITICAL  # "falling back to a Command"
    try:
        parsed = sqlglot.parse(query, read=dialect)
    except sqlglot.errors.SqlglotError as err:
        found = getattr(err, "errors", None) or [{}]
        where = found[0]
        reason = (
            f"a syntax error at line {where['line']}, column {where['col']}"
            if where.get("line")
            else " ".join(re.sub(r"\x1b\[[0-9;]*m", "", str(err)).split())[:120]
        )
        raise UsageError(
            f"--query must be one SELECT, and this one could not be read as one ({reason}); "
            "use --table, or a view made in the database"
        ) from None
    finally:
        quiet.level = level
    statements = [s for s in parsed if s is not None and not isinstance(s, exp.Semicolon)]
    refuse = "--query must be exactly one SELECT (or WITH … SELECT); "
    if len(statements) != 1:
        raise UsageError(refuse + f"this text holds {len(statements)} statements")
    statement = statements[0]
    while isinstance(statement, exp.Subquery):
        statement = statement.this
    if not isinstance(statement, exp.Select | exp.SetOperation):
        kind = statement.key.upper() if statement.key != "command" else statement.name.upper()
        raise UsageError(refuse[:-2] + f", not {kind}")
    acting = tuple(
        getattr(exp, name)
        for name in ("DML", "Create", "Drop", "Alter", "Command", "Copy", "Pragma", "Set",
                     "Into", "Lock", "Transaction", "Commit", "Rollback", "Use")
        if hasattr(exp, name)
    )  # fmt: skip
    for node in statement.walk():
        if isinstance(node, acting):
            what = node.key.upper() if not isinstance(node, exp.Lock) else "FOR UPDATE"
            raise UsageError(refuse + f"this one contains {what}")
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name in ACTING_FUNCTIONS or name.startswith(ACTING_PREFIXES):
                raise UsageError(refuse + f"it may not call {name}(), which acts on the server")
    return statements[0].sql(dialect=dialect)  # the one statement, without its ";"


def _connect(url: str, scheme: str):
    if scheme in ("duckdb", "sqlite"):
        path = _database_file(url)
        if not Path(path).is_file():  # opening would create an empty database there
            raise InputError(
                f"database file {path} does not exist ({scheme}:/// and a relative path, "
                f"or {scheme}://// and an absolute one)"
            )
        try:
            if scheme == "duckdb":
                return ibis.duckdb.connect(path, read_only=True)
            return _sqlite_read_only(path)
        except Exception as err:  # noqa: BLE001 - the driver says what is wrong
            raise InputError(f"cannot open {url}: {_first_line(err)}") from None
    try:
        with warnings.catch_warnings():  # MySQL without time-zone tables: set below
            warnings.filterwarnings("ignore", "Unable to set session timezone")
            con = ibis.connect(url)
    except ModuleNotFoundError as err:
        extra = SCHEMES[scheme]
        package = "xlbizops" if extra in ("postgres", "mysql") else "ibis-framework"
        raise UsageError(
            f"{scheme}:// needs its driver: pip install '{package}[{extra}]' ({err.name} missing)"
        ) from None
    except Exception as err:  # noqa: BLE001 - a refused connection, a wrong password
        # An OSError: like a file that cannot be read, exit code 3.
        raise ConnectionError(f"cannot connect to {_redacted(url)}: {_first_line(err)}") from None
    _read_only(con, scheme, url)
    return con


# How each server is told that this session reads only (and MySQL that its clock is
# UTC, by offset: a server without time-zone tables knows no 'UTC').  BigQuery, Snowflake and the
# others have no such switch the report can set: there --query's check alone guards.
READ_ONLY_SESSION = {
    "postgres": ["SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
                 "SET default_transaction_read_only = on"],
    "mysql": ["SET SESSION TRANSACTION READ ONLY", "SET time_zone = '+00:00'"],
}  # fmt: skip


def _read_only(con, scheme: str, url: str) -> None:
    """Set the session read-only before any query runs, and check that it took."""
    name = con.name
    for statement in READ_ONLY_SESSION.get(name, []):
        con.raw_sql(statement).close()
    if name == "postgres":
        (setting,) = con.raw_sql("SHOW transaction_read_only").fetchone()
        if setting != "on":
            raise ConnectionError(f"{_redacted(url)}: the session could not be made read-only")
    if name == "mysql":
        setting = None
        for variable in ("transaction_read_only", "tx_read_only"):  # MySQL 8; MariaDB
            try:
                cursor = con.raw_sql(f"SELECT @@session.{variable}")
            except Exception:  # noqa: BLE001 - the server does not know this name
                continue
            (setting,) = cursor.fetchone()
            cursor.close()
            break
        if setting is None or int(setting) != 1:
            raise ConnectionError(f"{_redacted(url)}: the session could not be made read-only")


def _sqlite_read_only(path: str):
    """A SQLite file opened read-only (``mode=ro``): nothing run on it can change the
    file.  Its TEMP tables, kept in memory, hold what the report works out once."""
    import sqlite3
    from urllib.parse import quote

    con = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)
    con.execute("PRAGMA temp_store = MEMORY")
    con.execute("SELECT count(*) FROM sqlite_master").fetchone()  # not a database: now
    return ibis.sqlite.from_connection(con)


# Query-string keys whose values are secrets (compared without case).
SECRET_KEYS = ("password", "passwd", "pwd", "secret", "token", "key", "credentials")


def secrets_in(url) -> list[str]:
    """The secrets a database URL holds, as written and percent-decoded: the password of
    its user part (which may itself hold ``@``, ``:`` or ``/``: the user part runs to
    the last ``@`` before the query string) and the values of query-string keys such
    as ``password=``, ``pwd=``, ``token=``, ``secret=`` or ``key=``."""
    from urllib.parse import unquote, unquote_plus

    if not isinstance(url, str) or not URL.match(url):
        return []
    rest = url.split("://", 1)[1]
    before, _, query = rest.partition("?")
    found = []
    if "@" in before:
        found.append(before.rsplit("@", 1)[0].partition(":")[2])
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if any(word in unquote_plus(key).lower() for word in SECRET_KEYS):
            found.append(value)  # as written; decoded below
    found += [unquote(secret) for secret in found] + [unquote_plus(secret) for secret in found]
    return sorted({secret for secret in found if secret}, key=lambda t: (-len(t), t))


def redact(text: str, *urls) -> str:
    """``text`` with every secret of ``urls`` (:func:`secrets_in`) written as ***: the
    one way a source is named in a message, a log line or the About sheet."""
    for url in urls:
        for secret in secrets_in(url):
            text = text.replace(secret, "***")
    return text


def _redacted(url: str) -> str:
    """The URL without its secrets."""
    return redact(url, url)


@contextlib.contextmanager
def secrets_hidden(*urls):
    """Whatever fails inside says nothing of ``urls``' secrets: the messages of the
    exception and of every exception chained to it are redacted (so the traceback
    under ``XLBIZOPS_DEBUG=1`` shows none either)."""
    try:
        yield
    except BaseException as err:
        seen = set()
        while err is not None and id(err) not in seen:
            seen.add(id(err))
            err.args = tuple(redact(a, *urls) if isinstance(a, str) else a for a in err.args)
            err = err.__cause__ or err.__context__
        raise


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
            raw = con.sql(query, schema=_query_schema(con, query))
        except Exception as err:  # noqa: BLE001 - the database's parser says where
            raise InputError(f"the query does not run on {where}: {_first_line(err)}") from None
        name = f"a query on {where}"
    keep = "temp" if con.name == "sqlite" else ""
    return Source(raw, name, con, [con.disconnect], keep=keep)


def _query_schema(con, query: str):
    """The columns a query gives, for Postgres read from the query itself (``LIMIT 0``):
    Ibis would make a temporary view to learn them, which a read-only session refuses.
    None elsewhere (Ibis asks the backend)."""
    if con.name != "postgres":
        return None
    from ibis.backends.sql.datatypes import PostgresType

    with con.con.cursor() as cursor:
        cursor.execute(f"SELECT * FROM (\n{query}\n) AS xlbizops_query LIMIT 0")
        columns = [(d.name, d.type_display) for d in cursor.description]
    con.con.rollback()  # the read-only transaction the probe opened
    return ibis.schema({name: PostgresType.from_string(kind) for name, kind in columns})


def _spark_files(paths: list[str], kind: str, pattern: str, master: str | None) -> Source:
    session = spark_session(master)
    reader = session.read.option("header", "true").option("inferSchema", "true")
    reader = reader.option("mergeSchema", "true")  # Parquet files with more or fewer columns
    try:
        frame = reader.parquet(*paths) if kind == "parquet" else reader.csv(paths)
        if kind == "parquet":
            frame = _nanoseconds_as_timestamps(frame, paths)
    except Exception as err:  # noqa: BLE001 - Spark's analysis error names the file
        raise InputError(f"cannot read {pattern}: {_first_line(err)}") from None
    frame.createOrReplaceTempView("orders_raw")
    con = ibis.pyspark.connect(session)
    name = f"{len(paths):,} {kind} file(s) matching {pattern}"
    return Source(con.table("orders_raw"), name, con, keep="cache")


def _nanoseconds_as_timestamps(frame, paths: list[str]):
    """Timestamps in nanoseconds (what pandas writes to Parquet), which Spark reads only
    as whole numbers (``nanosAsLong``), made timestamps again, to the microsecond."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.sql import functions as F  # noqa: N812 - pyspark's own convention

    nanos = set()
    for path in paths:
        for item in pq.read_schema(path):
            if pa.types.is_timestamp(item.type) and item.type.unit == "ns":
                nanos.add(item.name)
    for name in sorted(nanos & set(frame.columns)):
        frame = frame.withColumn(name, F.timestamp_micros(F.floor(F.col(name) / 1000)))
    return frame


SPARK_MASTER = re.compile(
    r"^(local(\[(\*|[0-9]+)(,[0-9]+)?\])?|local-cluster\[[0-9]+,[0-9]+,[0-9]+\]|yarn"
    r"|spark://[^\s:/,]+:[0-9]+(,[^\s:/,]+:[0-9]+)*|k8s://\S+|mesos://\S+)$"
)
SPARK_CONNECT_SECONDS = 10  # to reach a standalone master before Spark itself tries (60 s)


def _check_spark_master(master: str) -> None:
    """A master URL of Spark's forms, and a standalone master that answers: a wrong
    one is a usage error, an unreachable one a connection error (exit 3), each in one
    line and seconds, not after Spark's minute of retries and a Java stack."""
    import socket

    if not SPARK_MASTER.match(master):
        raise UsageError(
            f"Spark master URL {master!r} is not one Spark takes: local[*], local[N], "
            "spark://host:port, yarn or k8s://…"
        )
    if master.startswith("spark://"):
        for address in master.removeprefix("spark://").split(","):
            host, port = address.rsplit(":", 1)
            try:
                socket.create_connection((host, int(port)), SPARK_CONNECT_SECONDS).close()
                return
            except OSError as err:
                reason = err.strerror or type(err).__name__
        raise ConnectionError(f"cannot reach the Spark master {master}: {reason}")


def spark_session(master: str | None = None):
    """A Spark session on ``master`` (default ``local[*]``), in UTC so that dates are
    the days written in the log.

    Spark's Java side writes its log, warnings and stacks to the process's stderr; it
    is started with stderr sent to a log file in the temporary folder instead (kept
    with ``XLBIZOPS_DEBUG=1``, which leaves stderr alone), so a scheduler sees the one
    line the report prints.  The console progress bars show only on a terminal."""
    # pyspark 4 warns at every conversion that pandas 3 is newer than it knows; the
    # report's conversions (small aggregates) are checked against DuckDB's by the tests.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError:
        raise UsageError("--engine spark needs pyspark: pip install 'xlbizops[spark]'") from None
    master = master or "local[*]"
    _check_spark_master(master)
    builder = SparkSession.builder.master(master).appName("xlbizops report")
    builder = (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", str(sys.stderr.isatty()).lower())
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.legacy.parquet.nanosAsLong", "true")  # _nanoseconds_as_timestamps
    )
    if os.environ.get("XLBIZOPS_DEBUG"):
        return builder.getOrCreate()
    folder = Path(tempfile.gettempdir())
    remove_stale_temporaries(folder, "xlbizops-spark-")  # of runs that have ended
    log = folder / f"xlbizops-spark-{os.getpid()}.log"
    sys.stderr.flush()
    saved = os.dup(2)
    with open(log, "ab") as sink:
        os.dup2(sink.fileno(), 2)  # the Java process inherits this stderr, for its life
    try:
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return session
    except Exception as err:  # noqa: BLE001 - Py4J and Spark raise many kinds
        raise ConnectionError(
            f"Spark could not start on {master}: {_first_line(err)} (its log: {log})"
        ) from None
    finally:
        os.dup2(saved, 2)
        os.close(saved)


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
    table, total, with_ids, held = "exports", 0, True, []
    try:
        for number, path in enumerate(paths, 1):
            try:
                lines, part = inputs.read_orders(path, mapping, preset=preset, **reading)
            except InputError as err:
                name = Path(path).name
                raise InputError(str(err) if name in str(err) else f"{name}: {err}") from None
            with_ids &= "order_id" in part.columns
            if "order_id" not in part.columns:  # numbered per file: make them distinct
                lines["order_id"] = f"{number}-" + lines["order_id"]
            intake.rows_read += part.rows_read
            intake.rejected.update(part.rejected)
            intake.notes.extend(f"{Path(path).name}: {note}" for note in part.notes)
            intake.columns = {**part.columns, **intake.columns}
            intake.layout = part.layout
            arrow = sums.arrow_lines(lines, fields=held)
            if number == 1:
                con.create_table(table, ibis.memtable(arrow))
            else:
                for name in arrow.column_names:  # a field this file has and earlier ones lack
                    if name not in held:
                        con.raw_sql(f'ALTER TABLE {table} ADD COLUMN "{name}" '
                                    f"{_DUCKDB_TYPES[LINE_SCHEMA[name]]}")  # fmt: skip
                con.insert(table, ibis.memtable(arrow).select(*con.table(table).columns))
            held = list(con.table(table).columns)
            total += len(lines)
        lines = con.table(table)
        if with_ids:
            # the one copy kept: distinct lines, classified for the aggregations
            unique = con.create_table("exports_distinct", sums.classify(lines.distinct()))
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


def _reads_text(column, kind: str) -> bool:
    """Whether a date column is read from text (not a date or timestamp type)."""
    dtype = column.type()
    return kind == "date" and not (dtype.is_timestamp() or dtype.is_date())


def _typed(column, kind: str, clock=None):
    """The column as the report's type, read by its kind's parser
    (``orderlog.values``); unreadable values become null, as in a file (a date read
    from text is ``values.timestamp_expr`` of its ``clock``)."""
    if kind == "date":
        dtype = column.type()
        if dtype.is_timestamp():  # microseconds: DuckDB misreads the year of nanoseconds
            return column.cast("timestamp(6)") if dtype.scale == 9 else column
        if dtype.is_date():
            return column.cast("timestamp")
        return values.timestamp_expr(clock)
    if kind == "number":
        return values.number_expr(column)
    if kind == "flag":
        return values.flag_expr(column)
    return values.text_expr(column)


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
        stats["no_id"] = sums.ones(picked.order_id.isnull()).sum()
    stats = source.run(picked.aggregate(**stats)).iloc[0]
    intake.rows_read = int(stats["rows"])
    if intake.rows_read == 0:
        raise InputError(f"{intake.source} has no rows")
    if dedupe and (not hashing or stats["distinct"] < stats["rows"]):
        picked = picked.distinct()
    blank = {cleaning.blank_flag(f): values.blank_expr(picked[f]) for f in inputs.REQUIRED}
    kinds = {f: inputs.FIELDS[f] for f in wanted}
    clocks = {f"_clock_{f}": values.clock_expr(picked[f].cast("string").strip())
              for f in wanted if _reads_text(picked[f], kinds[f])}  # fmt: skip
    staged = picked.mutate(**clocks, **blank)
    typed = staged.mutate(
        **{
            f: _typed(
                staged[f], kinds[f], staged[f"_clock_{f}"] if f"_clock_{f}" in clocks else None
            )
            for f in wanted
        }  # fmt: skip
    ).drop(*clocks)
    last = pd.Timestamp(latest) if latest is not None else pd.Timestamp.today().normalize()
    reasons = [  # the file reader's reasons too (orderlog.cleaning)
        (rules.expr(rejection.rule, typed), rejection.reason)
        for rejection in cleaning.rejections(earliest, last)
    ]
    why = ibis.cases(*reasons, else_=ibis.null("string"))
    typed = typed.mutate(reason=why).drop(*blank)
    # Everything else in the same pass: ids for lines without one, dates before their
    # order date blanked (and flagged, to count them), returns.
    if "order_id" not in typed.columns:
        typed = typed.mutate(order_id=(ibis.row_number() + 1).cast("string"))
    elif stats["no_id"]:  # numbering rows is a window over the whole log: only if needed
        row = "row-" + (ibis.row_number() + 2).cast("string")
        typed = typed.mutate(order_id=typed.order_id.fill_null(row))
    early = {
        f"_early_{name}": rules.expr(cleaning.early(name), typed)
        for name in cleaning.EARLY_BLANKED
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
    if cleaning.derives_price(typed.columns):
        typed = typed.mutate(unit_price=cleaning.derived_price_expr(typed))
        intake.notes.append(cleaning.PRICE_NOTE)
    returns = rules.expr(rules.RETURN_LINE, typed)
    # Classified (day, month, statuses) in the same pass, so the copy the engine keeps
    # is the one every aggregation reads (sums.classify).
    counted = source.materialize(sums.classify(typed.mutate(is_return=returns)))
    totals = {f"n{name}": sums.ones(counted[name]).sum() for name in early}
    totals["nreturns"] = sums.ones(counted.is_return).sum()
    tally = source.run(counted.group_by("reason").aggregate(rows=counted.count(), **totals))
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
    returns = int(kept["nreturns"].sum())
    if returns:
        intake.notes.append(inputs.returns_note(returns))
    lines = counted.filter(counted.reason.isnull()).drop("reason", *early)
    intake.layout = "columns matched by name" + (" and --map" if mapping else "")
    return lines
