"""Headless refresh: the template refreshed without Excel shows the numbers
``xlbizops report`` computes for the same orders; spills resize like Excel's."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from openpyxl import load_workbook

from tests.template.package import WORKBOOKS, array_cells, sheet_xml
from xlbizops.core import timeseries
from xlbizops.macros import refresh_all
from xlbizops.report.analyses import analyse
from xlbizops.report.config import ReportSettings
from xlbizops.report.inputs import read_orders
from xlbizops.template.sheets import template_orders
from xlbizops.workbook.filebook import FileBook
from xlbizops.workbook.package import MAIN
from xlbizops.workbook.refresh import refresh_workbook


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The report's analyses of the orders the template ships with, RFM recency in
    quintiles as RFM_SCORE scores it (the report's default reads the buying cycle)."""
    folder = tmp_path_factory.mktemp("report")
    template_orders().to_csv(folder / "orders.csv", index=False, date_format="%Y-%m-%d")
    lines, _ = read_orders(folder / "orders.csv")
    return analyse(lines, ReportSettings(recency_cuts="quantiles"))


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """The .xlsm after `xlbizops refresh`, read as viewers read it (cached values)."""
    out = tmp_path_factory.mktemp("refresh") / "refreshed.xlsm"
    book = FileBook(WORKBOOKS / "xlbizops.xlsm", output=out)
    refresh_all(book)
    return out, load_workbook(out, data_only=True)


def block(sheet, ref: str) -> pd.DataFrame:
    """A spilled table (header row first) as a DataFrame."""
    rows = [[c.value for c in row] for row in sheet[ref]]
    return pd.DataFrame(rows[1:], columns=rows[0])


def serial(dates) -> np.ndarray:
    return ((pd.to_datetime(dates) - pd.Timestamp("1899-12-30")).dt.days).to_numpy(float)


def test_monthly_revenue_matches_the_report(refreshed, report):
    months = block(refreshed[1]["Trends"], "A10:B34")
    assert months["period"].tolist() == serial(report.monthly["month"]).tolist()
    np.testing.assert_allclose(months["value"], report.monthly["revenue"], rtol=1e-12)


def test_decomposition_adds_up_and_matches_the_core(refreshed):
    parts = block(refreshed[1]["Trends"], "D10:H34").replace("", np.nan).astype(float)
    expected = timeseries.decompose(parts["observed"].to_numpy(), 12)
    np.testing.assert_allclose(parts["trend"], expected["trend"], rtol=1e-12)
    inner = parts.dropna()
    total = inner[["trend", "seasonal", "cycle", "residual"]].sum(axis=1)
    np.testing.assert_allclose(total, inner["observed"], rtol=1e-9)
    assert parts["trend"].isna().sum() == 12  # six months blank at each end


def test_forecast_matches_the_report(refreshed, report):
    forecast = block(refreshed[1]["Trends"], "J10:O16")
    ahead = report.forecast.dropna(subset=["forecast"])
    np.testing.assert_allclose(forecast["forecast"], ahead["forecast"], rtol=1e-6)
    np.testing.assert_allclose(forecast["upper_95"], ahead["upper_95"], rtol=1e-6)


def test_rfm_table_matches_the_report(refreshed, report):
    rfm = block(refreshed[1]["Customers"], "A10:J324")
    expected = report.rfm.reset_index(drop=True)
    assert rfm["customer_id"].tolist() == expected["customer_id"].astype(str).tolist()
    for column in ("recency_days", "frequency", "monetary", "R", "F", "M", "score"):
        np.testing.assert_allclose(rfm[column].astype(float), expected[column], rtol=1e-12)
    assert rfm["segment"].tolist() == expected["segment"].tolist()


def test_segment_counts_match_the_report(refreshed, report):
    sheet = refreshed[1]["Customers"]
    counts = {sheet[f"M{r}"].value: sheet[f"N{r}"].value for r in range(11, 21)}
    expected = dict(
        zip(report.segment_counts["segment"], report.segment_counts["customers"], strict=True)
    )
    assert {k: v for k, v in counts.items() if v} == expected


def test_segment_profile_matches_the_report(refreshed, report):
    profile = block(refreshed[1]["Segments"], "A9:F13")
    np.testing.assert_allclose(profile["size"], report.profile["size"])
    np.testing.assert_allclose(profile["monetary"], report.profile["monetary"], rtol=1e-9)


