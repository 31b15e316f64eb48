"""Issue 13: the report runs where the order log lives — a CSV file in memory, a glob
of Parquet files, a SQLite or DuckDB table, Spark — and gives the same numbers.

The aggregations are checked against the core's line-level functions (independent
code: numpy and pandas over every order line), and the sources against each other.
"""

from __future__ import annotations

import sqlite3

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.report.compare import cells, differences
from xlbizops import sampledata
from xlbizops.cli import main
from xlbizops.core import clv, customers, inventory, orders, risk
from xlbizops.report.analyses import analyse
from xlbizops.report.build import clean_frame, run_report
from xlbizops.report.config import ReportSettings as Settings

ORDERS = 20_000


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """One 20,000-order log as CSV, three Parquet files, a SQLite and a DuckDB table."""
    folder = tmp_path_factory.mktemp("engines")
    csv = folder / "orders.csv"
    sampledata.write_orders(csv, ORDERS)
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    parts = folder / "parts"
    parts.mkdir()
    for k, start in enumerate(range(0, ORDERS, 7_000)):  # text columns, as a CSV export
        pq.write_table(table.slice(start, 7_000), parts / f"orders-{k}.parquet")
    with sqlite3.connect(folder / "shop.db") as con:
        pd.read_csv(csv).to_sql("orders", con, index=False)
    with duckdb.connect(str(folder / "shop.duckdb")) as con:
        con.execute(f"CREATE TABLE orders AS SELECT * FROM read_csv('{csv}')")
    return folder


@pytest.fixture(scope="module")
def reports(logs):
    folder = logs
    made = {}

    def report(name, source, **how):
        path, _ = run_report(source, folder / f"{name}.xlsx", as_of="2026-10-31", **how)
        made[name] = cells(path)

    report("csv", str(folder / "orders.csv"))
    report("parquet glob", str(folder / "parts" / "*.parquet"))
    report("sqlite", f"sqlite:///{folder / 'shop.db'}", table="orders")  # //// + absolute path
    report("duckdb", f"duckdb:///{folder / 'shop.duckdb'}", table="orders")
    report(
        "spark",
        str(folder / "parts" / "*.parquet"),
        engine="spark",
        spark_master="local[2]",
    )
    return made


@pytest.mark.parametrize("source", ["parquet glob", "sqlite", "duckdb", "spark"])
def test_every_source_gives_the_numbers_of_the_csv_file(reports, source):
    assert differences(reports["csv"], reports[source]) == []


def test_the_compared_reports_are_full(reports, logs):
    csv = reports["csv"]
    assert len(csv) > 5_000  # every sheet, not an empty shell
    assert {key[0] for key in csv} >= {"Summary", "Customers", "Supply chain", "Orders", "Risk"}
    frame = pd.read_csv(logs / "orders.csv")
    october = frame[frame["order_date"].str.startswith("2026-10")]
    kept = october[~october["status"].isin(["cancelled", "returned"])]
    summary = {
        csv[key]: csv[(key[0], key[1], key[2] + 1)]
        for key in csv
        if key[0] == "Summary" and key[2] == 1 and (key[0], key[1], 2) in csv
    }
    assert summary["orders"] == len(kept)
    assert summary["customers"] == kept["customer_id"].nunique()


# --- The engine's sums against the core's functions over every line -------------------


@pytest.fixture(scope="module")
def analysed():
    raw = sampledata.generate_orders(ORDERS)
    lines, _ = clean_frame(raw, Settings(), "sample", as_of=pd.Timestamp("2026-10-31"))
    return lines, analyse(lines, Settings(), as_of="2026-10-31")


def per_order(lines: pd.DataFrame) -> pd.DataFrame:
    """The test's own order table: lines of sales orders summed by order id."""
    sales = lines[~lines["is_return"] & ~lines["status"].isin(["cancelled", "returned"])]
    return sales.groupby("order_id").agg(
        customer_id=("customer_id", "first"),
        order_date=("order_date", "min"),
        amount=("amount", "sum"),
    )


