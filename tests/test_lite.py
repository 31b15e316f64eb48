"""The Lite scripts, run by xlwings' own ``custom_scripts_call`` on xlwings' remote book
(what a Lite script gets), in a child process on the Office.js path with the desktop
packages blocked (``tests.excel.officejs``).

A script reads a JSON snapshot of the workbook, as the add-in sends it: date cells
arrive as serial numbers and empty cells as empty text.  What it changes comes back
as a list of actions for the add-in to apply.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.excel.officejs import ask
from xlbizops.excel.catalogue import function_names
from xlbizops.excel.cells import excel_serial
from xlbizops.sampledata import COLUMNS
from xlbizops.template.sheets import TEMPLATE_ORDERS, template_orders

ROOT = Path(__file__).parents[1]


def snapshot(sheets: dict[str, list[list]]) -> dict:
    return {
        "client": "Office.js",
        "version": "0.37.8",
        "book": {"name": "Shop.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": [
            {"name": name, "values": values, "pictures": [], "tables": []}
            for name, values in sheets.items()
        ],
    }


def office_values(orders: pd.DataFrame) -> list[list]:
    """The Data sheet as Office.js reads it: dates as serials, blanks as ""."""
    rows = [list(orders.columns)]
    for record in orders.itertuples(index=False):
        rows.append(
            [
                ""
                if pd.isna(v)
                else excel_serial(v.to_pydatetime())
                if isinstance(v, pd.Timestamp)
                else v.item()
                if hasattr(v, "item")
                else v
                for v in record
            ]
        )
    return rows


@pytest.fixture(scope="module")
def orders():
    return template_orders()


@pytest.fixture(scope="module")
def actions(orders):
    empty = snapshot({"Sheet1": [[""]]})
    with_data = snapshot({"Start": [[""]], "Data": office_values(orders)})
    header_and_two = snapshot({"Data": office_values(orders.head(2))})
    requests = [
        {"op": "script", "name": "xlbizops_load_sample_data", "book": empty},
        {"op": "script", "name": "xlbizops_clear_data", "book": header_and_two},
        {"op": "script", "name": "xlbizops_list_functions", "book": empty},
        {"op": "script", "name": "xlbizops_build_report", "book": with_data},
        {"op": "script", "name": "xlbizops_build_report", "book": empty},
    ]
    answers = ask(requests)
    names = ["load", "clear", "functions", "report", "report_empty"]
    return {n: a["actions"] for n, a in zip(names, answers, strict=True)}


def written(actions, func="setValues"):
    return [a for a in actions if a["func"] == func]


def test_load_sample_data_adds_a_data_sheet_with_the_orders(actions, orders):
    assert actions["load"][0] == {**actions["load"][0], "func": "addSheet"}
    assert actions["load"][0]["args"][1] == "Data"
    (values,) = [a["values"] for a in written(actions["load"])]
    assert values[0] == list(COLUMNS)
    assert len(values) == TEMPLATE_ORDERS + 1
    assert values[1][0] == orders["order_id"].iloc[0]
    assert sum(r[COLUMNS.index("amount")] for r in values[1:]) == pytest.approx(
        orders["amount"].sum()
    )


def test_clear_data_keeps_the_header_only(actions):
    assert [a["func"] for a in actions["clear"]] == ["sheetClearContents", "setValues"]
    assert written(actions["clear"])[0]["values"] == [list(COLUMNS)]


def test_list_functions(actions):
    (values,) = [a["values"] for a in written(actions["functions"])]
    assert values[0] == ["function", "area", "what it returns"]
    assert [v[0].split("(")[0] for v in values[1:]] == function_names()


def test_build_report_writes_report_sheets_from_the_data_sheet(actions, orders):
    added = [a["args"][1] for a in actions["report"] if a["func"] == "addSheet"]
    assert added == [
        "Report Summary",
        "Report Actions",
        "Report Supply chain",
        "Report Customers",
        "Report Trends",
        "Report Segments",
        "Report Orders",
        "Report Risk",
        "Report About",
    ]
    sheets = dict(zip(added, (a["values"] for a in written(actions["report"])), strict=True))
    about = {r[0]: r[1] for r in sheets["Report About"] if r and r[0]}
    assert about["rows read"] == about["rows used"] == TEMPLATE_ORDERS
    # Monthly revenue, checked against pandas on the raw orders: sales that were
    # neither cancelled nor returned (the sample log has no negative amounts).
    summary = sheets["Report Summary"]
    top = next(i for i, r in enumerate(summary) if r[0] == "Monthly revenue") + 1
    header = summary[top]
    body = []
    for r in summary[top + 1 :]:
        if r[0] in (None, ""):
            break
        body.append(r)
    month = header.index("month")
    revenue = header.index("revenue")
    got = {str(r[month])[:7]: r[revenue] for r in body}
    sales = orders[~orders["status"].isin(["cancelled", "returned"])]
    expected = sales.groupby(sales["order_date"].dt.strftime("%Y-%m"))["amount"].sum()
    assert got == pytest.approx(expected.to_dict())


def test_build_report_without_data_says_so(actions):
    assert actions["report_empty"] == []


WITHOUT_THE_REPORT_ENGINE = r"""
import importlib.abc, sys

class Absent(importlib.abc.MetaPathFinder):  # a Pyodide release without them (0.28)
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pyarrow", "duckdb", "ibis", "sqlglot"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Absent())
import xlbizops.udfs as f
from xlbizops import macros
from xlbizops.workbook.book import Book

print(round(f.EOQ(1300, 8, 0.225), 5))
print(round(f.RFM_SCORE(["a", "b"], ["2024-01-01", "2024-02-01"], [5, 7])[1][3], 2))

class Said(Book):
    def __init__(self):
        self.lines = []
    def say(self, text):
        self.lines.append(text)
    def data_rows(self):
        raise AssertionError("the data is not read without the engine")

book = Said()
assert macros.build_report_sheets(book) == []
print(book.lines[0])
print(sorted(m for m in sys.modules if m.split(".")[0] in ("pyarrow", "duckdb", "ibis")))
"""


def test_the_functions_work_without_the_report_engine_and_the_script_says_what_to_add():
    """Issue 20: on a Pyodide release without pyarrow or duckdb the functions still
    install and run; the report script names the requirements.txt line to add."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", WITHOUT_THE_REPORT_ENGINE],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    eoq, monetary, said, loaded = done.stdout.strip().splitlines()
    assert eoq == "304.04678"  # Snyder & Shen, Example 3.1
    assert monetary == "5.0"
    assert said.startswith("The report needs pyarrow, duckdb, ibis-framework, sqlglot: add "
                           "the line xlbizops[report] to requirements.txt")  # fmt: skip
    assert loaded == "[]"