def test_demand_per_sku_matches_the_report(refreshed, report):
    demand = block(refreshed[1]["Supply chain"], "A12:F52").set_index("item")
    expected = report.supply.set_index("sku")
    common = expected.index.astype(str)
    assert set(common) <= set(demand.index)
    for column in ("annual_demand", "daily_mean", "daily_sd"):
        np.testing.assert_allclose(
            demand.loc[common, column].astype(float), expected[column], rtol=1e-12
        )


def test_order_quantities_reorder_points_and_abc_match_the_report(refreshed, report):
    """Same inputs as the report's defaults (S = 50, holding 25 % of a cost that is
    60 % of the quantity-weighted price, 95 % service, 7 days' lead time)."""
    sheet = refreshed[1]["Supply chain"]
    items = [sheet[f"A{r}"].value for r in range(13, 53)]
    eoq = dict(zip(items, [sheet[f"H{r}"].value for r in range(13, 53)], strict=True))
    rop = dict(zip(items, [sheet[f"I{r}"].value for r in range(13, 53)], strict=True))
    abc = block(sheet, "K12:O52").set_index("item")["class"]
    expected = report.supply.set_index("sku")
    skus = expected.index.astype(str)
    np.testing.assert_allclose([eoq[k] for k in skus], expected["eoq"], rtol=1e-12)
    np.testing.assert_allclose([rop[k] for k in skus], expected["reorder_point"], rtol=1e-12)
    assert abc.loc[skus].tolist() == expected["abc"].tolist()
    # Annual usage value at cost (annual demand x cost ratio x weighted price), one rule.
    usage = block(sheet, "K12:O52").set_index("item")["annual_value"]
    np.testing.assert_allclose(usage.loc[skus].astype(float), expected["annual_value"], rtol=1e-12)


def test_anomalous_weeks_match_the_report(refreshed, report):
    """One rule (core.rules.anomalous_weeks): revenue per week, robust z-score above
    3.5; the template's RESAMPLE + ANOMALIES flags the weeks the report lists."""
    sheet = refreshed[1]["Risk"]
    weekly = block(sheet, "L9:M120").dropna()
    flags = block(sheet, "N9:O120").dropna()
    weeks = pd.Timestamp("1899-12-30") + pd.to_timedelta(weekly["period"].astype(float), "D")
    flagged = {
        week.strftime("%Y-%m-%d")
        for week, anomaly in zip(weeks, flags["anomaly"], strict=False)
        if anomaly is True
    }
    assert flagged == {w.strftime("%Y-%m-%d") for w in report.anomalous_weeks["week"]}
    assert 1 <= len(flagged) <= 10
    assert sheet["R17"].value == len(flagged)  # =COUNTIF over the ANOMALIES spill


def test_the_template_inputs_start_from_the_shared_settings():
    """Changing a default in core.rules.Settings changes the template's yellow cells
    and the report alike (the report reads the same Settings)."""
    from xlbizops.core.rules import Settings

    s = Settings()
    book = load_workbook(WORKBOOKS / "xlbizops.xlsm")
    supply, risk = book["Supply chain"], book["Risk"]
    assert [supply[f"B{r}"].value for r in range(4, 9)] == [
        s.order_cost, s.holding_rate, s.cost_ratio, s.service_level, s.lead_time_days,
    ]  # fmt: skip
    assert [risk["B4"].value, risk["B5"].value] == [s.anomaly_method, s.anomaly_threshold]
    assert book["Segments"]["B4"].value == s.segments
    assert book["Trends"]["B5"].value == s.forecast_months


def test_order_kpis_match_the_report(refreshed, report):
    kpis = block(refreshed[1]["Orders"], "A8:B26")
    expected = report.kpis
    assert kpis["kpi"].tolist() == expected["kpi"].tolist()
    np.testing.assert_allclose(kpis["value"].astype(float), expected["value"], rtol=1e-12)