def test_rfm_equals_rfm_table_over_the_orders(analysed):
    lines, data = analysed
    o = per_order(lines)
    expected = customers.rfm_table(
        o["customer_id"], o["order_date"], o["amount"], as_of="2026-10-31"
    )
    got = data.rfm
    assert got["customer_id"].tolist() == expected["customer_id"].tolist()
    for column in ("recency_days", "frequency"):
        assert got[column].tolist() == expected[column].tolist(), column
    np.testing.assert_allclose(got["monetary"], expected["monetary"], rtol=1e-12)
    # The engine rounds money sums to 1e-6, so that totals equal in cents tie whatever
    # order they were added in; the scores are those of the same sums rounded alike.
    # R is cut at the shop's buying cycle (the report's default; the cut points are
    # checked against numpy in test_buying_cycle), from the test's own order table
    days = o["order_date"].dt.normalize().groupby(o["customer_id"]).agg(["min", "max", "count"])
    day = pd.Timestamp("1970-01-01")
    cuts = customers.buying_cycle_cuts(
        (days["min"] - day).dt.days, (days["max"] - day).dt.days, days["count"]
    )
    rounded = customers.rfm_scores(
        expected["customer_id"], expected["recency_days"], expected["frequency"],
        np.round(expected["monetary"].to_numpy(), 6), recency_cuts=cuts,
    )  # fmt: skip
    for column in ("R", "F", "M", "RFM", "segment"):
        assert got[column].tolist() == rounded[column].tolist(), column
    assert (got["M"] != expected["M"]).mean() < 0.01  # only near-ties move


def test_clv_equals_the_fit_on_the_orders(analysed):
    lines, data = analysed
    o = per_order(lines)
    expected = clv.customer_lifetime_value(
        o["customer_id"], o["order_date"], o["amount"], 12, 0.10, "2026-10-31", "auto"
    )  # the report picks the better of BG/NBD and the modified BG/NBD
    expected = expected.sort_values("clv", ascending=False, ignore_index=True)
    assert (got := data.clv)["model"].iloc[0] == expected["model"].iloc[0]
    assert got["customer_id"].tolist()[:50] == expected["customer_id"].tolist()[:50]
    np.testing.assert_allclose(got["clv"], expected["clv"], rtol=1e-6)
    np.testing.assert_allclose(got["p_alive"], expected["p_alive"], rtol=1e-6)


def test_cohorts_equal_cohort_retention(analysed):
    lines, data = analysed
    o = per_order(lines)
    expected = customers.cohort_retention(o["customer_id"], o["order_date"])
    pd.testing.assert_frame_equal(
        data.cohorts.reset_index(drop=True), expected, check_dtype=False, check_like=False
    )


def test_demand_equals_demand_by_item(analysed):
    lines, data = analysed
    sold = lines[~lines["is_return"] & (lines["status"] != "cancelled")]
    expected = inventory.demand_by_item(
        sold["sku"], sold["order_date"], sold["quantity"], "2026-10-31",
        unit_prices=sold["unit_price"],
    ).set_index("item")  # fmt: skip
    got = data.supply.set_index("sku")
    shared = got.index
    for column in ("annual_demand", "daily_mean", "daily_sd"):
        np.testing.assert_allclose(got[column], expected.loc[shared, column], rtol=1e-9)


def test_order_kpis_equal_order_kpis_over_each_order(analysed):
    lines, data = analysed
    first = lines[~lines["is_return"]].drop_duplicates("order_id")
    expected = orders.order_kpis(
        first["order_date"], first["shipped_date"], first["delivered_date"],
        first["promised_date"], first["status"], first["error_flag"],
    )  # fmt: skip
    got = data.kpis.set_index("kpi")["value"]
    for name, value in expected.itertuples(index=False):
        assert got[name] == pytest.approx(value, rel=1e-12, nan_ok=True), name


def test_on_time_by_month_equals_the_orders(analysed):
    lines, data = analysed
    first = lines[~lines["is_return"]].drop_duplicates("order_id")
    known = first.dropna(subset=["delivered_date", "promised_date"])
    hit = known["delivered_date"].dt.normalize() <= known["promised_date"].dt.normalize()
    expected = hit.groupby(known["order_date"].dt.to_period("M")).mean()
    got = data.on_time_monthly
    assert got["month"].tolist() == expected.index.to_timestamp().tolist()
    np.testing.assert_allclose(got["on-time rate"], expected.to_numpy(), rtol=1e-12)


