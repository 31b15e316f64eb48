"""The same cells from both runtimes: classic xlwings (Windows, COM) and xlwings Lite
(Office.js), for every catalogue function, on the same inputs.

Classic: xlwings' own Windows conversion (``tests.excel.windows_stub``).  Office.js:
xlwings' own ``custom_functions_call`` in a child process (``tests.excel.officejs``),
with the packages Lite does not install blocked from importing.

Each input is written once, runtime-neutrally, and delivered the way each runtime
hands it over: a date is a date cell on Windows and a serial number in Office.js; an
empty cell is ``None`` on Windows and empty text in Office.js; an Excel error is a
COM error code on Windows and an error object in Office.js.  Results are compared
as what the cell shows: blank, number, text, TRUE/FALSE, a date, or an error.
"""

from __future__ import annotations

import datetime as dt
import inspect
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.excel.officejs import ask
from tests.excel.windows_stub import COM_ERRORS, call, udf_module
from tests.oracles import SAUDI_OIL, SLEEP_GROUP1, SLEEP_GROUP2
from xlbizops.excel import udfs as plain_udfs
from xlbizops.excel.catalogue import function_names
from xlbizops.excel.cells import excel_serial

ROOT = Path(__file__).parents[2]


@dataclass(frozen=True)
class Date:
    year: int
    month: int
    day: int

    def value(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, self.day)


@dataclass(frozen=True)
class Error:
    text: str


ERROR_TYPES = {"#DIV/0!": "Div0", "#N/A": "NotAvailable", "#VALUE!": "Value"}


def col(*values):
    return [[v] for v in values]


def row(*values):
    return [list(values)]


def days(start: Date, n: int, step: int = 1):
    first = start.value()
    return [Date(*(first + dt.timedelta(days=i * step)).timetuple()[:3]) for i in range(n)]


# --- the inputs: every catalogue function, with dates, blanks, errors, booleans ----------

JAN = days(Date(2025, 1, 1), 40)
ORDER_IDS = col(*[f"C{i % 7}" for i in range(40)])
ORDER_DATES = col(*JAN)
AMOUNTS = col(*[20.0 + (i * 37) % 50 for i in range(40)])
SEASONAL = [10.0 + [0, 5, 3, 8, 2, 9, 4][i % 7] + 0.05 * i for i in range(70)]
GROUPS = [["orders", "spend"]] + [
    [base + 0.01 * i, money + i]
    for base, money in ((1.0, 100.0), (20.0, 5000.0), (10.0, 20000.0))
    for i in range(6)
]
# 30 customers over 20 weeks: two in three buy every 1-3 weeks, the rest once.
CLV_ORDERS = [
    (
        f"C{c:02d}",
        days(Date(2024, 1, 1), 140)[d + c] if d + c < 140 else Date(2024, 6, 1),
        20.0 + c + d / 10,
    )  # noqa: E501
    for c in range(1, 31)
    for d in (range(0, 120, 7 * (1 + c % 3)) if c % 3 else [c])
]
SHIPPED = col(*[d if i % 5 else None for i, d in enumerate(days(Date(2025, 1, 2), 12))])
DELIVERED = col(*[d if i % 5 else None for i, d in enumerate(days(Date(2025, 1, 4), 12))])
PROMISED = col(*days(Date(2025, 1, 5), 12))
# three SKUs over 34 weeks, a line every fourth day
REPL_SKUS = col(*["A", "B", "C"] * 20)
REPL_DATES = col(*days(Date(2025, 1, 6), 60, 4))
REPL_UNITS = col(*[1.0 + (i * 7) % 5 for i in range(60)])

