"""The templates opened in a real spreadsheet program (LibreOffice, headless).

Both files open and every sheet and chart renders.  What LibreOffice shows in the
cells is measured, not wished for: it recomputes every array formula on load
(dynamic or legacy; 7.4 and 25.2 alike) and does not know the xlbizops functions,
so spilled results show #NAME?/#VALUE! there; single-cell formulas keep the cached
values the headless refresh wrote, including those computed from spills.
"""

import pytest
from PIL import Image

from tests.report.render import pdf_text, render
from tests.template.package import WORKBOOKS
from xlbizops.template import sheets as layout

CHART_TITLES = [chart.title for sheet in layout.AREAS for chart in sheet.charts]


@pytest.fixture(scope="module", params=["xlbizops.xlsx", "xlbizops.xlsm"])
def rendered(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param.replace(".", "-"))
    return render(WORKBOOKS / request.param, out)


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_every_sheet_and_chart_renders(rendered):
    pdf, pages = rendered
    text = squeeze(pdf_text(pdf))
    assert squeeze("xlbizops operations workbook") in text
    assert "SO-00000040" in text and "SO-00000041" not in text  # Data: its first page
    hidden = "-xlsx" in str(rendered[0])  # the snapshot hides xlwings.conf
    assert (squeeze("UDF Modules xlbizops.udfs") in text) != hidden
    for sheet in layout.AREAS:
        assert squeeze(sheet.title) in text, f"sheet not rendered: {sheet.name}"
    for title in CHART_TITLES:
        assert squeeze(title) in text, f"chart not rendered: {title}"
    assert 10 <= len(pages) <= 80


def class_a_in_the_spill() -> int:
    """Class A items as the ABC_CLASS spill's own cached cells say (column "class")."""
    from openpyxl import load_workbook

    sheet = load_workbook(WORKBOOKS / "xlbizops.xlsx", data_only=True)["Supply chain"]
    rows = list(sheet.iter_rows(min_row=12, min_col=11, max_col=15, values_only=True))
    column = rows[0].index("class")
    return sum(1 for r in rows[1:] if r[column] == "A")


def test_single_cell_formulas_show_their_cached_values(rendered):
    pdf, _ = rendered
    text = " ".join(pdf_text(pdf).split())
    count = class_a_in_the_spill()
    assert 5 <= count <= 30
    assert f"Class A items {count}" in text  # =COUNTIF over the ABC_CLASS spill
    assert "Customers 314" in text  # =COUNTA over the RFM_SCORE spill
    assert "Total revenue 576,641" in text  # =SUM over the RESAMPLE spill


def test_pages_are_real_pictures(rendered):
    _, pages = rendered
    for page in pages[:5]:
        image = Image.open(page).convert("L")
        colours = image.getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 2, f"{page.name} is blank"


def test_the_values_snapshot_shows_every_number_in_libreoffice(request, tmp_path):
    """The .xlsx has no formulas: LibreOffice shows the spilled tables' numbers too."""
    pdf, _ = render(WORKBOOKS / "xlbizops.xlsx", tmp_path)
    text = " ".join(pdf_text(pdf).split())
    assert "#NAME?" not in text and "#VALUE!" not in text
    assert "Champions" in text  # a segment name from the RFM_SCORE spill
