"""One definition, every face (issue 21): the order-log rules and sums give the same
decisions and numbers through the Excel functions (numpy), the report's engines
(DuckDB and SQLite, through Ibis), the Excel formula text the template's FILTERs use
(computed by the headless refresh's formula engine) and the template refreshed.

The battery (``battery.lines``) has every status spelling, every flag word, missing
dates, multi-line orders with mixed lateness, returns and negative lines; the
decisions are checked against a plain-Python reading of the documented rules."""

from __future__ import annotations

import datetime as dt
import sqlite3

import ibis
import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from tests.orderlog.battery import expected_decisions, lines
from tests.template.package import refreshed_with_orders
from xlbizops.core import validation
from xlbizops.excel import udfs
from xlbizops.orderlog import rules, schema
from xlbizops.report.build import run_report
from xlbizops.template import sheets
from xlbizops.workbook.refresh import refresh_workbook

AS_OF = "2026-04-30"
DATES = ("order_date", "promised_date", "shipped_date", "delivered_date")


@pytest.fixture(scope="module")
def battery():
    return lines()


def numpy_columns(frame: pd.DataFrame) -> dict:
    """The battery as the Excel functions hold it after reading the cells."""
    out = {f: frame[f].to_numpy("datetime64[ns]") for f in DATES}
    out |= {f: frame[f].to_numpy(float) for f in ("amount", "quantity")}
    out["status"] = rules.status_words(frame["status"])
    out["error_flag"] = validation.flags("error_flag", frame["error_flag"], len(frame))
    return out


def test_the_battery_covers_what_the_issue_names(battery):
    truth = expected_decisions(battery)
    assert set(battery["status"].dropna()) >= {" cancelled", "CANCELLED", "Returned ", ""}
    assert truth.all(axis=None) is np.False_ and truth.any().all()  # each decision seen
    assert (battery["amount"] < 0).any() and (battery["quantity"] < 0).any()
    multi = battery[battery["order_id"].duplicated(keep=False)]
    assert multi["order_id"].nunique() >= 5


def test_numpy_decides_as_the_rules_are_written(battery):
    got = pd.DataFrame(
        {n: rules.evaluate(r, numpy_columns(battery)) for n, r in rules.LINE_RULES.items()}
    )
    pd.testing.assert_frame_equal(got, expected_decisions(battery)[list(rules.LINE_RULES)])


def engine_table(backend: str, frame: pd.DataFrame, tmp_path):
    """The battery as an engine holds it: dates typed, flags read, status as written."""
    typed = frame[[f for f in schema.ANALYSED if f in frame]].copy()  # no contact fields
    typed["error_flag"] = validation.flags("error_flag", frame["error_flag"], len(frame))
    typed["row"] = np.arange(len(frame))
    if backend == "duckdb":
        return ibis.duckdb.connect().create_table("lines", typed)
    with sqlite3.connect(tmp_path / "battery.db") as con:  # dates as TIMESTAMP columns
        typed.to_sql("lines", con, index=False)
    return ibis.sqlite.connect(str(tmp_path / "battery.db")).table("lines")


@pytest.mark.parametrize("backend", ["duckdb", "sqlite"])
def test_the_engines_decide_as_numpy(battery, backend, tmp_path):
    t = engine_table(backend, battery, tmp_path)
    decided = t.select("row", **{n: rules.expr(r, t) for n, r in rules.LINE_RULES.items()})
    got = decided.to_pandas().sort_values("row").drop(columns="row").reset_index(drop=True)
    want = expected_decisions(battery)[list(rules.LINE_RULES)]
    pd.testing.assert_frame_equal(got.astype(bool), want)


