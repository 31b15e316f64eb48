"""Issue 19: the report against real database servers (PostgreSQL 15 and MariaDB from
Debian, started here on 127.0.0.1): every sheet equals the CSV path's; a --query
that would write is refused and the data is unchanged; the session is read-only
even without the query check; secrets never show."""

from __future__ import annotations

import os
import sqlite3
import time
import traceback
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from tests.report import servers
from tests.report.compare import cells, differences
from xlbizops import sampledata
from xlbizops.cli import main
from xlbizops.report import sources
from xlbizops.report.build import run_report

ORDERS = 20_000
AS_OF = "2026-10-31"
DATES = ["order_date", "promised_date", "shipped_date", "delivered_date"]


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    folder = tmp_path_factory.mktemp("servers")
    csv = folder / "orders.csv"
    sampledata.write_orders(csv, ORDERS)
    frame = pd.read_csv(csv, parse_dates=DATES)
    reference, _ = run_report(str(csv), folder / "csv.xlsx", as_of=AS_OF)
    return folder, frame, cells(reference)


TEXT_DATES = pd.DataFrame(
    {
        "order_id": ["1", "2", "3"],
        "order_date": ["2026-01-05", "2026-02-31", "2026-01-07 10:30:00"],
        "customer_id": ["C1", "C2", "C3"],
        "amount": ["10", "$1,234.50", "(2.00)"],
    }
)


def _load(server, frame):
    import warnings

    import ibis

    with warnings.catch_warnings():  # MariaDB without time-zone tables: no 'UTC'
        warnings.filterwarnings("ignore", "Unable to set session timezone")
        con = ibis.connect(server.url)
    con.create_table("orders", schema=ibis.memtable(frame).schema())
    con.insert("orders", frame.astype(object).where(frame.notna(), None))
    con.create_table("text_dates", TEXT_DATES)
    con.create_table("victim", pd.DataFrame({"x": range(20_000)}))
    con.disconnect()
    # A function of the database's own that writes: the query check cannot know it.
    if isinstance(server, servers.Postgres):
        server.sql("CREATE FUNCTION wipe() RETURNS int LANGUAGE sql AS "
                   "'DELETE FROM victim; SELECT 1'", "shop")  # fmt: skip
        server.sql("CREATE SEQUENCE order_numbers", "shop")
    else:
        server.sql("CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA "
                   "BEGIN DELETE FROM victim; RETURN 1; END")  # fmt: skip


@pytest.fixture(scope="module")
def postgres(log):
    if servers.postgres_bin() is None:
        pytest.fail("PostgreSQL is not installed: run tests/setup.sh")
    with servers.Postgres() as server:  # noqa: SIM117 - one server for the module
        _load(server, log[1])
        yield server


@pytest.fixture(scope="module")
def mariadb(log):
    with servers.MariaDB() as server:
        _load(server, log[1])
        yield server


@pytest.fixture(params=["postgres", "mariadb"])
def server(request):
    return request.getfixturevalue(request.param)


def victim(server) -> tuple:
    """The row count and a checksum of the table no report may touch."""
    if isinstance(server, servers.Postgres):
        return tuple(
            server.sql("SELECT count(*), md5(string_agg(x::text, ',' ORDER BY x)) FROM victim",
                       "shop")[0]
        )  # fmt: skip
    return tuple(server.sql("SELECT count(*), sum(crc32(x)) FROM victim")[0])


def test_every_sheet_equals_the_csv_path(server, log, tmp_path):
    path, _ = run_report(server.url, tmp_path / "db.xlsx", as_of=AS_OF, table="orders")
    compared = cells(path)
    assert len(compared) > 5_000
    assert differences(log[2], compared) == []


def test_a_query_gives_the_table_numbers(postgres, log, tmp_path):
    path, _ = run_report(postgres.url, tmp_path / "q.xlsx", as_of=AS_OF,
                         query="WITH o AS (SELECT * FROM orders) SELECT * FROM o")  # fmt: skip
    assert differences(log[2], cells(path)) == []


