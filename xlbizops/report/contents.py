"""The report as plain tables: each sheet's titles and tables as rows of cells.

For a workbook written cell by cell through xlwings (an xlwings Lite script), where
the XlsxWriter file of :mod:`xlbizops.report.layout`, with its charts and
formats, cannot be written: Lite has no file system.  Same numbers, no charts.
"""

from __future__ import annotations

import pandas as pd

from xlbizops import __version__
from xlbizops.report.analyses import Missing, ReportData
from xlbizops.report.inputs import Intake
from xlbizops.workbook.writing import plain


def about_facts(data: ReportData, intake: Intake, timings: dict[str, float]) -> list[tuple]:
    """(item, value) rows of the About sheet: source, row counts, notes, settings."""
    read_as = intake.encoding + (f", delimiter {intake.delimiter!r}" if intake.delimiter else "")
    return [
        ("source", intake.source),
        ("read as", read_as),
        ("layout", intake.layout or "columns matched by name"),
        ("as-of date", f"{data.as_of:%Y-%m-%d}"),
        ("rows read", intake.rows_read),
        ("rows used", intake.rows_used),
        ("rows rejected", intake.rows_read - intake.rows_used),
        *[(f"  rejected: {reason}", n) for reason, n in intake.rejected.most_common()],
        *[("note", note) for note in intake.notes + data.notes],
        *[(f"column for {f}", c) for f, c in intake.columns.items()],
        *[(f"setting {k}", v) for k, v in vars(data.settings).items()],
        ("xlbizops version", __version__),
        ("built at", pd.Timestamp.now().strftime("%Y-%m-%d %H:%M")),
        *[(f"seconds: {stage}", round(t, 2)) for stage, t in timings.items()],
    ]


def report_tables(data: ReportData, intake: Intake) -> dict[str, list[list]]:
    """Sheet name → rows: a title row, then each section's title and table."""
    cap = data.settings.top_rows
    about = pd.DataFrame(about_facts(data, intake, {}), columns=["item", "value"])
    areas = {
        "Summary": [
            ("Headline KPIs", data.summary),
            ("Revenue against the same days before", data.to_date),
            ("Monthly revenue", data.monthly),
        ],
        "Actions": list(data.actions.items()),
        "Supply chain": [
            ("Reorder policy per SKU", data.supply),
            ("Top sellers and decliners", data.movers),
        ],
        "Customers": [
            ("Customers per segment", data.segment_counts),
            ("RFM per customer", data.rfm),
            ("Customer lifetime value", data.clv),
            ("Cohort retention", data.cohorts),
        ],
        "Trends": [
            ("Decomposition Y = T + S + C + R", data.decomposition),
            (f"Forecast ({data.forecast_model})", data.forecast),
        ],
        "Segments": [("Segment profile", data.profile)],
        "Orders": [
            ("Order KPIs", data.kpis),
            ("Cycle time", data.cycle_days),
            ("On time by month", data.on_time_monthly),
        ],
        "Risk": [
            ("Anomalous weeks of revenue", data.anomalous_weeks),
            ("Supplier ranking", data.suppliers),
            ("Stock-out risk", data.stockout),
        ],
        "About": [("About this report", about)],
    }
    return {f"Report {area}": _sheet_rows(area, sections, cap) for area, sections in areas.items()}


def _sheet_rows(area: str, sections, cap: int) -> list[list]:
    rows: list[list] = [[f"xlbizops report: {area}"], []]
    for heading, table in sections:
        rows.append([heading])
        if isinstance(table, Missing):
            rows.append([f"{heading}: not in this report. It needs {table.needs}."])
        else:
            if len(table) > cap:
                rows.append([f"Showing the first {cap:,} of {len(table):,} rows."])
                table = table.head(cap)
            rows.append([str(c) for c in table.columns])
            rows += [[plain(v) for v in record] for record in table.itertuples(index=False)]
        rows.append([])
    width = max(len(r) for r in rows)
    return [r + [None] * (width - len(r)) for r in rows]
