"""Data flows one way: Excel/CLI → boundary → core → boundary → workbook.

The one place the layer rule is written down.  A module may import its own layer or
any layer below it, never one above (lazy imports inside functions count too).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "xlbizops"

# Lowest first.  Modules on one line are one layer and may not import each other.
LAYERS = [
    ["xlbizops.orderlog"],  # the order log: schema, value parsers, row rules, sums
    ["xlbizops.core", "xlbizops.__init__"],
    ["xlbizops.sampledata"],  # synthetic order logs: numbers only
    ["xlbizops.excel"],  # the Excel functions, their cell rules and registration
    ["xlbizops.workbook"],  # workbook files without Excel (parts, refresh, file adapter)
    ["xlbizops.report", "xlbizops.template"],  # the two things built from the core
    ["xlbizops.macros", "xlbizops.udfs", "xlbizops.excel_setup"],  # ribbon actions, installer
    ["xlbizops.lite"],  # what an xlwings Lite workbook imports
    ["xlbizops.cli"],
]


def layer_of(module: str) -> int:
    for rank, names in enumerate(LAYERS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return rank
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def group_of(module: str) -> str:
    names = LAYERS[layer_of(module)]
    return next(n for n in names if module == n or module.startswith(n + "."))


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        yield name.removesuffix(".__init__") if name != "xlbizops.__init__" else name, path


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m.startswith("xlbizops.") and _is_module(m)}


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative).is_dir()


@pytest.mark.parametrize("module,path", list(modules()), ids=lambda x: str(x))
def test_no_module_imports_a_layer_above_it(module, path):
    mine = layer_of(module)
    for imported in imports(path):
        theirs = layer_of(imported)
        assert theirs <= mine, f"{module} imports {imported}, a layer above it"
        if theirs == mine and group_of(imported) != group_of(module):
            raise AssertionError(f"{module} imports {imported}, beside it in one layer")


def test_the_rule_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from xlbizops.report import build\n")
    assert layer_of("xlbizops.report.build") > layer_of("xlbizops.excel.cells")
    assert "xlbizops.report.build" in imports(bad)


def graph() -> dict[str, set[str]]:
    """Module -> the xlbizops modules it imports (at the top or inside a function)."""
    return {module: {m for m in imports(path) if m in MODULES} for module, path in modules()}


MODULES = {module for module, _ in modules()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected groups of two or more modules, or a
    module importing itself (Tarjan's algorithm)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges.get(node, ()):
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles():
    assert cycles(graph()) == []


def test_no_relative_imports():
    for module, path in modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{module} has a relative import (from {'.' * node.level})"


def test_the_circle_and_relative_rules_can_fail(tmp_path):
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    relative = ast.parse("from . import cells\n").body[0]
    assert isinstance(relative, ast.ImportFrom) and relative.level == 1
