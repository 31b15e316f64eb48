"""The report opened in a real spreadsheet program: LibreOffice renders every sheet and
every chart (chart titles appear in the PDF only when the chart was drawn)."""

import pytest
from PIL import Image

from tests.report.render import pdf_text, render
from xlbizops.report.build import run_report

CHART_TITLES = [
    "Monthly revenue",
    "ABC Pareto (top SKUs by annual value)",
    "Customers per segment",
    "Revenue forecast, 95 % interval",
    "Observed and trend",
    "Seasonal",
    "Cycle",
    "Residual",
    "Recency vs monetary by segment",
    "Days from order to delivery",
    "On-time delivery rate by month",
    "Supplier risk score",
]
SHEET_TITLES = [
    "Operations summary",
    "Supply chain: inventory policy per SKU",
    "Customers: RFM segments, lifetime value and retention",
    "Trends: revenue decomposition and forecast",
    "Segments: k-means on recency, frequency and monetary",
    "Order processing: speed and accuracy",
    "Risk: anomalies, stock-out risk and supplier ranking",
    "About this report",
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    book, _ = run_report(None, out / "report.xlsx", sample_orders=20_000)
    return render(book, out / "pdf")


def test_every_sheet_and_every_chart_renders(rendered):
    pdf, pages = rendered
    # Compare without white space: a chart title may wrap onto two lines.
    text = "".join(pdf_text(pdf).split())
    for heading in SHEET_TITLES:
        assert "".join(heading.split()) in text, f"sheet not rendered: {heading}"
    for chart in CHART_TITLES:
        assert "".join(chart.split()) in text, f"chart not rendered: {chart}"
    assert 8 <= len(pages) <= 30  # one page wide, the top of each sheet


def test_pages_are_real_pictures(rendered):
    _, pages = rendered
    for page in pages:
        image = Image.open(page).convert("L")
        colours = image.getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 2, f"{page.name} is blank"


def page_texts(pdf) -> list[str]:
    """The text of each page ("\\f" separates pages in pdftotext's output)."""
    return [" ".join(page.split()) for page in pdf_text(pdf).split("\f")]


def sections(book) -> list[tuple[str, str, str]]:
    """(sheet, heading, first header cell) of every section heading: the sheet titles
    and the section headings (bold, size 12 or more, in column A)."""
    from openpyxl import load_workbook

    out = []
    for ws in load_workbook(book):
        rows = list(ws.iter_rows(min_col=1, max_col=1))
        for i, (cell,) in enumerate(rows):
            font = cell.font
            if isinstance(cell.value, str) and font.b and (font.sz or 11) >= 12:
                # the first short cell below: a table's first header (a sheet's note,
                # long text that wraps on paper, is passed over)
                below = [
                    r[0].value
                    for r in rows[i + 1 : i + 5]
                    if r[0].value is not None and len(str(r[0].value)) <= 40
                ]
                if below:
                    out.append((ws.title, cell.value, str(below[0])))
    return out


@pytest.fixture(scope="module")
def report_book(rendered):
    pdf, _ = rendered
    return pdf.parent.parent / "report.xlsx"


def test_every_section_prints_with_its_table_on_one_page(rendered, report_book):
    """Each section heading and its table's header row are on the same printed page
    (each section starts a page), and every section is printed (the cohort matrix and
    the stock-out table included)."""
    pdf, _ = rendered
    pages = page_texts(pdf)
    found = sections(report_book)
    headings = [h for _, h, _ in found]
    assert "Cohort retention" in " ".join(headings) or any("ohort" in h for h in headings)
    assert any(h.startswith("Stock-out risk per SKU (the 30 highest)") for h in headings)
    cut = [h for h in headings if "(on paper the first " in h]
    assert cut  # a table longer than a page says so in its heading, on that page
    for sheet, heading, first in found:
        squeezed = "".join(heading.split())
        on = [p for p in pages if squeezed in "".join(p.split())]
        assert on, f"{sheet}: section {heading!r} is not printed"
        assert any("".join(first.split()) in "".join(p.split()) for p in on), (
            f"{sheet}: {heading!r} printed apart from its first row ({first!r})"
        )


def test_headers_are_words_and_axes_have_no_needless_decimals(report_book):
    from openpyxl import load_workbook

    book = load_workbook(report_book)
    sheet = book["Supply chain"]
    headers = [r for r in range(1, 60) if sheet.cell(row=r, column=1).value == "SKU"]
    policy = [c.value for c in sheet[headers[0]] if c.value]
    detail = [c.value for c in sheet[headers[1]] if c.value]
    assert {"Annual demand", "EOQ", "Safety stock", "Reorder point"} <= set(policy)
    assert "Lead time (days)" in detail
    assert not [h for h in policy + detail if "_" in str(h)]
    lead = detail.index("Lead time (days)") + 1
    assert sheet.cell(row=headers[1] + 1, column=lead).number_format in ("#,##0", "0")
    assert len(policy) <= 12 and len(detail) <= 12  # each table reads on paper
    for ws in book:
        for chart in ws._charts:
            fmt = chart.y_axis.numFmt
            assert fmt is None or ".00" not in (fmt.formatCode or ""), (ws.title, chart)


def test_every_page_says_where_it_comes_from_and_which_page_it_is(rendered):
    """A header with the report, its source and as-of date, and "Page N of M" at the
    bottom of every printed page (issue 22: a loose page must say what it is)."""
    pdf, pages = rendered
    import subprocess

    from tests.report.render import tools  # noqa: F401 - pdftotext is installed with it

    count = len(pages)
    for number in range(1, count + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert f"Page {number} of {count}" in text, number
        assert "xlbizops report: xlbizops sample data, as of 2026-10-31" in text, number


def print_boxes(book) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet → its print ranges as (first row, last row, first column, last column)."""
    from openpyxl import load_workbook
    from openpyxl.utils.cell import range_boundaries

    out = {}
    for ws in load_workbook(book):
        boxes = []
        for part in str(ws.print_area).split(","):
            first_col, first_row, last_col, last_row = range_boundaries(part.split("!")[-1])
            boxes.append((first_row, last_row, first_col, last_col))
        out[ws.title] = boxes
    return out


def test_no_row_prints_twice(report_book):
    """Print ranges never overlap: a chart reaching into the next section makes one
    range of the two, not two ranges sharing rows (issue 22 saw a table printed twice)."""
    for sheet, boxes in print_boxes(report_book).items():
        rows = sorted((a, b) for a, b, _, _ in boxes)
        for (_, end), (start, _) in zip(rows, rows[1:], strict=False):
            assert start > end, f"{sheet}: rows {start}-{end} print twice"


def test_no_text_runs_past_the_page_edge(rendered, report_book):
    """Every text in column A that prints (notes, explanations, the narrative, each
    list's 'first 50 of N') is on the paper whole: a text wider than the print range
    would be cut at its right edge (issue 22: "what's missing" cut mid-sentence)."""
    from openpyxl import load_workbook

    pdf, _ = rendered
    import subprocess

    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    printed = "".join(raw.split())
    boxes = print_boxes(report_book)
    checked = 0
    for ws in load_workbook(report_book):
        for first, last, _, _ in boxes[ws.title]:
            for (cell,) in ws.iter_rows(min_row=first, max_row=last, max_col=1):
                if isinstance(cell.value, str) and len(cell.value) > 40:
                    text = "".join(cell.value.split())
                    assert text in printed, f"{ws.title}!{cell.coordinate} cut: {cell.value!r}"
                    checked += 1
    assert checked >= 15  # the titles' notes, the narrative, the Actions notes, About


def test_the_summary_is_one_page_with_its_chart(rendered):
    """The Summary, tiles, tables and the monthly chart, fits one printed page."""
    pdf, pages = rendered
    texts = pdf_text(pdf).split("\f")
    summary = [t for t in texts if "Operations summary" in t or "Headline KPIs" in t]
    assert len(summary) == 1
    squeezed = "".join(summary[0].split())
    for part in ("Headline KPIs", "Revenue against the same days before", "Monthly revenue"):
        assert "".join(part.split()) in squeezed
    assert squeezed.count("Monthlyrevenue") >= 2  # the section and the chart's title


def test_the_cohort_matrix_prints_a_readable_year_and_says_so(report_book):
    from openpyxl import load_workbook

    ws = load_workbook(report_book)["Customers"]
    boxes = print_boxes(report_book)["Customers"]
    heading = next(c for (c,) in ws.iter_rows(max_col=1) if str(c.value).startswith("Cohort"))
    box = next(b for b in boxes if b[0] <= heading.row <= b[1])
    header = [c.value for c in ws[heading.row + 1] if c.value]
    assert "on paper months 0-12 of 0-" in heading.value
    assert box[3] == 15 and header[14] == "Month 12" and len(header) > 15
