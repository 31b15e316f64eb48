"""What Excel sees of the catalogue: the VBA wrappers and function-wizard help.

``xlwings.udfs.generate_vba_wrapper`` is the code behind the add-in's "Import
Functions"; it runs here under the pywin32 stubs of ``windows_excel``.
"""

import inspect
import re
from pathlib import Path

import pytest

from tests.excel.windows_stub import udf_module, vba_wrapper
from xlbizops.excel.catalogue import AREAS, entries, render_markdown

udfs = udf_module()
NAMES = [name for names in AREAS.values() for name in names]
SEEDS = {
    "EOQ": ["annual_demand", "order_cost", "holding_cost"],
    "RFM_SCORE": ["customer_ids", "order_dates", "amounts", "as_of", "weights", "bins"],
    "DECOMPOSE": ["values", "period", "model", "method"],
    "SEGMENT": ["data", "k", "standardize", "seed"],
}


def _declared():
    return {
        name: obj
        for name, obj in vars(udfs).items()
        if callable(obj) and hasattr(obj, "__xlfunc__")
    }


def test_the_module_exports_exactly_the_catalogue():
    assert set(_declared()) == set(NAMES)
    assert len(NAMES) == len(set(NAMES))  # each once; how many is the catalogue's to say


def test_seed_formulas_keep_their_published_signatures():
    """Formulas written against the published arguments keep working: those come
    first, in order, and anything added after them is optional (RFM_SCORE's
    order_ids, issue 21)."""
    for name, args in SEEDS.items():
        parameters = inspect.signature(getattr(udfs, name)).parameters
        assert list(parameters)[: len(args)] == args
        added = list(parameters.values())[len(args) :]
        assert all(p.default is not inspect.Parameter.empty for p in added), name
    assert list(inspect.signature(udfs.RFM_SCORE).parameters)[len(SEEDS["RFM_SCORE"]) :] == [
        "order_ids"
    ]


@pytest.mark.parametrize("name", NAMES)
def test_vba_wrapper_declares_each_function_with_its_arguments(name):
    vba = vba_wrapper()
    header = re.search(rf"^Function {name}\((.*)\)$", vba, re.M)
    assert header, f"no VBA wrapper for {name}"
    args = [a.replace("Optional ", "") for a in header.group(1).split(", ")]
    assert args == list(inspect.signature(getattr(udfs, name)).parameters)
    call = f'{name} = XLPy.CallUDF("xlbizops.udfs", "{name}", Array({", ".join(args)})'
    assert call in vba


@pytest.mark.parametrize("name", NAMES)
def test_optional_arguments_are_optional_in_excel(name):
    signature = inspect.signature(getattr(udfs, name))
    vba = vba_wrapper()
    declared = re.search(rf"^Function {name}\((.*)\)$", vba, re.M).group(1).split(", ")
    for parameter, vba_arg in zip(signature.parameters.values(), declared, strict=True):
        optional = parameter.default is not inspect.Parameter.empty
        assert vba_arg == (f"Optional {parameter.name}" if optional else parameter.name)


@pytest.mark.parametrize("name", NAMES)
def test_function_wizard_help_is_present_and_fits(name):
    info = getattr(udfs, name).__xlfunc__
    # import_udfs passes these to Application.MacroOptions, 255 characters at most.
    assert 30 < len(info["ret"]["doc"]) <= 255
    for arg in info["args"]:
        assert not arg["doc"].startswith("Positional argument"), (name, arg["name"])
        assert 10 < len(arg["doc"]) <= 255
    assert info["category"] == "xlbizops"


@pytest.mark.parametrize("name", NAMES)
def test_every_argument_hands_over_errors_as_text_and_rows_as_2d(name):
    for arg in getattr(udfs, name).__xlfunc__["args"]:
        assert arg["options"].get("err_to_str") is True
        assert arg["options"].get("ndim") == 2


@pytest.mark.parametrize("name", NAMES)
def test_results_spill_as_dynamic_arrays(name):
    # Dynamic-array Excel spills any array a function returns.  xlwings' legacy
    # "expand" option would instead resize the caller into a CSE array formula.
    ret = getattr(udfs, name).__xlfunc__["ret"]
    assert "expand" not in ret["options"]
    assert getattr(udfs, name).__xlfunc__["async_mode"] is None


def test_catalogue_lists_every_argument_with_help():
    for entry in entries():
        assert entry.description and all(a.doc for a in entry.arguments)


def test_docs_functions_md_is_up_to_date():
    with open(Path(__file__).parents[2] / "docs" / "functions.md", encoding="utf-8") as f:
        assert f.read() == render_markdown() + "\n", (
            "docs/functions.md is stale: run  xlbizops functions --markdown > docs/functions.md"
        )