def about(path) -> dict:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("About").to_python()
    out = {}
    for row in rows:
        if row and row[0] not in ("", None):
            out.setdefault(str(row[0]), []).append(row[1])
    return out


def test_text_values_are_read_as_in_a_file_on_every_server(server, tmp_path):
    """One unreadable date (31 February) is one counted rejection, not a failed cast;
    "$1,234.50" and "(2.00)" are read as the file path reads them."""
    code = main([
        "report", server.url, "--table", "text_dates", "--as-of", "2026-01-31",
        "-o", str(tmp_path / "t.xlsx"), "-q",
    ])  # fmt: skip
    assert code == 0
    facts = about(tmp_path / "t.xlsx")
    assert facts["rows used"] == [2.0]
    assert facts["  rejected: unreadable order_date"] == [1.0]
    csv = tmp_path / "t.csv"
    TEXT_DATES.to_csv(csv, index=False)
    assert main(["report", str(csv), "--as-of", "2026-01-31", "-o",
                 str(tmp_path / "f.xlsx"), "-q"]) == 0  # fmt: skip
    assert differences(cells(tmp_path / "f.xlsx"), cells(tmp_path / "t.xlsx")) == []


POSTGRES_WRITES = [
    "SELECT * FROM orders; DELETE FROM victim",
    "SELECT * FROM orders; DROP TABLE victim",
    "WITH gone AS (DELETE FROM victim RETURNING *) SELECT * FROM orders",
    "COPY (SELECT 1) TO PROGRAM 'touch /tmp/xlbizops-pwned'",
    "SELECT pg_sleep(30), * FROM orders",
    "SELECT *, pg_terminate_backend(pg_backend_pid()) FROM orders",
    "UPDATE victim SET x = 0",
    "SELECT * INTO copied FROM orders",
    "SELECT * FROM victim FOR UPDATE",
    "SELECT * FROM orders WHERE lo_create(0) > 0",  # runs even in a read-only session
]
MARIADB_WRITES = [
    "SELECT * FROM orders; DELETE FROM victim",
    "SELECT * FROM orders; DROP TABLE victim",
    "DELETE FROM victim",
    "SELECT SLEEP(30), o.* FROM orders o",
    "SELECT * FROM orders INTO OUTFILE '/tmp/xlbizops-pwned'",
    "SELECT GET_LOCK('x', 30)",
    "CALL nothing()",
]


