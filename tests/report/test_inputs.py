"""Reading real-world order exports: encodings, delimiters, date styles, bad rows."""

import datetime as dt

import pandas as pd
import pytest

from xlbizops.core import InputError
from xlbizops.orderlog.values import dates as parse_dates
from xlbizops.report.inputs import read_orders

HEADER = "Order ID,Date,Customer,Net Sales,Qty\n"


def write(tmp_path, text, name="orders.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


MAP = {"order_date": "Date", "customer_id": "Customer", "amount": "Net Sales", "quantity": "Qty"}


def test_user_columns_are_mapped_and_named_in_errors(tmp_path):
    path = write(tmp_path, HEADER + "1,2024-01-05,A,10.5,1\n")
    lines, intake = read_orders(path, MAP)
    assert lines["amount"].tolist() == [10.5] and intake.columns["amount"] == "Net Sales"
    with pytest.raises(InputError) as err:
        read_orders(path, {"order_date": "Date"})
    message = str(err.value)
    assert "no column for customer_id, amount" in message
    assert "'Order ID', 'Date', 'Customer', 'Net Sales', 'Qty'" in message
    assert '--map customer_id="<column>"' in message
    with pytest.raises(
        InputError, match="column 'Sales' \\(mapped to amount\\) is not in the file"
    ):
        read_orders(path, {**MAP, "amount": "Sales"})


def test_same_names_need_no_map(tmp_path):
    path = write(tmp_path, "order_date,Customer ID,AMOUNT\n2024-01-05,A,3\n")
    lines, _ = read_orders(path)
    assert lines["customer_id"].tolist() == ["A"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "cp1252"])
def test_encodings(tmp_path, encoding):
    name = {"utf-8-sig": "Zoë", "gbk": "王芳", "cp1252": "Zoë"}[encoding]
    path = write(tmp_path, HEADER + f"1,2024-01-05,{name},10,1\n", encoding=encoding)
    lines, intake = read_orders(path, MAP)
    assert lines["customer_id"].tolist() == [name]
    assert intake.encoding in (encoding, "gb18030")


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiters(tmp_path, delimiter):
    text = (HEADER + "1,2024-01-05,A,10,1\n2,2024-01-06,B,20,2\n").replace(",", delimiter)
    lines, intake = read_orders(write(tmp_path, text), MAP)
    assert intake.delimiter == delimiter and lines["amount"].sum() == 30


def test_european_numbers_with_semicolons_are_refused_by_row_not_misread(tmp_path):
    # 1.234,50 cannot be read without guessing; the row is rejected and counted.
    text = "Order ID;Date;Customer;Net Sales;Qty\n1;2024-01-05;A;10;1\n2;2024-01-06;B;1.234,50;1\n"
    lines, intake = read_orders(write(tmp_path, text), MAP)
    assert len(lines) == 1 and intake.rejected == {"unreadable amount": 1}


def test_mixed_date_formats_in_one_column(tmp_path):
    text = HEADER + (
        "1,2024-01-05,A,1,1\n2,13/01/2024,B,1,1\n3,2024-01-20T10:30:00,C,1,1\n4,20240125,D,1,1\n"
    )
    lines, intake = read_orders(write(tmp_path, text), MAP)
    assert lines["order_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-05",
        "2024-01-13",
        "2024-01-20",
        "2024-01-25",
    ]
    assert intake.rows_used == 4


def test_day_first_is_recognised_and_ambiguity_is_reported():
    dates, note = parse_dates(pd.Series(["03/04/2024", "25/04/2024"]))
    assert dates.dt.strftime("%Y-%m-%d").tolist() == ["2024-04-03", "2024-04-25"]
    assert note == ""
    dates, note = parse_dates(pd.Series(["03/04/2024", "05/06/2024"]))
    assert dates.dt.strftime("%Y-%m-%d").tolist() == ["2024-03-04", "2024-05-06"]
    assert "month-first" in note
    dates, _ = parse_dates(pd.Series(["03/04/2024"]), date_order="dmy")
    assert dates.dt.strftime("%Y-%m-%d").tolist() == ["2024-04-03"]