def test_the_excel_formula_text_decides_as_numpy(battery, tmp_path):
    """Each rule's formula text, over the battery's columns as named ranges, computed
    by the refresh's formula engine, one cell per line and rule."""
    path = tmp_path / "rules.xlsx"
    book = xlsxwriter.Workbook(path)
    data, out = book.add_worksheet("Data"), book.add_worksheet("Rules")
    n = len(battery)
    for c, name in enumerate(schema.COLUMNS):
        data.write(0, c, name)
        for r, value in enumerate(battery[name]):
            if pd.isna(value):
                continue
            if isinstance(value, pd.Timestamp):
                data.write_datetime(r + 1, c, value.to_pydatetime())
            else:
                data.write(r + 1, c, value)
        letter = xlsxwriter.utility.xl_col_to_name(c)
        book.define_name(name, f"=Data!${letter}$2:${letter}${n + 1}")
    for k, rule in enumerate(rules.LINE_RULES.values()):
        for r in range(n):
            out.write_formula(r, k, f"=IF(INDEX({rules.formula(rule)},{r + 1}),1,0)", None, -1)
    book.close()
    values = refresh_workbook(path).values["Rules"]
    got = pd.DataFrame({
        name: [values[f"{xlsxwriter.utility.xl_col_to_name(k)}{r + 1}"] == 1 for r in range(n)]
        for k, name in enumerate(rules.LINE_RULES)
    })  # fmt: skip
    pd.testing.assert_frame_equal(got, expected_decisions(battery)[list(rules.LINE_RULES)])


# --- the sums, through every face ------------------------------------------------------


def table_at(ws, anchor: str) -> pd.DataFrame:
    """A spilled result on a refreshed template sheet: header row, then rows to the
    first blank in its first column."""
    start = ws[anchor]
    header = []
    for c in range(start.column, ws.max_column + 1):
        value = ws.cell(start.row, c).value
        if value is None:
            break
        header.append(value)
    rows = []
    for r in range(start.row + 1, ws.max_row + 1):
        row = [ws.cell(r, start.column + k).value for k in range(len(header))]
        if row[0] is None:
            break
        rows.append(row)
    return pd.DataFrame(rows, columns=header)


def report_table(path, sheet: str, first_header: str) -> pd.DataFrame:
    """A table on a report sheet: the row whose first cell is ``first_header``, then
    rows to the first blank."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    found = None
    for row in ws.iter_rows():
        if row[0].value == first_header:
            found = row[0].coordinate
            break
    assert found, (sheet, first_header)
    return table_at(ws, found)


def kpis_of(rows) -> dict:
    return {r[0]: r[1] for r in rows if r and r[0] not in (None, "kpi", "KPI")}


def sheet_table(path, sheet: str, header: str) -> dict:
    """The (label, value) rows under ``header`` in column A of a sheet."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    rows, inside = [], False
    for row in ws.iter_rows(values_only=True):
        if row[0] == header:
            inside = True
        elif inside and row[0] is None:
            break
        elif inside:
            rows.append(row[:2])
    return kpis_of(rows)