def test_supplier_metrics_equal_the_lines(analysed):
    lines, data = analysed
    expected = risk.supplier_metrics(
        lines["supplier"], lines["order_date"], lines["shipped_date"],
        lines["promised_date"], lines["error_flag"],
    ).set_index("supplier")  # fmt: skip
    got = data.suppliers.set_index("supplier")
    for column in ("late_shipment_rate", "error_rate", "mean_days_to_ship", "orders"):
        np.testing.assert_allclose(got[column], expected.loc[got.index, column], rtol=1e-12)


def test_percentile_of_counts_is_numpys_percentile():
    rng = np.random.default_rng(7)
    for _ in range(100):
        values = np.unique(rng.integers(0, 30, rng.integers(1, 9))).astype(float)
        counts = rng.integers(1, 6, len(values))
        repeated = np.repeat(values, counts)
        for q in (0, 25, 50, 90, 100):
            assert orders.percentile_of_counts(values, counts, q) == pytest.approx(
                np.percentile(repeated, q), abs=1e-12
            )


# --- Cleaning in the engine --------------------------------------------------------------


def messy_log() -> pd.DataFrame:
    rows = [
        ("A1", "2026-03-02", "C1", 10.0, "2026-03-03"),
        ("A2", "2026-03-05", "C2", 20.0, "2026-03-01"),  # shipped before ordered: blanked
        ("A3", "2026-03-09", None, 30.0, None),  # blank customer
        ("A4", "2026-03-09", "C3", float("inf"), None),  # unreadable amount
        ("A5", "2031-01-01", "C1", 5.0, None),  # after the as-of date
        ("A6", "1980-01-01", "C1", 5.0, None),  # before earliest_order_date
        ("A1", "2026-03-02", "C1", 10.0, "2026-03-03"),  # exact duplicate
        (None, "2026-03-10", "C9", 7.0, None),  # no order id: an order of its own
        ("A7", "2026-03-11", "None", 7.0, None),  # a missing-value word: blank, both ways
        ("A8", None, None, 7.0, None),  # blank date and customer: the first reason counts
    ]
    rows += [(f"B{k}", f"2026-0{1 + k % 6}-1{k % 9}", f"C{k % 7}", 5.0 + k, None)
             for k in range(60)]  # fmt: skip
    frame = pd.DataFrame(
        rows, columns=["order_id", "order_date", "customer_id", "amount", "shipped_date"]
    )
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["shipped_date"] = pd.to_datetime(frame["shipped_date"])
    return frame


def test_the_engine_rejects_and_counts_what_the_file_path_does(tmp_path):
    from xlbizops.report import inputs, sources

    frame = messy_log()
    frame.to_parquet(tmp_path / "one.parquet")
    lines, intake = inputs.read_orders(tmp_path / "one.parquet", latest=pd.Timestamp("2026-10-31"))
    source = sources.open_source(str(tmp_path / "*.parquet"))
    try:
        engine = inputs.Intake(source="glob")
        cleaned = sources.clean(source, {}, engine, latest=pd.Timestamp("2026-10-31"))
        got = source.run(cleaned.order_by("order_id"))
    finally:
        source.close()
    assert dict(engine.rejected) == dict(intake.rejected)
    assert engine.rows_read == intake.rows_read == len(frame)
    assert engine.rows_used == intake.rows_used == len(lines) == 63
    assert got["order_id"].is_unique and got["order_id"].notna().all()
    assert dict(intake.rejected) == {
        "blank order_date": 1,
        "blank customer_id": 2,
        "unreadable amount": 1,
        "order date after 2026-10-31": 1,
        "order date before 1990-01-01": 1,
        "exact duplicate of an earlier row (same order id)": 1,
    }
    assert got.loc[got["order_id"] == "A2", "shipped_date"].isna().all()
    assert any("shipped_date: 1 date(s) before their order date" in n for n in engine.notes)


# --- Bad input: one line, the documented exit code --------------------------------------


def run_cli(*argv, capsys):
    code = main(["report", *argv, "-q"])
    return code, capsys.readouterr().err.strip()


def test_a_missing_table_is_named_with_the_tables_there(logs, tmp_path, capsys):
    url = f"duckdb:///{logs / 'shop.duckdb'}"
    code, err = run_cli(url, "--table", "ordres", "-o", str(tmp_path / "r.xlsx"), capsys=capsys)
    assert code == 1
    assert "no table 'ordres'" in err and "orders" in err and "\n" not in err