def test_bad_rows_are_counted_by_reason_never_silently_dropped(tmp_path):
    text = HEADER + (
        "1,2024-01-05,A,10,1\n"
        "1,2024-01-05,A,10,1\n"  # exact duplicate
        "2,soon,B,10,1\n"  # unreadable date
        "3,2024-01-06,,10,1\n"  # blank customer
        "4,2024-01-06,C,ten,1\n"  # unreadable amount
        "5,2024-01-07,D,-10,-1\n"  # a return: kept
        '6,2024-01-07,E,"$1,234.50",2\n'  # currency and thousands separator: fine
    )
    lines, intake = read_orders(write(tmp_path, text), MAP)
    assert intake.rows_read == 7 and intake.rows_used == 3
    assert intake.rejected == {
        "exact duplicate of an earlier row (same order id)": 1,
        "unreadable order_date": 1,
        "blank customer_id": 1,
        "unreadable amount": 1,
    }
    assert lines["is_return"].tolist() == [False, True, False]
    assert lines["amount"].tolist() == [10.0, -10.0, 1234.5]
    assert any("1 return line" in note for note in intake.notes)


def test_shared_order_ids_are_multi_line_orders(tmp_path):
    text = HEADER + "7,2024-01-05,A,10,1\n7,2024-01-05,A,5,2\n"
    lines, intake = read_orders(write(tmp_path, text), MAP)
    assert len(lines) == 2 and any("multi-line orders" in n for n in intake.notes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "orders.csv is empty"),
        (HEADER, "has a header row but no data rows"),
        ("just one column\nvalue\n", "has a single column"),
        (HEADER + "1,soon,A,10,1\n", "no usable rows in orders.csv: 1 unreadable order_date"),
    ],
)
def test_unusable_files(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_orders(write(tmp_path, text), MAP)


def test_xlsx_and_parquet_inputs(tmp_path):
    frame = pd.DataFrame(
        {
            "Date": [dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 6)],
            "Customer": ["A", "B"],
            "Net Sales": [10.0, 20.0],
            "Qty": [1, 2],
        }
    )
    frame.to_excel(tmp_path / "orders.xlsx", index=False)
    lines, intake = read_orders(tmp_path / "orders.xlsx", MAP)
    assert intake.encoding == "xlsx"
    assert lines["order_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-05", "2024-01-06"]
    frame.to_parquet(tmp_path / "orders.parquet")
    lines, _ = read_orders(tmp_path / "orders.parquet", MAP)
    assert lines["amount"].tolist() == [10.0, 20.0]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.50", 1234.5),
        ("$1,234", 1234.0),
        ("(12.50)", -12.5),
        ("-3", -3.0),
        ("1.234,50", None),
        ("12 kg", None),
        ("1,23", None),
    ],
)
def test_numbers_in_text_are_read_only_when_unambiguous(text, value):
    from xlbizops.orderlog.values import numbers as parse_numbers

    got = parse_numbers(pd.Series([text], dtype=object)).iloc[0]
    assert (pd.isna(got) and value is None) or got == value


