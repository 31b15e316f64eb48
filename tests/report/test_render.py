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