def test_a_query_with_a_syntax_error_says_where(logs, tmp_path, capsys):
    url = f"duckdb:///{logs / 'shop.duckdb'}"
    query = "SELEC * FROM orders"
    code, err = run_cli(url, "--query", query, "-o", str(tmp_path / "r.xlsx"), capsys=capsys)
    assert code == 2  # refused before the database is opened: it must be one SELECT
    assert "could not be read as one (a syntax error at line 1, column 12)" in err


def test_a_query_gives_the_same_report_as_the_table(logs, tmp_path):
    url = f"duckdb:///{logs / 'shop.duckdb'}"
    by_table, _ = run_report(url, tmp_path / "t.xlsx", as_of="2026-10-31", table="orders")
    by_query, _ = run_report(
        url, tmp_path / "q.xlsx", as_of="2026-10-31", query="SELECT * FROM orders"
    )
    assert differences(cells(by_table), cells(by_query)) == []


def test_an_unknown_url_scheme_is_a_usage_error(tmp_path, capsys):
    code, err = run_cli(
        "foodb://host/shop", "--table", "orders", "-o", str(tmp_path / "r.xlsx"), capsys=capsys
    )
    assert code == 2
    assert "unknown database URL scheme foodb://" in err


def test_an_unreachable_database_is_exit_3_without_the_password(tmp_path, capsys):
    url = "postgres://shop:s3cret@127.0.0.1:9/orders"  # port 9: nothing listens
    code, err = run_cli(url, "--table", "orders", "-o", str(tmp_path / "r.xlsx"), capsys=capsys)
    assert code == 3
    assert "cannot connect to postgres://shop:***@127.0.0.1:9/orders" in err
    assert "s3cret" not in err


def test_a_glob_matching_no_file_says_so(tmp_path, capsys):
    pattern = str(tmp_path / "exports" / "orders-*.parquet")
    code, err = run_cli(pattern, "-o", str(tmp_path / "r.xlsx"), capsys=capsys)
    assert code == 1
    assert err == f"xlbizops report: no file matches {pattern}"


def test_a_missing_database_file_is_not_created(tmp_path, capsys):
    path = tmp_path / "shop.db"
    code, err = run_cli(
        f"sqlite:///{path}", "--table", "orders", "-o", str(tmp_path / "r.xlsx"), capsys=capsys
    )
    assert code == 1 and "does not exist" in err
    assert not path.exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--table", "orders"], "--table and --query go with a database URL"),
        (["--preset", "shopify"], "--preset reads a shop's export file"),
    ],
)
def test_options_that_do_not_fit_a_glob(logs, tmp_path, capsys, argv, message):
    pattern = str(logs / "parts" / "*.parquet")
    code, err = run_cli(pattern, *argv, "-o", str(tmp_path / "r.xlsx"), capsys=capsys)
    assert code == 2 and message in err


def test_a_url_needs_a_table_or_a_query(logs, tmp_path, capsys):
    code, err = run_cli(f"duckdb:///{logs / 'shop.duckdb'}", "-o", str(tmp_path / "r.xlsx"),
                        capsys=capsys)  # fmt: skip
    assert code == 2 and "needs --table NAME or --query" in err


# --- Parquet samples ----------------------------------------------------------------------


def test_sample_data_writes_parquet_with_the_csv_rows(tmp_path):
    assert main(["sample-data", "-o", str(tmp_path / "o.parquet"), "--orders", "3000"]) == 0
    assert main(["sample-data", "-o", str(tmp_path / "o.csv"), "--orders", "3000"]) == 0
    parquet = pd.read_parquet(tmp_path / "o.parquet")
    csv = pd.read_csv(tmp_path / "o.csv", keep_default_na=False, dtype=str)
    assert len(parquet) == len(csv) == 3000
    assert parquet["order_id"].tolist() == csv["order_id"].tolist()
    assert parquet["amount"].tolist() == pytest.approx(csv["amount"].astype(float).tolist())
    assert pd.to_datetime(parquet["order_date"]).dt.strftime("%Y-%m-%d").tolist() == (
        csv["order_date"].tolist()
    )