@pytest.mark.parametrize("query", POSTGRES_WRITES)
def test_postgres_refuses_a_query_that_acts(postgres, query, tmp_path, capsys):
    before = victim(postgres)
    started = time.monotonic()
    code = main(["report", postgres.url, "--query", query, "-o", str(tmp_path / "r.xlsx"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--query must be" in err, err
    assert time.monotonic() - started < 10  # refused, not run
    assert victim(postgres) == before
    assert not os.path.exists("/tmp/xlbizops-pwned")


@pytest.mark.parametrize("query", MARIADB_WRITES)
def test_mariadb_refuses_a_query_that_acts(mariadb, query, tmp_path, capsys):
    before = victim(mariadb)
    code = main(["report", mariadb.url, "--query", query, "-o", str(tmp_path / "r.xlsx"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "--query must be" in err, err
    assert victim(mariadb) == before


def test_the_read_only_session_stops_a_write_the_query_check_cannot_see(server, tmp_path,
                                                                        capsys):  # fmt: skip
    """Both guards are needed: a SELECT calling a function of the database's own that
    deletes passes the query check (it cannot know what wipe() does); the read-only
    session refuses it."""
    before = victim(server)
    query = "SELECT * FROM orders WHERE wipe() = 1"
    code = main(["report", server.url, "--query", query, "-o", str(tmp_path / "r.xlsx"), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "read" in err.lower() and err.count("\n") == 1, err
    assert victim(server) == before


def test_the_read_only_session_alone_refuses_what_the_check_refuses(
    postgres, tmp_path, monkeypatch, capsys
):
    """With the query check switched off, a function that writes (a sequence's next
    value) reaches the server, which refuses it in the read-only session.  (Not every
    such function: Postgres lets lo_create run in a read-only transaction, which only
    the query check stops; see POSTGRES_WRITES.)"""
    monkeypatch.setattr(sources, "check_query", lambda query, scheme: query)
    value = "SELECT last_value, is_called FROM order_numbers"
    before = postgres.sql(value, "shop")
    query = "SELECT * FROM orders WHERE nextval('order_numbers') > 0"
    code = main(["report", postgres.url, "--query", query, "-o", str(tmp_path / "r.xlsx"), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "read-only transaction" in err, err
    assert postgres.sql(value, "shop") == before


def test_the_read_only_files_alone_stop_a_write(tmp_path, monkeypatch, capsys):
    """SQLite (mode=ro) and DuckDB (read_only) files, with the query check off: the
    write fails and the file's bytes are unchanged."""
    monkeypatch.setattr(sources, "check_query", lambda query, scheme: query)
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE orders (order_date TEXT, customer_id TEXT, amount REAL)")
        con.execute("INSERT INTO orders VALUES ('2026-01-05', 'C1', 10)")
    duck = tmp_path / "shop.duckdb"
    with duckdb.connect(str(duck)) as con:
        con.execute("CREATE TABLE orders AS SELECT DATE '2026-01-05' AS order_date, "
                    "'C1' AS customer_id, 10.0 AS amount")  # fmt: skip
    for url, query in (
        (f"sqlite:///{db}", "DELETE FROM orders RETURNING *"),
        (f"duckdb:///{duck}", "DELETE FROM orders RETURNING *"),
    ):
        path = Path(url.split(":///", 1)[1])
        before = path.read_bytes()
        code = main(["report", url, "--query", query, "-o", str(tmp_path / "r.xlsx"), "-q"])
        err = capsys.readouterr().err
        assert code == 1 and "read" in err.lower() and err.count("\n") == 1, err
        assert path.read_bytes() == before


# --- Secrets ------------------------------------------------------------------------------

TRICKY = "ab@cd:Secret9/x"  # a password with @, : and / in it


def secret_urls(port: int) -> list[tuple[str, str]]:
    """(url, secret) for every form a password comes in."""
    from urllib.parse import quote

    host = f"127.0.0.1:{port}"
    return [
        (f"postgres://shop:PlainSecret1@{host}/shop", "PlainSecret1"),
        (f"postgres://shop:{TRICKY}@{host}/shop", TRICKY),
        (f"postgres://shop:{quote(TRICKY, safe='')}@{host}/shop", TRICKY),
        (f"postgres://shop:{quote(TRICKY, safe='')}@{host}/shop", quote(TRICKY, safe="")),
        (f"postgresql://{host}/shop?user=shop&password=QuerySecret2", "QuerySecret2"),
        (f"postgres://{host}/shop?user=shop&pwd=PwdSecret3", "PwdSecret3"),
        (f"mysql://{host}/shop?user=shop&token=TokenSecret4", "TokenSecret4"),
        (f"postgres://{host}/shop?secret=SecretSecret5&user=shop", "SecretSecret5"),
        ("snowflake://shop:SnowSecret6@account/db/schema?key=KeySecret7", "SnowSecret6"),
        ("snowflake://shop:SnowSecret6@account/db/schema?key=KeySecret7", "KeySecret7"),
    ]


@pytest.mark.parametrize("url,secret", secret_urls(servers.free_port()))
def test_a_secret_never_shows_in_a_message_or_a_traceback(url, secret, tmp_path, capsys,
                                                           monkeypatch):  # fmt: skip
    assert secret in url or secret in url.replace("%40", "@").replace("%3A", ":").replace(
        "%2F", "/"
    )
    for query in ("SELECT * FROM orders", None):  # a failed connection; a refused query
        argv = ["report", url, "-o", str(tmp_path / "r.xlsx"), "-q"]
        argv += ["--query", query] if query else ["--query", "SELECT 1; DROP TABLE orders"]
        code = main(argv)
        err = capsys.readouterr().err
        assert code in (2, 3) and secret not in err, err
    config = tmp_path / "report.toml"  # the URL from a config file, as a nightly job has it
    config.write_text(f'[input]\norders = "{url}"\ntable = "orders"\n')
    main(["report", "--config", str(config), "-o", str(tmp_path / "r.xlsx"), "-q"])
    assert secret not in capsys.readouterr().err
    monkeypatch.setenv("XLBIZOPS_DEBUG", "1")
    monkeypatch.setattr(sources, "_read_only", lambda *a: 1 / 0)  # an unexpected failure
    try:
        main(["report", url, "--table", "orders", "-o", str(tmp_path / "r.xlsx"), "-q"])
    except Exception as err:  # noqa: BLE001 - the debug traceback is what is checked
        shown = "".join(traceback.format_exception(err))
        assert secret not in shown
    assert secret not in capsys.readouterr().err


@pytest.mark.parametrize("form", ["userinfo", "percent-encoded", "query string"])
def test_the_about_sheet_names_the_source_without_its_secret(postgres, form, tmp_path):
    from urllib.parse import quote

    postgres.sql(f"CREATE USER tricky_{form[0]} WITH PASSWORD '{TRICKY}'")
    postgres.sql(f"GRANT SELECT ON orders TO tricky_{form[0]}", "shop")
    host = f"127.0.0.1:{postgres.port}"
    user = f"tricky_{form[0]}"
    url = {
        "userinfo": f"postgres://{user}:{quote(TRICKY, safe='')}@{host}/shop",
        "percent-encoded": f"postgres://{user}:{quote(TRICKY, safe='@:')}@{host}/shop",
        "query string": f"postgres://{host}/shop?user={user}&password={quote(TRICKY)}",
    }[form]
    path, _ = run_report(url, tmp_path / "r.xlsx", as_of=AS_OF, table="orders")
    text = repr(CalamineWorkbook.from_path(str(path)).get_sheet_by_name("About").to_python())
    assert "127.0.0.1" in text and "***" in text
    assert TRICKY not in text and quote(TRICKY, safe="") not in text and "Secret9" not in text


def test_secrets_in_reads_every_form():
    assert sources.secrets_in("postgres://u:ab@cd@h/db") == ["ab@cd"]
    assert sources.secrets_in("postgres://u:p%40ss@h/db") == ["p%40ss", "p@ss"]
    assert sources.secrets_in("mysql://h/db?user=u&PASSWORD=x1&apikey=y2") == ["x1", "y2"]
    assert sources.secrets_in("postgres://u@h/db") == []
    assert sources.secrets_in("orders.csv") == []
    assert sources.redact("cannot connect to postgres://u:ab@cd@h/db", "postgres://u:ab@cd@h/db") \
        == "cannot connect to postgres://u:***@h/db"  # fmt: skip


@pytest.mark.parametrize("scheme", ["bigquery", "snowflake", "trino", "clickhouse", "mssql",
                                    "oracle"])  # fmt: skip
def test_the_backends_not_run_here_are_routed_to_ibis(scheme, monkeypatch, tmp_path, capsys):
    """Routing only: these services cannot be started here.  The URL reaches Ibis as
    given, and a refused connection is exit 3 without the password."""
    import ibis

    seen = []

    def connect(url):
        seen.append(url)
        raise ConnectionRefusedError("refused by the stand-in")

    monkeypatch.setattr(ibis, "connect", connect)
    url = f"{scheme}://shop:RoutedSecret8@example.invalid/db"
    code = main(["report", url, "--table", "orders", "-o", str(tmp_path / "r.xlsx"), "-q"])
    err = capsys.readouterr().err
    assert seen == [url]
    assert code == 3 and "cannot connect" in err and "RoutedSecret8" not in err, err