def test_a_file_too_large_for_memory_is_refused_with_advice(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:  # a sparse 2 GB file: no disk used, st_size says 2 GB
        f.write(HEADER.encode())
        f.truncate(2 * 1024**3)
    with pytest.raises(InputError) as err:
        read_orders(path, MAP, max_file_mb=1500)
    message = str(err.value)
    assert "huge.csv is 2,147 MB (about 15 million orders)" in message
    assert "Export a shorter period, or raise max_file_mb" in message


def test_only_the_mapped_columns_are_read(tmp_path):
    text = 'Date,Customer,Net Sales,Notes\n2024-01-05,A,10,"free text, with commas"\n'
    lines, intake = read_orders(write(tmp_path, text), MAP | {"quantity": "Net Sales"})
    assert set(intake.columns.values()) == {"Date", "Customer", "Net Sales"}


def test_unreadable_error_flags_are_counted_not_silently_zeroed(tmp_path):
    text = HEADER.replace("\n", ",Error\n") + "1,2024-01-05,A,1,1,yes\n2,2024-01-05,B,1,1,0\n"
    text += "3,2024-01-05,C,1,1,maybe\n"
    lines, intake = read_orders(write(tmp_path, text), MAP | {"error_flag": "Error"})
    assert lines["error_flag"].tolist() == [1, 0, 0]
    assert "error_flag: 1 unreadable value(s) read as 0 (no error)" in intake.notes


def test_a_column_of_excel_serials_is_read_as_dates():
    """A sheet read through Office.js (xlwings Lite) gives date cells as serial numbers:
    a float column.  45658 is 2025-01-01 in Excel's 1900 date system."""
    parsed, note = parse_dates(pd.Series([45658.0, 45659.5, None]))
    assert parsed.iloc[0] == pd.Timestamp("2025-01-01")
    assert parsed.iloc[1] == pd.Timestamp("2025-01-02 12:00")
    assert pd.isna(parsed.iloc[2]) and note == ""
    parsed, _ = parse_dates(pd.Series([20250101, 20251231]))  # yyyymmdd as integers
    assert list(parsed) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31")]


def test_the_fast_csv_reader_and_its_fallback_read_the_same_cells(tmp_path):
    """UTF-8 files go through pyarrow's reader; one it refuses (a space before a quoted
    field, which pandas reads with skipinitialspace) falls back to pandas."""
    from xlbizops.report.inputs import Intake, read_raw

    quoted = tmp_path / "quoted.csv"
    quoted.write_text('order_id, amount, sku\n1, "1,234.50", "A, B"\n2, 10, X\n', encoding="utf-8")
    plain = tmp_path / "plain.csv"
    plain.write_bytes(
        '\ufefforder_id,amount,sku\n1,"1,234.50","A, B"\n2,10,"two\nlines"\n'.encode()
    )
    spaced = read_raw(quoted, Intake("q"))
    assert spaced.to_dict("list") == {
        "order_id": ["1", "2"], "amount": ["1,234.50", "10"], "sku": ["A, B", "X"],
    }  # fmt: skip
    fast = read_raw(plain, Intake("p"))
    assert fast.to_dict("list") == {
        "order_id": ["1", "2"], "amount": ["1,234.50", "10"], "sku": ["A, B", "two\nlines"],
    }  # fmt: skip


def test_clean_columns_arrive_typed_and_read_as_the_text_path_reads_them():
    """pyarrow turns a wholly plain number or ISO date column into numbers or dates in
    one vectorised cast; any other cell leaves the column to the cell-by-cell readers."""
    import pyarrow as pa

    from xlbizops.report.inputs import _plainly_typed

    def typed(values, kind):
        out = _plainly_typed(pa.chunked_array([values]), kind)
        return None if out is None else out.to_pylist()

    assert typed(["12", " -3.5 ", "", "1e3", "+4"], "number") == [12.0, -3.5, None, 1000.0, 4.0]
    assert typed(["2024-11-01", "2024-11-02 10:30:00", ""], "date") == [
        dt.datetime(2024, 11, 1), dt.datetime(2024, 11, 2, 10, 30), None,
    ]  # fmt: skip
    for values, kind in [
        (["12", "1,234.50"], "number"),  # thousands separators: parse_numbers' rules
        (["12", "$5"], "number"),
        (["2024-11-01", "01/11/2024"], "date"),  # a local style: parse_dates decides
        (["2024-11-01", "2024-02-30"], "date"),  # no such day: left to be rejected
        (["2024-11-01T10:00:00Z"], "date"),  # a zone: parse_dates' ISO reading
        (["2024-11-01", "2300-01-01"], "date"),  # beyond pandas' nanosecond range
        (["2024-11-01", "45658"], "date"),  # an Excel serial as text
    ]:
        assert typed(values, kind) is None, values


def test_a_typed_read_gives_the_same_lines_and_counts_as_reading_text(tmp_path, monkeypatch):
    """A log whose amount column is clean and whose date column is not: the typed
    columns and the text ones end in the same cleaned lines, rejections and notes."""
    from xlbizops.report import inputs

    text = (
        "order_id,order_date,customer_id,amount,quantity,shipped_date\n"
        "1,2024-03-01,C1,10.5,1,2024-03-02\n"
        "2,2024-03-02,C2,-4,1,\n"
        "3,03/04/2024,C1, 7 ,2,2024-02-01\n"  # local date style, early shipping date
        "4,2024-03-05,,3,1,2024-03-06\n"  # blank customer
        "5,2024-03-06,C3,nan,1,2024-03-07\n"  # blank amount
        "6,2024-03-07,C3,inf,1,2024-03-08\n"  # unreadable amount
        "1,2024-03-01,C1,10.5,1,2024-03-02\n"  # duplicate
    )
    path = write(tmp_path, text)
    raw = inputs.read_raw(
        path, inputs.Intake("t"), typed={"amount": "number", "order_date": "date"}
    )
    assert raw["amount"].dtype == float and raw["order_date"].dtype == "str"  # one typed
    fast, fast_intake = read_orders(path)
    assert fast["amount"].tolist() == [10.5, -4.0, 7.0]
    assert fast["shipped_date"].isna().tolist() == [False, True, True]
    monkeypatch.setattr(inputs, "_plainly_typed", lambda column, kind: None)
    slow, slow_intake = read_orders(path)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert fast_intake.rejected == slow_intake.rejected == {
        "blank customer_id": 1, "blank amount": 1, "unreadable amount": 1,
        "exact duplicate of an earlier row (same order id)": 1,
    }  # fmt: skip
    assert fast_intake.notes == slow_intake.notes