def test_big_samples_are_written_in_shards_of_their_own(tmp_path, monkeypatch):
    monkeypatch.setattr(sampledata, "SHARD_ORDERS", 4_000)
    path = tmp_path / "big.parquet"
    assert sampledata.write_orders(path, 10_000) == 10_000
    assert pq.ParquetFile(path).metadata.num_row_groups >= 3
    log = pd.read_parquet(path)
    assert len(log) == 10_000 and log["order_id"].is_unique
    assert log["order_id"].iloc[[0, 3_999, 4_000, 9_999]].tolist() == [
        "SO-00000001", "SO-00004000", "SO-00004001", "SO-00010000",
    ]  # fmt: skip
    shard = np.repeat([0, 1, 2], [4_000, 4_000, 2_000])
    owners = log.groupby("customer_id")["order_id"].apply(lambda s: set(shard[s.index]))
    assert owners.map(len).max() == 1  # no customer spans two shards


def test_the_working_copy_is_removed_and_so_are_those_of_killed_runs(logs, tmp_path, monkeypatch):
    import os
    import subprocess
    import sys

    from xlbizops.report import sources

    monkeypatch.setattr(sources.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    killed = tmp_path / f"{sources.WORK_PREFIX}{dead.stdout.strip()}-abc"
    killed.mkdir()
    (killed / "work.duckdb").write_bytes(b"x" * 100)
    running = tmp_path / f"{sources.WORK_PREFIX}1-def"  # pid 1 is alive: not touched
    running.mkdir()
    source = sources.open_source(str(logs / "parts" / "*.parquet"))
    ours = list(tmp_path.glob(f"{sources.WORK_PREFIX}{os.getpid()}-*"))
    source.close()
    assert not killed.exists() and running.exists()
    assert len(ours) == 1 and not ours[0].exists()


def test_a_folder_of_shop_exports_reads_each_file_as_the_file_path_does(tmp_path):
    """Monthly UCI Online Retail exports, the second repeating a line of the first (an
    overlapping period): recognised from the headers, read file by file, the repeated
    line rejected as a duplicate; the report equals the one on the combined file."""
    from xlbizops.report import sources

    header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    rng = np.random.default_rng(5)
    rows = []
    for k in range(400):
        day = pd.Timestamp("2010-01-04") + pd.Timedelta(days=int(k * 0.9))
        rows.append(
            f"{536000 + k},{rng.integers(100, 140)},ITEM,{rng.integers(1, 12)},"
            f"{day.month}/{day.day}/{day.year} 9:{k % 60:02d},{rng.integers(1, 40) / 4},"
            f"{17000 + rng.integers(0, 60)}.0,United Kingdom\n"
        )
    rows.append("C536999,D,Discount,-1,6/14/2010 9:41,27.50,17001.0,United Kingdom\n")
    rows.append("536999,22139,TEA SET,6,6/15/2010 11:52,2.0,,United Kingdom\n")  # no customer
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "retail-1.csv").write_text(header + "".join(rows[:200]))
    (folder / "retail-2.csv").write_text(header + "".join(rows[199:]))  # row 199 twice
    (tmp_path / "all.csv").write_text(header + "".join(rows))
    one, _ = run_report(str(tmp_path / "all.csv"), tmp_path / "one.xlsx", as_of="2011-01-31")
    intake = sources.inputs.Intake(source="glob")
    exports = sources.export_files(
        str(folder / "*.csv"), None, {}, intake, latest=pd.Timestamp("2011-01-31")
    )
    exports.close()
    assert intake.rows_read == len(rows) + 1
    assert intake.rows_used == len(rows) - 1
    assert dict(intake.rejected) == {
        "blank customer_id": 1,
        "exact duplicate of an earlier row (same order id)": 1,
    }
    assert intake.layout.startswith("UCI Online Retail")
    glob, _ = run_report(str(folder / "*.csv"), tmp_path / "glob.xlsx", as_of="2011-01-31")
    a, b = cells(one), cells(glob)

    def analyses(found):  # the About sheet counts the repeated line: the others agree
        return {key: value for key, value in found.items() if key[0] != "About"}

    assert len(analyses(a)) > 500
    assert differences(analyses(a), analyses(b)) == []


def test_report_toml_names_the_database_table_and_the_engine(logs, tmp_path):
    config = tmp_path / "report.toml"
    config.write_text(
        "[input]\n"
        f'orders = "duckdb:///{logs / "shop.duckdb"}"\n'
        'table = "orders"\n'
        'as_of = "2026-10-31"\n'
        "[engine]\n"
        'name = "duckdb"\n'
    )
    path, _ = run_report(None, tmp_path / "r.xlsx", config_path=config)
    by_url, _ = run_report(f"duckdb:///{logs / 'shop.duckdb'}", tmp_path / "u.xlsx",
                           as_of="2026-10-31", table="orders")  # fmt: skip
    assert differences(cells(path), cells(by_url)) == []