CASES = {
    "EOQ": [
        col(1300.0, 182500.0, None, None),
        col(8.0, 2250.0, None, None),
        col(0.225, 275.0, None, None),
    ],  # noqa: E501 - trailing blank rows
    "EOQ_COST": [1300.0, 8.0, 0.225, 250.0],
    "EOQ_BACKORDER": [1300.0, 8.0, 0.225, 5.0],
    "EPQ": [col(1300.0, 80.0), col(8.0, 4.0), col(0.225, 0.08), col(2000.0, 110.0)],
    "EOQ_DISCOUNT": [
        1300.0,
        8.0,
        0.3,
        row(0.0, 400.0, 800.0),
        col(0.75, 0.72, 0.68),
        "incremental",
    ],  # noqa: E501
    "SAFETY_STOCK": [0.95, col(100.0, 50.0, None), col(20.0, 10.0, None), 4.0, col(0.0, 1.0, None)],
    "REORDER_POINT": [0.95, col(100.0, 50.0), col(20.0, 10.0), 4.0],
    "NEWSVENDOR": [5.0, 1.0, 0.0, 6.0, None, "poisson"],
    "RQ_POLICY": [0.225, 7.5, 8.0, 1300.0, 150.0, 1 / 12],
    "ABC_CLASS": [col("a", "b", None, "c", "d"), col(3.0, 50.0, None, 10.0, 37.0)],
    "XYZ_CLASS": [
        col("a", "b", "c"),
        [[10.0, 10.0, 10.0, 10.0], [5.0, 15.0, 5.0, 15.0], [0.0, 0.0, 0.0, 40.0]],
    ],  # noqa: E501
    "INVENTORY_TURNOVER": [col(1200.0, 500.0), col(100.0, 250.0)],
    "DAYS_OF_SUPPLY": [col(40.0, 0.0), col(4.0, 2.0)],
    "DEMAND_BY_ITEM": [
        col("A", "A", "B", "C"),
        col(Date(2025, 1, 1), Date(2025, 1, 1), Date(2025, 1, 3), Date(2024, 12, 31)),
        col(2.0, 3.0, 4.0, 9.0),
        col(10.0, 20.0, 5.0, 1.0),
        None,
        3.0,
    ],  # noqa: E501
    "DEMAND_CLASS": [
        col("A", "A", "B", "A"),
        col(Date(2026, 3, 2), Date(2026, 3, 10), Date(2026, 3, 11), Date(2026, 3, 24)),
        col(5.0, 6.0, 2.0, 5.0),
        "week",
    ],
    "FORECAST_DEMAND": [REPL_SKUS, REPL_DATES, REPL_UNITS, 4.0, "week", "sba"],
    "REORDER_POLICY": [
        REPL_SKUS,
        REPL_DATES,
        REPL_UNITS,
        2.0,
        0.95,
        "fill_rate",
        1.0,
        "week",
        "auto",
        col(3.0, 4.0, 50.0),
    ],  # fmt: skip
    "INVENTORY_BACKTEST": [
        REPL_SKUS,
        REPL_DATES,
        REPL_UNITS,
        1.0,
        0.9,
        "cycle_service",
        1.0,
        "week",
        8.0,
    ],  # fmt: skip
    "RFM_SCORE": [ORDER_IDS, ORDER_DATES, AMOUNTS, Date(2025, 2, 15)],
    "RFM_SEGMENT": [col(5.0, 1.0, None, 3.0), col(5.0, 5.0, None, 3.0)],
    "CLV": [
        col(*[o[0] for o in CLV_ORDERS]),
        col(*[o[1] for o in CLV_ORDERS]),
        col(*[o[2] for o in CLV_ORDERS]),
        6.0,
        0.1,
        Date(2024, 6, 1),
        None,
        "auto",
    ],  # noqa: E501
    "CLV_CHECK": [
        col(*[o[0] for o in CLV_ORDERS]),
        col(*[o[1] for o in CLV_ORDERS]),
        col(*[o[2] for o in CLV_ORDERS]),
        Date(2024, 4, 1),
        "paretonbd",
    ],
    "COHORT_RETENTION": [
        col("a", "a", "b", "c", "c", "b"),
        col(
            "2024-01-05",
            Date(2024, 2, 10),
            "2024-01-20",
            "2024-02-01",
            Date(2024, 4, 1),
            "2024-03-03",
        ),
        "month",
    ],  # noqa: E501
    "DECOMPOSE": [col(*SEASONAL[:28]), 7.0, "multiplicative", "classical"],
    "FORECAST_HW": [
        col(*[50.0 + (i % 12) + 0.2 * i for i in range(48)]),
        3.0,
        None,
        col(*[Date(2021 + i // 12, i % 12 + 1, 1) for i in range(48)]),
    ],  # noqa: E501
    "SEASONALITY": [col(*SEASONAL)],
    "RESAMPLE": [
        col(Date(2024, 1, 31), "2024-01-01", Date(2024, 3, 5), None),
        col(1.0, 2.0, 3.0, None),
        "month",
        "sum",
    ],  # noqa: E501
    "SEGMENT": [GROUPS, "auto"],
    "SEGMENT_K": [GROUPS, 5.0],
    "SEGMENT_PROFILE": [GROUPS, 3.0, True],
    "ORDER_KPIS": [
        col(*days(Date(2025, 1, 1), 12)),
        SHIPPED,
        DELIVERED,
        PROMISED,
        col(*(["shipped"] * 10 + ["cancelled", "returned"])),
        col(*([0.0] * 11 + [1.0])),
    ],  # noqa: E501
    "CYCLE_TIME": [
        col(Date(2025, 1, 1), Date(2025, 1, 2), Date(2025, 1, 3)),
        col(Date(2025, 1, 4), None, Date(2025, 1, 3)),
        "hours",
    ],  # noqa: E501
    "IMPACT": [col(*SLEEP_GROUP1, None), row(*SLEEP_GROUP2), True],
    "IMPACT_SERIES": [
        col(*days(Date(2025, 1, 1), 40)),
        col(*[100.0 + (i % 7) * 3 + i * 0.5 + (8.0 if i >= 30 else 0.0) for i in range(40)]),
        Date(2025, 1, 31),
    ],
    "IMPACT_DID": [
        col(*(days(Date(2025, 1, 1), 6) * 4)),
        col(
            *[10.0 * g + t + (3.0 if g < 2 and t >= 4 else 0.0) for g in range(4) for t in range(6)]
        ),
        col(*[s for s in "ABCD" for _ in range(6)]),
        col("A", "B"),
        Date(2025, 1, 5),
    ],
    "ANOMALIES": [col("daily orders", 2.1, 2.2, 2.0, None, 2.3, 2.2, 9.0, 2.4), "mad"],
    "STOCKOUT_RISK": [col(40.0, 60.0), 10.0, 0.0, 5.0],
    "SUPPLIER_METRICS": [
        col("S1", "S2", "S1"),
        col(*days(Date(2025, 1, 1), 3)),
        col(*days(Date(2025, 1, 3), 3)),
        col(*days(Date(2025, 1, 2), 3)),
        col(0.0, 1.0, 0.0),
    ],  # noqa: E501
    "SUPPLIER_RISK": [
        [
            ["supplier", "late", "defects", "score"],
            ["S1", 0.1, 0.02, 80.0],
            ["S2", 0.3, 0.01, 90.0],
            ["S3", 0.05, 0.05, 70.0],
        ],
        row(2.0, 1.0, 1.0),
        row("lower", False, "higher"),
    ],  # noqa: E501
    "RISK_MATRIX": [col(1.0, None, 5.0), col(4.0, None, 5.0)],
}

# More cases of the same functions: other methods and argument shapes ("NAME/what").
CLUSTERED = [["x", "y"]] + [[1.0 + 0.1 * (i % 4), 2.0 + 0.1 * (i % 3)] for i in range(15)]
MORE = {
    "ANOMALIES/iforest": [CLUSTERED + [[9.0, -7.0]], "iforest"],
    "ANOMALIES/iqr": [col(*map(float, [1, 2, 3, 4, 5, 6, 7, 8, 100])), "iqr"],
    "DECOMPOSE/stl": [col(*SEASONAL[:28]), 7.0, "additive", "stl"],
    "SEGMENT/standardize off": [GROUPS, 3.0, False, 1.0],
    "NEWSVENDOR/normal": [1.7, 1.0, 0.82, 50.0, 8.0],
    "COHORT_RETENTION/week": [
        col("a", "a", "b"),
        col(Date(2024, 1, 1), Date(2024, 1, 9), Date(2024, 1, 2)),
        "week",
    ],  # noqa: E501
    "RESAMPLE/week mean": [col(*JAN), AMOUNTS, "week", "mean"],
}

# Bad input must give the same one-line message on both runtimes.
BAD = {
    "EOQ": [col(1300.0, Error("#N/A")), 8.0, 0.225],
    "RFM_SCORE": [ORDER_IDS, col(*([Error("#VALUE!")] + JAN[1:])), AMOUNTS],
    "DECOMPOSE": [col(1.0, 2.0, None, 4.0), 2.0],
    "SEGMENT": [GROUPS, "many"],
    "RESAMPLE": [col(Date(2024, 1, 31)), col(True)],
    "FORECAST_HW": [col(*SAUDI_OIL[:3], None, *SAUDI_OIL[4:]), 2.0, 0.0],
}

# A 100,000-row range through both runtimes.
BIG_N = 100_000
BIG = {
    "EOQ": [col(*[1000.0 + i for i in range(BIG_N)]), 8.0, 0.225],
}


def enum_arguments(name: str) -> set[int]:
    """Positions of the arguments typed as Literal (Office.js enums: scalar, not matrix)."""
    func = getattr(plain_udfs, name)
    hints = typing.get_type_hints(func, include_extras=True)
    return {
        i
        for i, parameter in enumerate(inspect.signature(func).parameters)
        if parameter in hints
        and typing.get_origin(typing.get_args(hints[parameter])[0]) is typing.Literal
    }


# --- delivering inputs the way each runtime does --------------------------------------


def to_com(value):
    if isinstance(value, list):
        return tuple(tuple(to_com(c) for c in r) for r in value)
    if isinstance(value, Date):
        return value.value()
    if isinstance(value, Error):
        return COM_ERRORS[value.text]
    return value


def to_officejs_cell(value):
    if value is None:
        return ""
    if isinstance(value, Date):
        return excel_serial(value.value())
    if isinstance(value, Error):
        return {"type": "Error", "basicValue": value.text, "errorType": ERROR_TYPES[value.text]}
    return value


def to_officejs(value, scalar: bool):
    if scalar:  # an enum argument: Office.js passes the word itself
        return value
    if value is None:  # an omitted optional argument
        return None
    if isinstance(value, list):
        return [[to_officejs_cell(c) for c in r] for r in value]
    return [[to_officejs_cell(value)]]


# --- what a cell shows -----------------------------------------------------------------


def shown_classic(result) -> list[list]:
    rows = result if isinstance(result, list) else [[result]]
    return [[_classic_cell(c) for c in r] for r in rows]


def _classic_cell(c):
    if c is None or c == "":
        return ("blank",)
    if isinstance(c, dt.datetime):
        return ("date", excel_serial(c.replace(tzinfo=None)))
    if isinstance(c, bool):
        return ("bool", c)
    if isinstance(c, int | float):
        return ("number", float(c))
    return ("text", c)


def shown_officejs(result) -> list[list]:
    return [[_officejs_cell(c) for c in r] for r in result]


def _officejs_cell(c):
    if c is None or c == "":
        return ("blank",)
    if isinstance(c, dict) and c.get("type") == "FormattedNumber":
        return ("date", c["basicValue"])
    if isinstance(c, dict) and c.get("type") == "Error":
        return ("error", c["errorType"])
    if isinstance(c, bool):
        return ("bool", c)
    if isinstance(c, int | float):
        return ("number", float(c))
    return ("text", c)


def same(a, b) -> bool:
    if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b, strict=True)):
        return False
    for x, y in zip((c for r in a for c in r), (c for r in b for c in r), strict=True):
        if x[0] != y[0]:
            return False
        if x[0] in ("number", "date"):
            if x[1] != pytest.approx(y[1], rel=1e-12, abs=1e-12):
                return False
        elif x != y:
            return False
    return True


# --- one child process for every Office.js request -------------------------------------


def requests_for(cases: dict) -> list[dict]:
    out = []
    for key, args in cases.items():
        name = key.split("/")[0]
        scalar = enum_arguments(name)
        out.append(
            {
                "op": "call",
                "func": name,
                "args": [to_officejs(a, i in scalar) for i, a in enumerate(args)],
            }
        )
    return out


@pytest.fixture(scope="module")
def officejs():
    groups = {"cases": {**CASES, **MORE}, "bad": BAD, "big": BIG}
    requests = [{"op": "meta"}, {"op": "scripts"}, {"op": "modules"}]
    for cases in groups.values():
        requests += requests_for(cases)
    answers = ask(requests)
    out = {"meta": answers[0], "scripts": answers[1], "modules": answers[2]}
    rest = iter(answers[3:])
    for group, cases in groups.items():
        out[group] = {name: next(rest) for name in cases}
    return out


@pytest.fixture(scope="module")
def classic():
    return udf_module()


def test_every_catalogue_function_has_a_case():
    assert sorted(CASES) == sorted(function_names())


@pytest.mark.parametrize("key", [*CASES, *MORE])
def test_same_cells_on_both_runtimes(key, classic, officejs):
    name, args = key.split("/")[0], {**CASES, **MORE}[key]
    answer = officejs["cases"][key]
    assert "cells" in answer, answer
    windows = shown_classic(call(getattr(classic, name), *[to_com(a) for a in args]))
    lite = shown_officejs(answer["cells"])
    assert not any(c[0] == "text" and c[1].startswith(f"{name}:") for r in windows for c in r), (
        f"the case itself failed: {windows}"
    )
    assert same(windows, lite), f"\nWindows: {windows[:6]}\nOffice.js: {lite[:6]}"


@pytest.mark.parametrize("name", list(BAD))
def test_same_one_line_message_on_both_runtimes(name, classic, officejs):
    windows = call(getattr(classic, name), *[to_com(a) for a in BAD[name]])
    lite = officejs["bad"][name]["cells"]
    assert isinstance(windows, str) and windows.startswith(f"{name}: "), windows
    assert lite == [[windows]]


def test_a_100000_row_range(classic, officejs):
    windows = shown_classic(call(classic.EOQ, *[to_com(a) for a in BIG["EOQ"]]))
    lite = shown_officejs(officejs["big"]["EOQ"]["cells"])
    assert len(windows) == len(lite) == BIG_N
    assert windows[-1][0][1] == pytest.approx((2 * (1000.0 + BIG_N - 1) * 8 / 0.225) ** 0.5)
    assert same(windows, lite)


def test_dates_come_back_as_dates_on_both(classic, officejs):
    lite = shown_officejs(officejs["cases"]["RESAMPLE"]["cells"])
    assert lite[1][0] == ("date", excel_serial(dt.datetime(2024, 1, 1)))
    assert lite[1][1] == ("number", 3.0)  # Jan 31 and Jan 1; the blank row is skipped


def test_the_desktop_packages_were_not_imported(officejs):
    # pyarrow is no longer among them: Pyodide builds it and the report's engine needs it.
    blocked = {"python_calamine", "formulas", "pyopenvba", "xlsxwriter", "lxml"}
    assert not blocked & set(officejs["modules"])
    assert "xlbizops" in officejs["modules"]


def test_the_comparison_can_fail():
    assert not same([[("number", 1.0)]], [[("number", 1.0 + 1e-6)]])
    assert not same([[("blank",)]], [[("text", "")]])
    assert not same([[("date", 45658.0)]], [[("number", 45658.0)]])
    assert not same([[("number", 1.0)]], [[("number", 1.0)], [("blank",)]])


# --- what Lite registers ------------------------------------------------------------------

CHOICES = {
    "DECOMPOSE.MODEL": ["additive", "multiplicative"],
    "DECOMPOSE.METHOD": ["classical", "stl"],
    "EOQ_DISCOUNT.KIND": ["all_units", "incremental"],
    "NEWSVENDOR.DISTRIBUTION": ["normal", "poisson"],
    "COHORT_RETENTION.PERIOD": ["month", "week", "quarter"],
    "DEMAND_CLASS.PERIOD": ["day", "week", "month"],
    "CLV.MODEL": ["bgnbd", "mbgnbd", "paretonbd", "auto"],
    "CLV_CHECK.MODEL": ["bgnbd", "mbgnbd", "paretonbd", "auto"],
    "FORECAST_DEMAND.PERIOD": ["day", "week", "month"],
    "FORECAST_DEMAND.METHOD": ["auto", "croston", "sba", "tsb", "adida", "imapa", "ets"],
    "REORDER_POLICY.TARGET_TYPE": ["fill_rate", "cycle_service"],
    "REORDER_POLICY.PERIOD": ["day", "week", "month"],
    "REORDER_POLICY.METHOD": ["auto", "croston", "sba", "tsb", "adida", "imapa", "ets"],
    "INVENTORY_BACKTEST.TARGET_TYPE": ["fill_rate", "cycle_service"],
    "INVENTORY_BACKTEST.PERIOD": ["day", "week", "month"],
    "RESAMPLE.PERIOD": ["day", "week", "month", "quarter", "year"],
    "RESAMPLE.HOW": ["sum", "mean", "count", "min", "max"],
    "CYCLE_TIME.UNIT": ["days", "hours"],
    "ANOMALIES.METHOD": ["mad", "iqr", "iforest"],
}


def test_every_function_and_argument_is_described(officejs):
    from xlbizops.excel.catalogue import entries

    functions = {f["name"]: f for f in officejs["meta"]["functions"]}
    assert sorted(functions) == sorted(function_names())
    for entry in entries():
        meta = functions[entry.name]
        assert meta["description"].split() == entry.description.split()
        assert [p["name"] for p in meta["parameters"]] == [a.name for a in entry.arguments]
        for param, argument in zip(meta["parameters"], entry.arguments, strict=True):
            assert param["description"] == argument.doc and len(param["description"]) > 10
            assert param.get("optional", False) == argument.optional
        assert meta["result"] == {"dimensionality": "matrix", "type": "any"}


def test_words_are_offered_as_dropdowns(officejs):
    enums = {e["id"]: [v["stringValue"] for v in e["values"]] for e in officejs["meta"]["enums"]}
    assert enums == CHOICES
    for function in officejs["meta"]["functions"]:
        for param in function["parameters"]:
            enum = f"{function['name']}.{param['name']}".upper()
            if enum in CHOICES:
                assert param["customEnumId"] == enum and param["dimensionality"] == "scalar"
            else:
                assert param["dimensionality"] == "matrix" and "customEnumId" not in param


def test_the_scripts_are_registered(officejs):
    from xlbizops.lite import SCRIPTS

    assert sorted(s["function_name"] for s in officejs["scripts"]) == sorted(SCRIPTS)