@pytest.fixture(scope="module")
def faces(battery, tmp_path_factory):
    """The order KPIs by each face."""
    folder = tmp_path_factory.mktemp("faces")
    csv = folder / "battery.csv"
    battery.to_csv(csv, index=False)
    with sqlite3.connect(folder / "shop.db") as con:
        battery.to_sql("orders", con, index=False)
    out = {"latest order": battery["order_date"].max()}
    duck, _ = run_report(str(csv), folder / "duckdb.xlsx", as_of=AS_OF)
    lite, _ = run_report(f"sqlite:///{folder / 'shop.db'}", folder / "sqlite.xlsx",
                         table="orders", as_of=AS_OF)  # fmt: skip
    out["report on DuckDB"] = sheet_table(duck, "Orders", "KPI")
    out["report on SQLite"] = sheet_table(lite, "Orders", "KPI")
    out["summary tiles"] = sheet_table(duck, "Summary", "KPI")
    out["by month"] = sheet_table(duck, "Orders", "Month")
    orders = battery[~((battery["amount"] < 0) | (battery["quantity"] < 0))]

    def cells(name, frame=orders):
        return [[_cell(v)] for v in frame[name]]

    out["ORDER_KPIS"] = kpis_of(udfs.ORDER_KPIS(
        *(cells(f) for f in DATES[:1] + ("shipped_date", "delivered_date", "promised_date")),
        cells("status"), cells("error_flag"), cells("order_id"),
    ))  # fmt: skip
    template = refreshed_with_orders(folder, battery, keep_sample=False)
    book = openpyxl.load_workbook(template, data_only=True)
    ws = book["Orders"]
    out["template"] = kpis_of([(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(9, 29)])
    sold = orders[rules.evaluate(rules.CUSTOMER_ORDER, numpy_columns(orders))]
    out["customers"] = {
        "report on DuckDB": report_table(duck, "Customer list", "Customer ID"),
        "report on SQLite": report_table(lite, "Customer list", "Customer ID"),
        "template": table_at(book["Customers"], "A10"),
        "RFM_SCORE": frame_of(udfs.RFM_SCORE(
            [[v] for v in sold["customer_id"]], [[v.to_pydatetime()] for v in sold["order_date"]],
            [[v] for v in sold["amount"]], None, None, 5, [[v] for v in sold["order_id"]],
        )),
    }  # fmt: skip
    demand = orders[rules.evaluate(rules.DEMAND, numpy_columns(orders))]
    out["demand"] = {
        "report on DuckDB": report_table(duck, "Supply chain", "SKU"),
        "report on SQLite": report_table(lite, "Supply chain", "SKU"),
        "template": table_at(book["Supply chain"], sheets.DEMAND_AT),
        "DEMAND_BY_ITEM": frame_of(udfs.DEMAND_BY_ITEM(
            *(cells(name, demand) for name in ("sku", "order_date", "quantity", "unit_price")),
        )),
    }  # fmt: skip
    out["replenishment"] = {
        "report on DuckDB": report_table(duck, "Replenishment", "SKU"),
        "report on SQLite": report_table(lite, "Replenishment", "SKU"),
        "template": table_at(book["Replenishment"], sheets.POLICY_AT),
        "REORDER_POLICY": frame_of(udfs.REORDER_POLICY(
            *(cells(name, demand) for name in ("sku", "order_date", "quantity")), 1,
            None, None, None, None, None, None, None, None, None, AS_OF,
        )),
        "REORDER_POLICY, latest": frame_of(udfs.REORDER_POLICY(  # as the template: no as-of
            *(cells(name, demand) for name in ("sku", "order_date", "quantity")), 1,
        )),
    }  # fmt: skip
    out["monthly revenue"] = {
        "report on DuckDB": report_table(duck, "Summary", "Month"),
        "report on SQLite": report_table(lite, "Summary", "Month"),
        "template": table_at(book["Trends"], "A10"),
    }
    out["suppliers"] = {
        "report on DuckDB": report_table(duck, "Risk", "Supplier"),
        "report on SQLite": report_table(lite, "Risk", "Supplier"),
        "template": table_at(book["Risk"], "A9"),
        "SUPPLIER_METRICS": frame_of(udfs.SUPPLIER_METRICS(
            *(cells(name, battery) for name in ("supplier", "order_date", "shipped_date",
                                                "promised_date", "error_flag")),
        )),
    }  # fmt: skip
    return out


def _cell(value):
    """A battery value as Excel hands it to a function: blank None, dates as datetimes."""
    if pd.isna(value) or value == "":
        return None
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def frame_of(rows) -> pd.DataFrame:
    """An Excel function's result (header row, then rows) as a frame."""
    assert isinstance(rows, list), rows  # not an error message
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_every_face_gives_the_same_order_kpis(faces):
    want = faces["report on DuckDB"]
    assert len(want) == 18 and want["orders"] == 45  # 52 lines, 5 two-line orders, 2 returns
    for face in ("report on SQLite", "ORDER_KPIS", "template"):
        got = faces[face]
        assert got.keys() == want.keys(), face
        for kpi, value in want.items():
            assert got[kpi] == pytest.approx(value, rel=1e-12, nan_ok=True), (face, kpi)


def test_a_late_second_line_makes_its_order_late_on_every_face(faces, battery):
    """On-time by order: M1's second line came a day after its promise.  The orders
    with a promise that were delivered, and those on time, counted by hand."""
    orders = battery[(battery["amount"] >= 0) & (battery["quantity"] >= 0)]
    on_time = known = 0
    for _, group in orders.groupby("order_id"):
        going = group[group["status"].fillna("").str.strip().str.lower() != "cancelled"]
        if (
            going.empty
            or going["delivered_date"].isna().any()
            or going["promised_date"].isna().any()
        ):
            continue
        known += 1
        on_time += bool((going["delivered_date"] <= going["promised_date"]).all())
    assert "M1" in set(orders["order_id"]) and known > on_time
    for face in ("report on DuckDB", "report on SQLite", "ORDER_KPIS", "template"):
        assert faces[face]["on-time delivery rate"] == pytest.approx(on_time / known), face
    month = faces["by month"]
    tile = faces["summary tiles"]["on-time delivery rate"]
    assert tile == pytest.approx(month[dt.datetime(2026, 4, 1)])  # the Summary's month


def test_every_face_gives_the_same_customer_sums(faces):
    """Frequency counts orders (a two-line order is one purchase), monetary sums its
    lines; recency differs only by where each face counts from (the report from the
    as-of date, the template from the latest order's day)."""
    tables = faces["customers"]
    want = tables["report on DuckDB"].set_index("Customer ID").sort_index()
    assert want.loc["C9", "Frequency"] == 5  # five orders of two lines each, by hand
    for face in ("report on SQLite", "template", "RFM_SCORE"):
        got = tables[face]
        got = got.set_index(got.columns[0]).sort_index()
        assert list(got.index) == list(want.index), face
        assert list(got.iloc[:, 1]) == list(want["Frequency"]), face
        assert np.allclose(got.iloc[:, 2].astype(float), want["Monetary"].astype(float)), face
        # one recency: days from the data's last day to the last
        # purchase; the report's last day is its as-of date, the template's and the
        # function's default the latest order's
        shift = want["Days since last order"].astype(float) - got.iloc[:, 0].astype(float)
        last_day = faces["latest order"] if face != "report on SQLite" else pd.Timestamp(AS_OF)
        assert (shift == (pd.Timestamp(AS_OF) - last_day).days).all(), face


def test_every_face_gives_the_same_monthly_revenue(faces, battery):
    columns = numpy_columns(battery)
    revenue = battery[rules.evaluate(rules.REVENUE, columns)]
    by_hand = revenue.groupby(revenue["order_date"].dt.to_period("M"))["amount"].sum()
    for face, table in faces["monthly revenue"].items():
        assert np.allclose(table.iloc[:, 1].astype(float), by_hand.to_numpy()), face


def test_every_face_gives_the_same_supplier_metrics(faces):
    tables = faces["suppliers"]
    want = tables["report on DuckDB"].iloc[:, :5].sort_values("Supplier").to_numpy()
    for face in ("report on SQLite", "template", "SUPPLIER_METRICS"):
        got = tables[face].iloc[:, :5].sort_values(tables[face].columns[0]).to_numpy()
        assert (got[:, 0] == want[:, 0]).all(), face
        assert np.allclose(got[:, 1:].astype(float), want[:, 1:].astype(float)), face


def test_every_face_gives_the_same_reorder_policy(faces):
    """The weekly policy per SKU (complete weeks, one-week lead time, 95 % fill) from
    the report's engine sums on DuckDB and SQLite (as of AS_OF), the template (as of
    its latest line) and REORDER_POLICY over the demand lines with the same as-of:
    the same classes, forecasts and order-up-to levels."""
    tables = faces["replenishment"]
    assert len(tables["REORDER_POLICY"]) >= 3
    for face in ("report on DuckDB", "report on SQLite", "template"):
        reference = "REORDER_POLICY, latest" if face == "template" else "REORDER_POLICY"
        want = tables[reference].set_index("sku").sort_index()
        got = tables[face]
        got = got.set_index(got.columns[0]).sort_index()
        got.columns = [str(c).lower().replace(" ", "_") for c in got.columns]
        assert list(got.index) == list(want.index), face
        assert list(got["class"]) == list(want["class"]), face
        assert np.allclose(got["forecast_per_period"].to_numpy(float),
                           want["forecast_per_period"].to_numpy(float)), face  # fmt: skip
        assert list(got["order_up_to"]) == list(want["order_up_to"]), face


def test_every_face_gives_the_same_annual_demand(faces, battery):
    """Demand leaves out cancelled orders and return lines; every line is inside the
    365-day window on every face, so annual demand is the units summed per SKU."""
    tables = faces["demand"]
    want = tables["report on DuckDB"].set_index("SKU")["Annual demand"].sort_index()
    kept = battery[rules.evaluate(rules.DEMAND, numpy_columns(battery))]
    by_hand = kept.groupby("sku")["quantity"].sum().sort_index()
    assert np.allclose(want.to_numpy(float), by_hand.to_numpy())
    for face in ("report on SQLite", "template", "DEMAND_BY_ITEM"):
        got = tables[face]
        got = got.set_index(got.columns[0]).sort_index()
        column = "Annual demand" if "Annual demand" in got else "annual_demand"
        assert list(got.index) == list(want.index), face
        assert np.allclose(got[column].to_numpy(float), want.to_numpy(float)), face