def test_a_folder_of_plain_csv_files_gives_the_numbers_of_one_file(logs, tmp_path):
    folder = tmp_path / "monthly"
    folder.mkdir()
    text = (logs / "orders.csv").read_text().splitlines(keepends=True)
    header, body = text[0], text[1:]
    for k, start in enumerate(range(0, len(body), 8_000)):
        (folder / f"orders-{k}.csv").write_text(header + "".join(body[start : start + 8_000]))
    glob, _ = run_report(str(folder / "*.csv"), tmp_path / "g.xlsx", as_of="2026-10-31")
    one, _ = run_report(str(logs / "orders.csv"), tmp_path / "o.xlsx", as_of="2026-10-31")
    pattern = folder / "*.csv"
    # Only the layout line differs: it names the files read.
    assert differences(cells(one), cells(glob)) == [
        (("About", 7, 2), "columns matched by name",
         f"columns matched by name; 3 files matching {pattern}"),
    ]  # fmt: skip


def test_the_report_reads_the_fields_its_lines_hold():
    """One list of the fields the analyses read: the file reader cleans these, the
    engine brings every source to them."""
    from xlbizops.orderlog.schema import ANALYSED, FIELDS, LINE_SCHEMA

    assert set(LINE_SCHEMA) == set(ANALYSED) | {"is_return"}
    assert set(FIELDS) - set(ANALYSED) == {
        "customer_type", "category", "channel", "region", "error_type",
    }  # fmt: skip


def test_clv_check_equals_the_check_on_the_orders(analysed):
    """The report's holdout check (calibration sums from the engine) equals CLV_CHECK
    on the order log with the same split and the model the report chose."""
    lines, data = analysed
    o = per_order(lines)
    got = data.clv_check
    end = got.attrs["calibration_end"]
    key = data.clv.attrs["fit"].key
    expected = clv.clv_check(o["customer_id"], o["order_date"], o["amount"], end, key,
                             "2026-10-31")  # fmt: skip
    assert got["calibration_purchases"].tolist() == expected["calibration_purchases"].tolist()
    assert got["customers"].tolist() == expected["customers"].tolist()
    for column in ("actual_mean", "predicted_mean", "actual_total", "predicted_total",
                   "predicted_low_80", "predicted_high_80"):  # fmt: skip
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-6, err_msg=column)
    # the split holds out the last third of the log's days, at most 52 weeks
    first = pd.Timestamp(o["order_date"].min()).normalize()
    span = (pd.Timestamp("2026-10-31") - first).days
    assert (pd.Timestamp("2026-10-31") - end).days == min(span // 3, 364)


def test_win_back_marks_the_ten_whose_p_alive_fell_most(analysed):
    """The marked customers are, among those to win back, the ten with the largest
    fall of P(alive) over the last 30 days (5 points or more): P(alive) at T − 30
    days with the same purchases (only for those who did not buy since) minus
    P(alive) now, from the chosen model's P(alive) (equal to lifetimes')."""
    _, data = analysed
    table = data.actions["Customers to win back"]
    model = data.clv.attrs["fit"].model
    c = data.clv.set_index("customer_id").loc[table["customer_id"]]
    x = c["frequency"].to_numpy(float)
    tx, t = c["first_to_last_days"].to_numpy(float) / 7, c["age_days"].to_numpy(float) / 7
    then = t - 30 / 7
    fall = np.where(tx <= then, clv.p_alive(model, x, np.minimum(tx, then), np.maximum(then, 1e-9))
                    - clv.p_alive(model, x, tx, t), np.nan)  # fmt: skip
    ranked = pd.Series(fall, index=table["customer_id"]).dropna()
    expected = set(ranked[ranked >= 0.05].nlargest(10).index)
    marked = set(table.loc[table["watch"] == "P(alive) fell fastest", "customer_id"])
    print(f"{len(table)} to win back, {len(marked)} marked, largest fall {ranked.max():.3f}")
    assert marked == expected and len(marked) > 0