def test_before_after_block_is_impact_series_on_weekly_revenue(refreshed):
    """The Orders sheet's IMPACT_SERIES, fed by the sheet's weekly revenue, equals the
    core's impact_series on weekly revenue summed here from the orders (cancelled and
    returned left out), changed at the template's date in B5."""
    from xlbizops.core import impact
    from xlbizops.template.sheets import CHANGE_DATE

    sheet = refreshed[1]["Orders"]
    assert sheet["B5"].value == CHANGE_DATE
    orders = template_orders()
    sold = orders[~orders["status"].isin(["cancelled", "returned"])]
    weekly = sold.set_index("order_date")["amount"].resample("W-MON", label="left",
                                                            closed="left").sum()  # fmt: skip
    expected = impact.impact_series(weekly.index, weekly.to_numpy(), CHANGE_DATE)
    rows = [[c.value for c in row] for row in sheet["D45:J200"]]
    summary = {r[0]: r[1:3] for r in rows[1:12]}
    for measure, average, cumulative in expected.summary.itertuples(index=False):
        np.testing.assert_allclose(summary[measure], [average, cumulative], rtol=1e-6,
                                   err_msg=measure)  # fmt: skip
    assert rows[12][:2] == ["verdict", expected.verdict]
    header = rows.index(["date", "actual", "predicted", "lower", "upper", "effect",
                         "cumulative_effect"])  # fmt: skip
    table = pd.DataFrame(rows[header + 1 : header + 1 + len(expected.periods)],
                         columns=rows[header])  # fmt: skip
    np.testing.assert_allclose(table["actual"].astype(float), expected.periods["actual"])
    np.testing.assert_allclose(table["predicted"].astype(float), expected.periods["predicted"],
                               rtol=1e-6)  # fmt: skip
    assert header == 15  # where the template's chart reads the table (IMPACT_TABLE_ROW)


def test_supplier_metrics_and_risk_match_the_report(refreshed, report):
    sheet = refreshed[1]["Risk"]
    metrics = block(sheet, "A9:E20").set_index("supplier")
    ranked = block(sheet, "G9:I20").set_index("supplier")
    expected = report.suppliers.set_index("supplier")
    for column in ("late_shipment_rate", "error_rate", "mean_days_to_ship"):
        np.testing.assert_allclose(metrics[column], expected.loc[metrics.index, column])
    np.testing.assert_allclose(
        ranked["risk_score"], expected.loc[ranked.index, "risk_score"], rtol=1e-9
    )


def test_standard_formulas_over_spills_are_computed(refreshed, report):
    book = refreshed[1]
    assert book["Trends"]["E5"].value == pytest.approx(report.monthly["revenue"].sum())
    abc = block(book["Supply chain"], "K12:O52")["class"].value_counts()
    assert book["Supply chain"]["E5"].value == abc["A"]
    assert book["Customers"]["E4"].value == len(report.rfm)


def test_refresh_keeps_formulas_ribbon_and_dynamic_arrays(refreshed):
    out, _ = refreshed
    source = WORKBOOKS / "xlbizops.xlsm"
    before, after = load_workbook(source), load_workbook(out)
    for sheet in before.sheetnames:
        for row in before[sheet].iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith("="):
                    assert after[sheet][cell.coordinate].value == value
    for sheet, root in sheet_xml(out).items():
        for coordinate, cell in array_cells(root).items():
            assert cell.get("cm") == "1", f"{sheet}!{coordinate}"
    from tests.template.test_workbooks import modules, ribbon_buttons

    assert ribbon_buttons(out) == ribbon_buttons(source)
    assert modules(out).keys() == modules(source).keys()


# --- spills that change size ---------------------------------------------------------


def _series_book(path, days: int) -> None:
    """Daily values, a monthly RESAMPLE spill (stored as one cell), a total over it,
    and DECOMPOSE reading the spill through a longer range."""
    book = xlsxwriter.Workbook(str(path))
    data = book.add_worksheet("Data")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    start = dt.datetime(2024, 1, 1)
    for i in range(days):
        data.write_datetime(i + 1, 0, start + dt.timedelta(days=i), dates)
        data.write_number(i + 1, 1, 100 + 10 * np.sin(i / 58.0 * np.pi) + i / 10)
    calc = book.add_worksheet("Calc")
    calc.write_dynamic_array_formula(
        "A1:A1", f'=RESAMPLE(Data!A2:A{days + 1},Data!B2:B{days + 1},"month")'
    )
    calc.write_dynamic_array_formula("D1:D1", "=DECOMPOSE(B2:B200,12)")
    calc.write_formula("K1", "=SUM(B2:B200)")
    calc.write_formula("K2", "=EOQ(-5,10,1)")
    book.close()


