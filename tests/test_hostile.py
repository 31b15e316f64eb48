"""The hostile-input battery (issue 19): every trial ends in a clear error or a correct
success; none in a cryptic message, an internal error, a traceback, a wrong success
or destroyed data.  The harness and the classes are in ``tests/hostile.py``."""

from __future__ import annotations

import sqlite3
import zipfile
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.hostile import FAILURES, Trial, run_all
from xlbizops.sampledata import generate_orders

WORKBOOKS = Path(__file__).parents[1] / "workbooks"
BASE = generate_orders(300, 3)
BASE_TEXT = BASE.assign(
    **{c: BASE[c].dt.strftime("%Y-%m-%d") for c in BASE.columns if c.endswith("_date")},
    **{
        c: BASE[c].astype(str)
        for c in BASE.columns
        if isinstance(BASE[c].dtype, pd.CategoricalDtype)
    },
)
ROWS = len(BASE)


def log(folder: Path, name="orders.csv", frame=None, **csv) -> str:
    """The base log (or ``frame``) written as ``name``; its path."""
    frame = BASE_TEXT if frame is None else frame
    path = folder / name
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    elif name.endswith(".xlsx"):
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, **csv)
    return str(path)


def text(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def tiny(rows: list[tuple]) -> str:
    """A CSV of order_id, order_date, customer_id, amount rows."""
    body = "\n".join(",".join(str(v) for v in row) for row in rows)
    return "order_id,order_date,customer_id,amount\n" + body + "\n"


def report(*args) -> list[str]:
    return ["report", *args, "-o", "report.xlsx", "-q"]


def report_to(output, *args) -> list[str]:
    return ["report", *args, "-o", str(output), "-q"]


def about(folder: Path) -> dict:
    """The About sheet: item -> value (notes and rejections as lists/dicts)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(folder / "report.xlsx"))
    rows = book.get_sheet_by_name("About").to_python()
    facts, notes, rejected = {}, [], {}
    for row in rows:
        if len(row) < 2 or row[0] in ("", None):
            continue
        key, value = str(row[0]), row[1]
        if key == "note":
            notes.append(str(value))
        elif key.startswith("  rejected: "):
            rejected[key.removeprefix("  rejected: ")] = int(value)
        else:
            facts[key] = value
    facts["notes"], facts["rejected"] = notes, rejected
    return facts


def sheet(folder: Path, name: str) -> list[list]:
    from python_calamine import CalamineWorkbook

    return (
        CalamineWorkbook.from_path(str(folder / "report.xlsx")).get_sheet_by_name(name).to_python()
    )


def used(n: int, **rejected):
    """A check: the report used ``n`` rows and rejected these (reason text -> count)."""

    def check(folder, result):
        facts = about(folder)
        assert int(facts["rows used"]) == n, facts
        for words, count in rejected.items():  # order_date matches "unreadable order_date"
            hits = {r: c for r, c in facts["rejected"].items() if words in r.replace(" ", "_")}
            assert sum(hits.values()) == count, (words, facts["rejected"])

    return check


def assert_quiet(result) -> None:
    """No line on stderr: no Java log, no stack, no progress bar."""
    assert result.err == "", result.err[:500]


def stored_as_text(folder: Path) -> bool:
    """Formula-looking text from every text column is in the report as text: the
    customers, SKUs and suppliers appear as strings, and no sheet holds a formula."""
    ids = customers_in_rfm(folder)
    assert ids and all(c.startswith("=HYPERLINK") for c in ids), ids[:3]
    every = {str(v) for name in ("Supply chain", "Risk") for row in sheet(folder, name)
             for v in row}  # fmt: skip
    assert "+SUM(A1)" in every and any(v.startswith("@cmd|SUP-") for v in every)
    with zipfile.ZipFile(folder / "report.xlsx") as book:
        parts = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        assert parts and not any(b"<f>" in book.read(n) or b"<f " in book.read(n)
                                 for n in parts)  # fmt: skip
    return True


def holds(predicate):
    """A check that ``predicate(folder)`` is true."""

    def check(folder, result):
        assert predicate(folder), "the output is not what the trial expects"

    return check


def noted(pattern: str, n: int | None = None):
    def check(folder, result):
        facts = about(folder)
        assert any(pattern in note for note in facts["notes"]), facts["notes"]
        if n is not None:
            assert int(facts["rows used"]) == n, facts["rows used"]

    return check


def customers_in_rfm(folder: Path) -> list[str]:
    rows = sheet(folder, "Customer list")
    for i, row in enumerate(rows):
        if row and row[0] == "Customer ID":
            out = []
            for r in rows[i + 1 :]:
                if not r or r[0] in ("", None):
                    break
                out.append(str(r[0]))
            return out
    raise AssertionError("no RFM table on Customer list")


# --- Database files ------------------------------------------------------------------------


def sqlite_db(folder: Path, frame=None, name="shop.db") -> str:
    path = folder / name
    with sqlite3.connect(path) as con:
        (BASE_TEXT if frame is None else frame).to_sql("orders", con, index=False)
        pd.DataFrame({"x": range(100)}).to_sql("victim", con, index=False)
    return str(path)


def duckdb_file(folder: Path) -> str:
    path = folder / "shop.duckdb"
    con = duckdb.connect(str(path))
    frame = BASE  # noqa: F841 - read by DuckDB's replacement scan
    con.execute("CREATE TABLE orders AS SELECT * FROM frame")
    con.execute("CREATE TABLE victim AS SELECT range AS x FROM range(100)")
    con.close()
    return str(path)


HOSTILE_QUERIES = {
    "delete": "SELECT * FROM orders; DELETE FROM victim",
    "drop": "SELECT * FROM orders; DROP TABLE victim",
    "update": "UPDATE victim SET x = 0",
    "cte-delete": "WITH gone AS (DELETE FROM victim RETURNING *) SELECT * FROM orders",
    "insert-select": "INSERT INTO victim SELECT 1",
    "attach": "ATTACH 'other.db' AS other",
    "pragma": "PRAGMA writable_schema = 1",
    "create": "CREATE TABLE t AS SELECT * FROM orders",
    "comment-hidden": "SELECT * FROM orders; -- fine\nDELETE FROM victim",
    "copy": "COPY orders TO 'stolen.csv'",
}


# --- Templates and refresh -------------------------------------------------------------------


def copy_book(folder: Path, name="book.xlsm") -> str:
    path = folder / name
    path.write_bytes((WORKBOOKS / "xlbizops.xlsm").read_bytes())
    return str(path)


def zip_without_types(folder: Path) -> str:
    path = folder / "book.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    return str(path)


def truncated_zip(folder: Path) -> str:
    data = (WORKBOOKS / "xlbizops.xlsx").read_bytes()
    return text(folder, "book.xlsx", data[: len(data) // 2])


def encrypted(folder: Path) -> str:
    """An OLE compound file, as Excel saves a password-protected workbook."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504
    body = "EncryptionInfo EncryptedPackage".encode("utf-16-le")
    return text(folder, "book.xlsx", header + body + b"\0" * 4096)


def previous_output(folder: Path, name: str) -> str:
    return text(folder, name, b"yesterday's output")


def stray_cell_workbook(folder: Path, dimension=True) -> str:
    """A small xlsx with the header in row 1 and one cell at XFD1048576."""
    path = folder / "orders.xlsx"
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + ('<dimension ref="A1:XFD1048576"/>' if dimension else "")
        + "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>order_date</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>customer_id</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>amount</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType'
            '="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application'
            '/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartNam'
            'e="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedoc'
            'ument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxml'
            'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schem'
            'as.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/'
            'workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlforma'
            'ts.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeD'
            'ocument/2006/relationships"><sheets><sheet name="Orders" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxml'
            'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schem'
            'as.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="workshe'
            'ets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return str(path)


def writing_started(folder: Path) -> bool:
    return any(".xlbizops-tmp-" in p.name for p in folder.iterdir())


def no_new_files(*allowed):
    def check(folder, result):
        extra = [p.name for p in folder.iterdir() if p.name not in allowed]
        assert not extra, extra

    return check


# --- The trials ------------------------------------------------------------------------------


def trials() -> list[Trial]:
    t = []

    def add(name, make, code=0, says="", check=None, **kw):
        t.append(Trial(name, make, code, says, check, **kw))

    ok = used(ROWS)
    # Outputs: never over an input, nowhere odd, whole or not at all.
    add("output is the input", lambda f: report_to(log(f), log(f)), 2,
        "is the input")  # fmt: skip
    add("output is a symlink to the input",
        lambda f: (Path(f / "link.xlsx").symlink_to(log(f)), ["report", log(f), "-o",
                   str(f / "link.xlsx"), "-q"])[1], 2, "is the input")  # fmt: skip
    add("config names the output as its orders",
        lambda f: (log(f, "orders.xlsx", BASE),
                   text(f, "report.toml", '[input]\norders = "orders.xlsx"\n'),
                   ["report", "--config", str(f / "report.toml"), "-o", str(f / "orders.xlsx"),
                    "-q"])[-1], 2, "is the input")  # fmt: skip
    add("config names the output as its inventory",
        lambda f: (log(f), text(f, "stock.xlsx", b"x"),
                   text(f, "report.toml", '[input]\ninventory = "stock.xlsx"\n'),
                   ["report", log(f), "--config", str(f / "report.toml"), "-o",
                    str(f / "stock.xlsx"), "-q"])[-1], 2, "is the input")  # fmt: skip
    add("a glob of inputs includes the output",
        lambda f: ([log(f, f"exp_{i}.xlsx", BASE.iloc[i * 100:(i + 1) * 100]) for i in range(3)],
                   ["report", str(f / "exp_*.xlsx"), "-o", str(f / "exp_2.xlsx"), "-q"])[1],
        2, "is the input|matches")  # fmt: skip
    add("a glob matches the previous output",
        lambda f: (log(f, "a.parquet", BASE), previous_output(f, "a.parquet.xlsx"),
                   ["report", str(f / "*"), "-o", str(f / "a.parquet.xlsx"), "-q"])[-1],
        2, "is the input")  # fmt: skip
    add("output in a missing folder is made", lambda f: report_to(f / "new" / "r.xlsx", log(f)),
        check=holds(lambda f: (f / "new" / "r.xlsx").stat().st_size > 10_000),
        changes=())  # fmt: skip
    add("output is a directory", lambda f: ((f / "out.xlsx").mkdir(),
        report_to(f / "out.xlsx", log(f)))[1], 3, "directory|folder")  # fmt: skip
    add(
        "output under a file",
        lambda f: report_to(f / "orders.csv" / "r.xlsx", log(f)),
        3,
        "not a directory|cannot write",
    )
    add("output in a read-only file system",
        lambda f: report_to("/proc/xlbizops-report.xlsx", log(f)), 3,
        "cannot write|read-only|permission|no such|not permitted")  # fmt: skip
    add("output not an xlsx", lambda f: report_to("r.xlsm", log(f)), 2, "must end in .xlsx")
    add("previous output kept when the input is bad",
        lambda f: (previous_output(f, "report.xlsx"),
                   report(text(f, "orders.csv", "a,b\n1,2\n")))[1],
        1, "no column for")  # fmt: skip
    add("sample-data over a workbook", lambda f: (previous_output(f, "report.xlsx"),
        ["sample-data", "-o", "report.xlsx"])[1], 2, r"\.csv or \.parquet")  # fmt: skip
    add(
        "sample-data --orders 0",
        lambda f: ["sample-data", "-o", "o.csv", "--orders", "0"],
        2,
        "at least 100",
    )
    add(
        "sample-data --orders -5",
        lambda f: ["sample-data", "-o", "o.csv", "--orders", "-5"],
        2,
        "at least 100",
    )
    add(
        "sample-data --orders 10",
        lambda f: ["sample-data", "-o", "o.csv", "--orders", "10"],
        2,
        "at least 100",
    )
    add(
        "sample-data --seed -1", lambda f: ["sample-data", "-o", "o.csv", "--seed", "-1"], 2, "seed"
    )
    add("sample-data 1000 orders", lambda f: ["sample-data", "-o", "o.csv", "--orders", "1000"],
        check=holds(lambda f: len(pd.read_csv(f / "o.csv")) == 1000))  # fmt: skip
    # Files that are not order logs.
    add("missing input", lambda f: report(str(f / "nope.csv")), 1, "does not exist")
    add("input is a directory", lambda f: ((f / "d.csv").mkdir(), report(str(f / "d.csv")))[1],
        1, "directory|not a file")  # fmt: skip
    add("empty file", lambda f: report(text(f, "o.csv", "")), 1, "empty")
    add(
        "header only",
        lambda f: report(text(f, "o.csv", "order_date,customer_id,amount\n")),
        1,
        "no data rows",
    )
    add("binary junk named .csv", lambda f: report(text(f, "o.csv", bytes(range(256)) * 64)), 1,
        "not a text|binary|not a CSV")  # fmt: skip
    add("NUL bytes in a CSV",
        lambda f: report(text(f, "o.csv", tiny([(1, "2025-01-02", "C1", 5)]).encode()
                              + b"2,2025-01-03,C\x002,7\n")), check=used(2))  # fmt: skip
    add("UTF-16 CSV", lambda f: report(text(f, "o.csv", BASE_TEXT.to_csv(index=False)
        .encode("utf-16"))), check=ok)  # fmt: skip
    add("UTF-8 and cp1252 mixed in one file",
        lambda f: report(text(f, "o.csv", tiny([(1, "2025-01-02", "José", 5)]).encode("utf-8")
                              + "2,2025-01-03,José,7\n".encode("cp1252"))),
        check=holds(lambda f: customers_in_rfm(f) == ["José"]))  # fmt: skip
    add("gb18030 CSV", lambda f: report(text(f, "o.csv", tiny([(1, "2025-01-02", "张三", 5),
        (2, "2025-01-03", "李四", 7)]).encode("gb18030"))),
        check=holds(lambda f: sorted(customers_in_rfm(f)) == sorted(["张三", "李四"])))  # fmt: skip
    add("semicolon CSV", lambda f: report(log(f, sep=";")), check=ok)
    add("tab-separated .txt", lambda f: report(log(f, "o.txt", sep="\t")), check=ok)
    add("a million blank lines", lambda f: report(text(f, "o.csv", tiny(
        [(1, "2025-01-02", "C1", 5)]) + "\n" * 1_000_000 + "2,2025-01-03,C2,7\n")),
        check=used(2))  # fmt: skip
    add("10,000 columns", lambda f: report(text(f, "o.csv", ",".join(
        ["order_date", "customer_id", "amount"] + [f"c{i}" for i in range(10_000)]) + "\n"
        + "\n".join(",".join(["2025-01-0" + str(d), f"C{d}", "5"] + ["1"] * 10_000)
                    for d in range(1, 4)) + "\n")), check=used(3))  # fmt: skip
    add("one column only", lambda f: report(text(f, "o.csv", "a\n1\n2\n")), 1, "single column")
    add("ragged rows", lambda f: report(text(f, "o.csv", tiny([(1, "2025-01-02", "C1", 5)])
        + "2,2025-01-03,C2,7,extra,cells\n3,2025-01-04\n")), check=used(2, blank=1))  # fmt: skip
    add(
        "xlsx with a stray cell at XFD1048576",
        lambda f: report(stray_cell_workbook(f)),
        1,
        "stray cells",
    )
    add("xlsx with a stray cell and no dimension", lambda f: report(stray_cell_workbook(
        f, dimension=False)), 1, "stray cells")  # fmt: skip
    add(
        "corrupt xlsx",
        lambda f: report(text(f, "o.xlsx", b"PK\x03\x04junk")),
        1,
        "cannot be read as a workbook",
    )
    add(
        "corrupt parquet",
        lambda f: report(text(f, "o.parquet", b"PAR1junkPAR1")),
        1,
        "cannot be read as Parquet",
    )
    add("xlsx order log", lambda f: report(log(f, "o.xlsx", BASE)), check=ok)
    add("parquet order log", lambda f: report(log(f, "o.parquet", BASE)), check=ok)
    # Sizes: one of everything.
    add(
        "one row",
        lambda f: report(text(f, "o.csv", tiny([(1, "2025-01-02", "C1", 5)]))),
        check=used(1),
    )
    add("one day", lambda f: report(text(f, "o.csv", tiny([(i, "2025-01-02", f"C{i}", i)
        for i in range(1, 40)]))), check=used(39))  # fmt: skip
    add("one customer", lambda f: report(text(f, "o.csv", tiny([(i, f"2025-01-{i:02d}", "C1", i)
        for i in range(1, 29)]))), check=used(28))  # fmt: skip
    add(
        "all cancelled",
        lambda f: report(log(f, frame=BASE_TEXT.assign(status="cancelled"))),
        1,
        "no sales.*cancelled",
    )
    add("all negative", lambda f: report(log(f, frame=BASE_TEXT.assign(
        amount=-BASE_TEXT.amount.abs(), quantity=-BASE_TEXT.quantity.abs()))), 1,
        "no sales.*refund")  # fmt: skip
    add("all amounts zero", lambda f: report(log(f, frame=BASE_TEXT.assign(amount=0.0,
        unit_price=0.0))), check=noted("no positive unit cost", ROWS))  # fmt: skip
    add("some prices zero", lambda f: report(log(f, frame=BASE_TEXT.assign(
        unit_price=BASE_TEXT.unit_price.where(BASE_TEXT.sku != BASE_TEXT.sku.iloc[-1], 0.0)))),
        check=noted("1 SKU(s) have no positive unit cost", ROWS))  # fmt: skip
    # Numbers.
    for label, value, n, rejected in [
        ("1.234,50", "1.234,50", 1, 1),
        ("$1,234.50", "$1,234.50", 2, 0),
        ("(12.00)", "(12.00)", 2, 0),
        ("1e308", "1e308", 1, 1),
        ("inf", "inf", 1, 1),
        ("NaN", "NaN", 1, 1),
        ("abc", "abc", 1, 1),
        ("1 000", "1 000", 1, 1),
        ("€12,50", "€12,50", 1, 1),
    ]:
        add(f"amount {label}", lambda f, v=value: report(text(f, "o.csv", tiny(
            [(1, "2025-01-02", "C1", 5)]) + f'2,2025-01-03,C2,"{v}"\n')),
            check=used(n, amount=rejected))  # fmt: skip
    add("two amounts of 1e308", lambda f: report(text(f, "o.csv", tiny(
        [(1, "2025-01-02", "C1", "1e308"), (2, "2025-01-03", "C2", "1e308"),
         (3, "2025-01-04", "C3", 5)]))), check=used(1, amount=2))  # fmt: skip
    add("amounts with a leading apostrophe", lambda f: report(text(f, "o.csv", tiny(
        [(1, "2025-01-02", "C1", "'5"), (2, "2025-01-03", "C2", 7)]))),
        check=used(1, amount=1))  # fmt: skip
    # Dates.
    for label, value, n in [
        ("1899", "1899-05-01", 1),
        ("2999", "2999-05-01", 1),
        ("Excel serial", "45660", 2),
        ("time zone offset", "2025-01-03T10:00:00+05:00", 2),
        ("Z time", "2025-01-03T10:00:00Z", 2),
        ("dd/mm/yyyy", "23/01/2025", 2),
        ("31 February", "2025-02-31", 1),
        ("empty", "", 1),
        ("words", "yesterday", 1),
    ]:
        add(f"order date {label}", lambda f, v=value: report(text(f, "o.csv", tiny(
            [(1, "2025-01-02", "C1", 5)]) + f"2,{v},C2,7\n")), check=used(n))  # fmt: skip
    add("mixed time-zone offsets", lambda f: report(text(f, "o.csv", tiny(
        [(1, "2025-01-02T23:00:00+05:00", "C1", 5), (2, "2025-01-03T01:00:00-08:00", "C2", 7),
         (3, "2025-01-04 10:00", "C3", 9)]))), check=used(3))  # fmt: skip
    add("Parquet dates in 2999", lambda f: report(log(f, "o.parquet", BASE.assign(
        order_date=BASE.order_date.astype(object).where(BASE.index > 0, pd.Timestamp(
            "2262-05-01"))))), check=used(ROWS - 1))  # fmt: skip
    # Columns.
    add("amount and Amount", lambda f: report(text(f, "o.csv",
        "order_date,customer_id,amount,Amount\n2025-01-02,C1,5,6\n")), 1,
        "amount.*Amount|two columns")  # fmt: skip
    add("order_date and Order Date", lambda f: report(text(f, "o.csv",
        "order_date,customer_id,amount,Order Date\n2025-01-02,C1,5,2025-01-03\n")), 1,
        "order_date.*Order Date|two columns")  # fmt: skip
    add("two columns of one name", lambda f: report(text(f, "o.csv",
        "order_date,customer_id,amount,amount\n2025-01-02,C1,5,6\n")), 1,
        "two columns")  # fmt: skip
    add("--map twice", lambda f: report(log(f), "--map", "amount=amount", "--map",
        "amount=unit_price"), 2, "twice|more than once")  # fmt: skip
    add(
        "--map to a missing column",
        lambda f: report(log(f), "--map", "amount=Net Sales"),
        1,
        "Net Sales.*not in the file",
    )
    add(
        "--map an unknown field",
        lambda f: report(log(f), "--map", "price=amount"),
        1,
        "unknown field",
    )
    add("--map without =", lambda f: report(log(f), "--map", "amount"), 2, "field=Column")
    add("unknown --preset", lambda f: report(log(f), "--preset", "ebay"), 2, "unknown.*preset|ebay")
    add(
        "wrong --preset",
        lambda f: report(log(f), "--preset", "shopify"),
        1,
        "Shopify|does not look like",
    )
    add("formula-looking text", lambda f: report(log(f, frame=BASE_TEXT.assign(
        customer_id="=HYPERLINK(\"http://x\")&" + BASE_TEXT.customer_id,
        sku="+SUM(A1)", supplier="@cmd|" + BASE_TEXT.supplier, status="-delivered"))),
        check=holds(stored_as_text))  # fmt: skip
    add("100,000-character ids", lambda f: report(text(f, "o.csv", tiny(
        [(1, "2025-01-02", "C" * 100_000, 5), (2, "2025-01-03", "C2", 7)]))),
        check=used(1, longer=1))  # fmt: skip
    # Globs.
    add("glob matching nothing", lambda f: report(str(f / "none_*.csv")), 1, "no file matches")
    add("glob of CSVs with different columns", lambda f: (
        log(f, "a_1.csv", BASE_TEXT.iloc[:150]),
        log(f, "a_2.csv", BASE_TEXT.iloc[150:][["order_id", "order_date", "customer_id",
                                                  "amount"]]),
        report(str(f / "a_*.csv")))[-1], check=ok)  # fmt: skip
    add("glob of Parquet with different columns", lambda f: (
        log(f, "a_1.parquet", BASE.iloc[:150]),
        log(f, "a_2.parquet", BASE.iloc[150:][["order_id", "order_date", "customer_id",
                                                 "amount"]]),
        report(str(f / "a_*.parquet")))[-1], check=ok)  # fmt: skip
    add("glob of CSV and Parquet", lambda f: (log(f, "a_1.csv"), log(f, "a_2.parquet", BASE),
        report(str(f / "a_*")))[-1], 1, "one kind")  # fmt: skip
    add("Parquet glob with text amounts", lambda f: (log(f, "p_1.parquet", pd.DataFrame({
        "order_id": ["1", "2", "3", "4", "5"], "order_date": ["2025-01-02"] * 5,
        "customer_id": ["C1", "C2", "C3", "C4", "C5"],
        "amount": ["1.234,50", "$1,234.50", "(12.00)", "abc", "7"]})),
        report(str(f / "p_*.parquet")))[-1], check=used(3, amount=2))  # fmt: skip
    add("Parquet glob with wrong column types", lambda f: (log(f, "p_1.parquet", pd.DataFrame({
        "order_date": [True, False], "customer_id": [1.5, 2.5], "amount": ["x", "y"]})),
        report(str(f / "p_*.parquet")))[-1], 1, "no usable rows")  # fmt: skip
    add("a glob file that cannot be read", lambda f: (log(f, "g_1.csv"),
        text(f, "g_2.csv", bytes(range(256)) * 64), report(str(f / "g_*.csv")))[-1], 1,
        "g_2.csv")  # fmt: skip
    # Databases.
    for label, query in HOSTILE_QUERIES.items():
        add(f"sqlite --query {label}", lambda f, q=query: report(
            "sqlite:///" + sqlite_db(f), "--query", q), 2,
            "one SELECT|only a SELECT|refus")  # fmt: skip
    for label in ("delete", "drop", "cte-delete", "attach", "copy", "create"):
        add(f"duckdb --query {label}", lambda f, q=HOSTILE_QUERIES[label]: report(
            "duckdb:///" + duckdb_file(f), "--query", q), 2,
            "one SELECT|only a SELECT|refus")  # fmt: skip
    add("sqlite --query SELECT", lambda f: report("sqlite:///" + sqlite_db(f), "--query",
        "SELECT * FROM orders WHERE amount > 0"),
        check=holds(lambda f: int(about(f)["rows read"])
                    == int((BASE.amount > 0).sum())))  # fmt: skip
    add("sqlite --query WITH", lambda f: report("sqlite:///" + sqlite_db(f), "--query",
        "WITH o AS (SELECT * FROM orders) SELECT * FROM o"), check=ok)  # fmt: skip
    add(
        "sqlite --table",
        lambda f: report("sqlite:///" + sqlite_db(f), "--table", "orders"),
        check=ok,
    )
    add("sqlite text amounts", lambda f: report("sqlite:///" + sqlite_db(f, pd.DataFrame({
        "order_id": ["1", "2", "3", "4", "5"], "order_date": ["2025-01-02"] * 5,
        "customer_id": ["C1", "C2", "C3", "C4", "C5"],
        "amount": ["1.234,50", "$1,234.50", "(12.00)", "abc", "7"]})), "--table", "orders"),
        check=used(3, amount=2))  # fmt: skip
    add("sqlite an unreadable date", lambda f: report("sqlite:///" + sqlite_db(f, pd.DataFrame({
        "order_id": ["1", "2"], "order_date": ["2025-01-02", "2025-02-31"],
        "customer_id": ["C1", "C2"], "amount": [5, 7]})), "--table", "orders"),
        check=used(1, order_date=1))  # fmt: skip
    add(
        "sqlite missing table",
        lambda f: report("sqlite:///" + sqlite_db(f), "--table", "nope"),
        1,
        "no table 'nope'.*orders",
    )
    add(
        "sqlite missing file",
        lambda f: report("sqlite:///missing.db", "--table", "orders"),
        1,
        "does not exist",
        check=no_new_files(),
    )
    add("sqlite file that is not a database", lambda f: report("sqlite:///" + text(
        f, "x.db", "not a database"), "--table", "orders"), 1,
        "not a database|cannot open")  # fmt: skip
    add("sqlite URL without --table", lambda f: report("sqlite:///" + sqlite_db(f)), 2, "--table")
    add("--query on a CSV", lambda f: report(log(f), "--query", "SELECT 1"), 2, "database URL")
    add("--table on a CSV", lambda f: report(log(f), "--table", "orders"), 2, "database URL")
    add("unknown URL scheme", lambda f: report("foo://x/y", "--table", "t"), 2, "unknown")
    add("postgres unreachable", lambda f: report("postgres://u:s3cret@127.0.0.1:1/db",
        "--table", "orders"), 3, "cannot connect", timeout=60)  # fmt: skip
    add("--engine spark with a URL", lambda f: report("sqlite:///" + sqlite_db(f), "--table",
        "orders", "--engine", "spark"), 2, "spark")  # fmt: skip
    add("bad --spark-master", lambda f: (log(f, "s_1.parquet", BASE), report(
        str(f / "s_*.parquet"), "--engine", "spark", "--spark-master", "nonsense"))[-1], 2,
        "spark master|master URL")  # fmt: skip
    add("unreachable Spark master", lambda f: (log(f, "s_1.parquet", BASE), report(
        str(f / "s_*.parquet"), "--engine", "spark", "--spark-master",
        "spark://127.0.0.1:1"))[-1], 3, "cannot reach the Spark master", timeout=30)  # fmt: skip
    add("a Spark report says nothing on stderr", lambda f: (log(f, "s_1.parquet", BASE), report(
        str(f / "s_*.parquet"), "--engine", "spark", "--spark-master", "local[1]"))[-1],
        check=lambda f, r: used(ROWS)(f, r) or assert_quiet(r), timeout=180)  # fmt: skip
    # Dates and settings on the command line and in report.toml.
    add("bad --as-of", lambda f: report(log(f), "--as-of", "31/12/2025"), 2, "yyyy-mm-dd")
    add(
        "--as-of before every order",
        lambda f: report(log(f), "--as-of", "2000-01-01"),
        1,
        "no usable rows.*after 2000-01-01",
    )
    add("config missing", lambda f: report(log(f), "--config", "nope.toml"), 1, "does not exist")
    add(
        "config not TOML",
        lambda f: report(log(f), "--config", text(f, "r.toml", "[input\n")),
        2,
        "not valid TOML",
    )
    add("config unknown key", lambda f: report(log(f), "--config", text(f, "r.toml",
        "[settings]\nservice_levl = 0.9\n")), 2, "unknown key")  # fmt: skip
    add("config unknown table", lambda f: report(log(f), "--config", text(f, "r.toml",
        "[output]\nx = 1\n")), 2, "unknown table")  # fmt: skip
    add("config orders is a list of missing files", lambda f: ["report", "--config", text(
        f, "r.toml", '[input]\norders = ["a.csv", "b.csv"]\n'), "-o", "report.xlsx", "-q"], 1,
        "a.csv does not exist")  # fmt: skip
    for label, value in [("a number", "5"), ("a list of numbers", "[1, 2]"), ("a boolean", "true")]:
        add(f"config orders is {label}", lambda f, v=value: ["report", "--config", text(
            f, "r.toml", f"[input]\norders = {v}\n"), "-o", "report.xlsx", "-q"], 2,
            "orders.*text|must be")  # fmt: skip
    add("config setting of the wrong type", lambda f: report(log(f), "--config", text(
        f, "r.toml", '[settings]\nservice_level = "high"\n')), 2, "service_level")  # fmt: skip
    add("config setting out of range", lambda f: report(log(f), "--config", text(
        f, "r.toml", "[settings]\nservice_level = 2\n")), 2, "service_level")  # fmt: skip
    add("config date_order wrong", lambda f: report(log(f), "--config", text(
        f, "r.toml", '[input]\ndate_order = "ymd"\n')), 2, "date_order")  # fmt: skip
    add("config as_of wrong type", lambda f: report(log(f), "--config", text(
        f, "r.toml", "[input]\nas_of = 20251231\n")), 2, "as-of|as_of")  # fmt: skip
    add("config engine unknown", lambda f: report(log(f), "--config", text(
        f, "r.toml", '[engine]\nname = "oracle"\n')), 2, "engine")  # fmt: skip
    add(
        "inventory missing",
        lambda f: report(log(f), "--inventory", "nope.csv"),
        1,
        "does not exist",
    )
    add("inventory without its columns", lambda f: report(log(f), "--inventory", text(
        f, "stock.csv", "a,b\n1,2\n")), 1, "needs column")  # fmt: skip
    add("inventory with a bad number", lambda f: report(log(f), "--inventory", text(
        f, "stock.csv", "sku,on_hand,unit_cost,lead_time_days\nSKU-00001,x,1,2\n")), 1,
        "on_hand.*line 2")  # fmt: skip
    # refresh
    add("refresh junk", lambda f: (previous_output(f, "out.xlsx"),
        ["refresh", text(f, "book.xlsx", b"junk" * 100), "-o", "out.xlsx"])[1], 3,
        "not an .xlsx|not a workbook")  # fmt: skip
    add("refresh truncated zip", lambda f: (previous_output(f, "out.xlsx"),
        ["refresh", truncated_zip(f), "-o", "out.xlsx"])[1], 3,
        "damaged|not a workbook|not an")  # fmt: skip
    add("refresh zip without content types", lambda f: (previous_output(f, "out.xlsx"),
        ["refresh", zip_without_types(f), "-o", "out.xlsx"])[1], 3,
        "not a workbook|Content_Types|damaged")  # fmt: skip
    add("refresh encrypted workbook", lambda f: (previous_output(f, "out.xlsx"),
        ["refresh", encrypted(f), "-o", "out.xlsx"])[1], 3, "password|encrypted")  # fmt: skip
    add("refresh missing", lambda f: ["refresh", "nope.xlsm", "-o", "out.xlsm"], 3, "no such")
    add(
        "refresh onto itself",
        lambda f: ["refresh", copy_book(f), "-o", "book.xlsm"],
        2,
        "is the input",
    )
    add(
        "refresh to another kind",
        lambda f: ["refresh", copy_book(f), "-o", "out.xlsx"],
        2,
        r"\.xlsm",
    )
    # Interruptions: exit 130, previous output intact, no temporary file left.
    add("Ctrl-C during report", lambda f: (previous_output(f, "report.xlsx"),
        ["report", "--sample", "--sample-orders", "60000", "-o", "report.xlsx", "-q"])[1], 130,
        "interrupted", interrupt_when=writing_started, timeout=180)  # fmt: skip
    add("Ctrl-C early in report", lambda f: (previous_output(f, "report.xlsx"),
        report(log(f)))[1], 130, "interrupted", interrupt_after=0.3)  # fmt: skip
    add("Ctrl-C during a Parquet-glob report", lambda f: (previous_output(f, "report.xlsx"),
        log(f, "g_1.parquet", BASE), log(f, "g_2.parquet", BASE),
        report(str(f / "g_*.parquet")))[-1], 130, "interrupted", interrupt_after=0.8)  # fmt: skip
    add("Ctrl-C during refresh", lambda f: (previous_output(f, "out.xlsm"),
        ["refresh", copy_book(f), "-o", "out.xlsm"])[1], 130, "interrupted",
        interrupt_after=1.5)  # fmt: skip
    for seconds in (2.0, 4.5):
        add(f"Ctrl-C during template build at {seconds} s", lambda f: ["template", "build",
            "-o", "wb"], 130, "interrupted", interrupt_after=seconds, timeout=180)  # fmt: skip
    add("Ctrl-C during sample-data", lambda f: ["sample-data", "-o", "o.csv", "--orders",
        "3000000"], 130, "interrupted", interrupt_after=1.0, timeout=180)  # fmt: skip
    return t


TRIALS = trials()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    results = run_all(TRIALS, tmp_path_factory.mktemp("hostile"))
    tally = Counter(kind for kind, _, _ in results.values())
    print("\nhostile battery:", ", ".join(f"{k} {n}" for k, n in tally.most_common()))
    return results


def test_the_battery_is_big_enough():
    assert len(TRIALS) >= 90
    assert len({t.name for t in TRIALS}) == len(TRIALS)


@pytest.mark.parametrize("trial", TRIALS, ids=[t.name for t in TRIALS])
def test_hostile(trial, outcomes):
    kind, why, result = outcomes[trial.name]
    assert kind not in FAILURES, f"{kind}: {why}"
    assert kind in ("clear error", "correct success")


def test_the_classes_catch_what_they_name(tmp_path):
    """The harness itself: an internal error, a traceback, a wrong success and a changed
    input are each classed as such (a battery that could not fail would prove nothing)."""
    from tests.hostile import Result, classify

    def result(code, err="", changed=(), out=""):
        return Result(code, out, err, 0.1, list(changed), [])

    error = Trial("e", lambda f: [], 1, "no column")
    assert classify(error, result(4, "internal error"), tmp_path)[0] == "internal"
    assert classify(error, result(-6), tmp_path)[0] == "internal"
    assert classify(error, result(1, "Traceback (most recent"), tmp_path)[0] == "traceback"
    assert classify(error, result(0), tmp_path)[0] == "wrong success"
    assert classify(error, result(1, "x: no column for a\n"), tmp_path)[0] == "clear error"
    assert classify(error, result(1, "x: what?\n"), tmp_path)[0] == "cryptic"
    assert classify(error, result(1, "no column\nmore\n"), tmp_path)[0] == "cryptic"
    assert classify(error, result(1, "no column", ["in.csv"]), tmp_path)[0] == "data destroyed"
    success = Trial("s", lambda f: [], check=lambda f, r: (_ for _ in ()).throw(AssertionError))
    assert classify(success, result(0), tmp_path)[0] == "wrong success"
    assert classify(success, result(1, "bad"), tmp_path)[0] == "cryptic"
    fine = Trial("f", lambda f: [], changes=("out.xlsx",))
    assert classify(fine, result(0, changed=["out.xlsx"]), tmp_path)[0] == "correct success"
