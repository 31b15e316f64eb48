"""Small edits to an .xlsx/.xlsm package (a zip of XML parts), shared by the refresh,
the template's VBA step and the ribbon actions: find the sheet parts, declare a new
part, rewrite a package with some parts changed and every other part kept."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from lxml import etree

from xlbizops.workbook.atomic import atomic_target

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "[Content_Types].xml"
BOOK_RELS = "xl/_rels/workbook.xml.rels"
ROOT_RELS = "_rels/.rels"


OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # a compound file: .xls, or an encrypted .xlsx


class NotAWorkbookError(OSError):
    """A file that cannot be read as an .xlsx or .xlsm package: the command line says
    so in one line, with the exit code of a file that cannot be read (3)."""


def require_workbook(path: Path) -> None:
    """A missing file, or one that is not a whole .xlsx/.xlsm package (junk, a cut-off
    zip, a zip of something else, a password-protected workbook), fails with a
    one-line reason before anything is written."""
    if not path.exists():
        raise FileNotFoundError(f"no such workbook: {path}")
    if path.is_dir():
        raise NotAWorkbookError(f"{path} is a folder, not a workbook")
    with open(path, "rb") as f:
        head = f.read(8)
    if head == OLE_MAGIC:
        raise NotAWorkbookError(
            f"{path.name} is encrypted (password-protected) or an old .xls file; save it "
            "as an .xlsx or .xlsm without a password and try again"
        )
    if not zipfile.is_zipfile(path):
        what = "cut off or damaged" if head.startswith(b"PK") else "not a workbook"
        raise NotAWorkbookError(f"{path.name} is {what}: not an .xlsx or .xlsm package")
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            broken = package.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise NotAWorkbookError(f"{path.name} is damaged ({err})") from None
    if broken is not None:
        raise NotAWorkbookError(f"{path.name} is damaged (its part {broken} does not read back)")
    missing = [part for part in (TYPES, "xl/workbook.xml", BOOK_RELS) if part not in names]
    if missing:
        raise NotAWorkbookError(
            f"{path.name} is a zip file but not a workbook (no {', '.join(missing)})"
        )


def sheet_parts(read) -> dict[str, str]:
    """Sheet name → part name, through workbook.xml and its relationships.

    ``read`` gives a part's bytes by name: ``ZipFile.read`` or ``parts.__getitem__``.
    """
    workbook = etree.fromstring(read("xl/workbook.xml"))
    rels = etree.fromstring(read(BOOK_RELS))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    parts = {}
    for sheet in workbook.iter(f"{{{MAIN}}}sheet"):
        target = targets[sheet.get(f"{{{REL}}}id")]
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        parts[sheet.get("name")] = path
    return parts


def add_override(types: bytes, part: str, content_type: str) -> bytes:
    """``[Content_Types].xml`` with an Override for ``/part`` (unchanged if present)."""
    text = types.decode("utf-8")
    if f'PartName="/{part}"' in text:
        return types
    override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
    return text.replace("</Types>", override + "</Types>").encode("utf-8")


def add_relationship(rels: bytes, rel_id: str, rel_type: str, target: str) -> bytes:
    """A relationships part with one more relationship (unchanged if the type is there)."""
    text = rels.decode("utf-8")
    if f'Type="{rel_type}"' in text:
        return rels
    relation = f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"/>'
    return text.replace("</Relationships>", relation + "</Relationships>").encode("utf-8")


def rewrite(source, target, edit) -> None:
    """Write ``target`` as ``source`` after ``edit(parts)`` changed the dict of parts in
    place; parts keep their order, new ones go last."""
    with zipfile.ZipFile(source) as package:
        order = [info.filename for info in package.infolist()]
        parts = {name: package.read(name) for name in order}
    edit(parts)
    order = [name for name in order if name in parts]
    order += [name for name in parts if name not in order]
    with atomic_target(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name in order:
            # A fixed time stamp: the same parts give the same bytes (quiet git diffs).
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            out.writestr(info, parts[name], compress_type=zipfile.ZIP_DEFLATED)


def xml_bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