def test_spills_grow_to_their_result_and_dependents_follow(tmp_path):
    source, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    _series_book(source, 3 * 365)
    result = refresh_workbook(source, out)
    assert result.spills[("Calc", "A1")] == "A1:B37"  # header + 36 months
    assert result.spills[("Calc", "D1")] == "D1:H37"
    assert result.passes >= 2  # DECOMPOSE could only see the months once A1 had spilled
    sheet = load_workbook(out, data_only=True)["Calc"]
    values = [sheet[f"B{r}"].value for r in range(2, 38)]
    dates = pd.date_range("2024-01-01", periods=3 * 365, freq="D")
    daily = 100 + 10 * np.sin(np.arange(3 * 365) / 58.0 * np.pi) + np.arange(3 * 365) / 10
    expected = pd.Series(daily, index=dates).resample("MS").sum()
    np.testing.assert_allclose(values, expected.to_numpy(), rtol=1e-12)
    assert sheet["K1"].value == pytest.approx(expected.sum())
    assert sheet["K2"].value.startswith("EOQ: annual_demand")  # a message, not a crash


def test_spills_shrink_and_leave_no_stale_values(tmp_path):
    long, short = tmp_path / "long.xlsx", tmp_path / "short.xlsx"
    _series_book(long, 3 * 365)
    refresh_workbook(long, long)
    # The same sheet with two years of data: edit the data, keep the stored spill refs.
    book = load_workbook(long)
    for row in range(2 * 365 + 2, 3 * 365 + 2):
        book["Data"].cell(row, 1).value = None
        book["Data"].cell(row, 2).value = None
    book.save(short)
    result = refresh_workbook(short, short)
    assert result.spills[("Calc", "A1")] == "A1:B25"  # header + 24 months
    sheet = load_workbook(short, data_only=True)["Calc"]
    assert sheet["B25"].value is not None
    assert [sheet[f"B{r}"].value for r in range(26, 38)] == [None] * 12
    root = sheet_xml(short)["Calc"]
    formula = array_cells(root)["A1"].find(f"{{{MAIN}}}f")
    assert formula.get("ref") == "A1:B25"


def test_formulas_the_engine_cannot_read_keep_their_value_and_are_reported(tmp_path, capsys):
    from xlbizops.cli import main

    source = tmp_path / "tables.xlsx"
    book = xlsxwriter.Workbook(str(source))
    data = book.add_worksheet("Data")
    data.add_table(
        "A1:B3",
        {"name": "T", "columns": [{"header": "a"}, {"header": "b"}], "data": [[1, 2], [3, 4]]},
    )
    calc = book.add_worksheet("Calc")
    calc.write_formula("A1", "=SUM(T[a])", None, 99)  # a structured reference, stale 99
    calc.write_formula("A2", "=EOQ(1000,10,0.5)")
    calc.write_formula("A3", "=SUM(Data!A2:A3)*2")
    calc.write_formula("A4", "=SUM(T[[#Data],[b]])", None, 6)  # a special item: unreadable
    book.close()
    out = tmp_path / "out.xlsx"
    assert main(["refresh", str(source), "-o", str(out)]) == 0
    assert "1 formula(s) the engine cannot read" in capsys.readouterr().err
    values = load_workbook(out, data_only=True)["Calc"]
    assert values["A1"].value == 4  # T[a] read from the table definition: 1 + 3
    assert values["A2"].value == 200
    assert values["A3"].value == 8
    assert values["A4"].value == 6  # kept, not recomputed, not blanked
    assert load_workbook(out)["Calc"]["A1"].value == "=SUM(T[a])"  # the formula is kept


def test_spill_operator_reads_the_whole_current_spill(tmp_path):
    """=ROWS(A1#) and =COUNT(Calc!A1#) over an xlbizops spill (stored by Excel as
    _xlfn.ANCHORARRAY(A1)) follow the spill as it grows; a # on a spill whose size is
    unknown (SEQUENCE) is reported and left alone, not computed from one cell."""
    source = tmp_path / "spill.xlsx"
    _series_book(source, 3 * 365)
    book = load_workbook(source)
    book["Calc"]["M1"] = "=ROWS(_xlfn.ANCHORARRAY(A1))"
    book["Calc"]["M2"] = "=COUNT(_xlfn.ANCHORARRAY(Calc!A1))"
    book["Calc"]["M3"] = "=SUM(_xlfn.ANCHORARRAY(Q1))"
    book.save(source)
    result = refresh_workbook(source, source)
    values = load_workbook(source, data_only=True)["Calc"]
    assert values["M1"].value == 37  # header + 36 months, though A1 was stored as one cell
    assert values["M2"].value == 72  # 36 month starts and 36 sums; the header is text
    assert result.unreadable == {("Calc", "M3"): "=SUM(_xlfn.ANCHORARRAY(Q1))"}
    assert load_workbook(source)["Calc"]["M1"].value == "=ROWS(_xlfn.ANCHORARRAY(A1))"


