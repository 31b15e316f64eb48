"""Open a workbook in LibreOffice (headless) and render it to PDF and PNG pages."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def tools() -> tuple[str, str]:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        pytest.fail("LibreOffice and poppler are needed for the render tests: run tests/setup.sh")
    return soffice, pdftoppm


def render(book: Path, out: Path, dpi: int = 50) -> tuple[Path, list[Path]]:
    """(pdf, png pages).  Fails the test if LibreOffice cannot open the file."""
    soffice, pdftoppm = tools()
    out.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    env = {**os.environ, "HOME": profile}
    try:
        done = _convert(soffice, profile, out, book, env)
    finally:
        shutil.rmtree(profile, ignore_errors=True)  # no lo-profile-* folders left behind
    pdf = out / (book.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), f"LibreOffice failed: {done.stderr[-500:]}"
    subprocess.run(
        [pdftoppm, "-r", str(dpi), "-png", str(pdf), str(out / "page")], check=True, timeout=240
    )
    return pdf, sorted(out.glob("page*.png"))


def _convert(soffice, profile, out, book, env):
    return subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(book),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )


def pdf_text(pdf: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    return subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