def test_whole_column_references(tmp_path):
    source = tmp_path / "columns.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("S")
    for i, value in enumerate([1000, 2000, 3000]):
        sheet.write_number(i, 0, value)
    sheet.write_dynamic_array_formula("C1:C1", "=EOQ(A:A,10,0.5)")
    book.close()
    result = refresh_workbook(source)
    assert result.spills[("S", "C1")] == "C1:C3"
    assert [result.value("S", f"C{r}") for r in (1, 2, 3)] == pytest.approx(
        [200.0, 800**0.5 * 10, 1200**0.5 * 10]
    )


# --- Data sheets handed to the engine as ranges (issue 12) ---------------------------------


def test_ranges_handed_over_equal_what_the_engine_reads_cell_by_cell(tmp_path):
    """A Data sheet of tricky values: whole floats (written "5", read back as int),
    floats past 15 digits, 1e20, NaN and infinity (written blank), dates with and
    without times, booleans, text, blanks.  The arrays handed to the engine must be
    what its own reader builds from the saved file, cell for cell and type for type."""
    import datetime as dt

    import formulas
    import numpy as np
    import openpyxl
    import schedula

    from xlbizops.workbook import refresh

    values = [5.0, 0.30000000000000004, 1e20, float("nan"), float("inf"), 7, -2.5e-7,
              dt.datetime(2024, 11, 6), dt.datetime(2024, 11, 6, 13, 37, 21, 123000),
              dt.date(2024, 2, 29), True, False, "C00017", "  spaced ", None, 1 / 3]  # fmt: skip
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "Data"
    for row, value in enumerate(values, start=2):
        data.cell(row, 1, value)
        data.cell(row, 2, row)
    calc = wb.create_sheet("Calc")
    calc["A1"] = f"=COUNT(Data!A2:A{len(values) + 1})"
    calc["A2"] = f"=SUM(Data!B2:B{len(values) + 1})"
    calc["A3"] = "=Data!A10"
    path = tmp_path / "book.xlsx"
    wb.save(path)
    full = formulas.ExcelModel().loads(str(path)).finish().calculate()
    book = openpyxl.load_workbook(path)
    assert refresh._data_sheets(book) == ["Data"]
    with refresh._without_cells(book, ["Data"]):
        book.save(tmp_path / "lean.xlsx")
    assert book["Data"]["B2"].value == 2  # the cells are back
    lean = formulas.ExcelModel().loads(str(tmp_path / "lean.xlsx")).finish()
    handed = refresh._range_inputs(lean, book, ["Data"])
    assert len(handed) == 3
    for key, given in handed.items():
        expected = full[key.replace("lean.xlsx", "book.xlsx")].value
        got = given.value
        assert got.shape == expected.shape
        for x, y in zip(got.ravel(), expected.ravel(), strict=True):
            assert type(x) is type(y) and (x == y or (x is schedula.EMPTY and y is x)), key
    solution = lean.calculate(inputs=handed)
    for cell in ("A1", "A2", "A3"):
        a = np.asarray(solution[f"'[lean.xlsx]CALC'!{cell}"].value).tolist()
        b = np.asarray(full[f"'[book.xlsx]CALC'!{cell}"].value).tolist()
        assert a == b and type(a[0][0]) is type(b[0][0])


def test_a_sheet_with_what_the_reader_would_change_is_loaded_cell_by_cell(tmp_path):
    import openpyxl

    from xlbizops.workbook import refresh

    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb["Data"]["A1"] = "text with _x0041_ in it"  # the engine's reader unescapes it
    wb.create_sheet("Plain")["A1"] = 3.5
    wb.create_sheet("Calc")["A1"] = "=Plain!A1*2"
    assert refresh._data_sheets(wb) == ["Plain"]
