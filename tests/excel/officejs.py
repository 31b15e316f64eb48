"""xlbizops through xlwings' Office.js code path, the one xlwings Lite runs.

Run as a child process (``python -m tests.excel.officejs [--block-desktop]``): it
needs ``XLWINGS_ON_SERVER=true`` before xlwings is imported, which turns
``xw.func``/``arg``/``ret``/``script`` into their Office.js versions for the whole
process.  ``xlwings.pro.udfs_officejs`` is xlwings PRO code under the PolyForm
Noncommercial licence, which this open-source test suite may run
(``XLWINGS_LICENSE_KEY=noncommercial``); the xlbizops package itself never imports
``xlwings.pro`` nor sets a licence key.

Like Lite, it turns the workbook's ``main.py`` (one line,
``from xlbizops.lite import *``) into a module named ``main`` and answers requests
with xlwings' own ``custom_functions_meta``, ``custom_functions_call``,
``custom_scripts_meta`` and ``custom_scripts_call``.

``--block-desktop`` makes importing the packages Lite does not install fail, and
starting a thread or a process raise, as under Pyodide (the list is ``DESKTOP_ONLY``).

Requests: a JSON list on stdin; answers: a JSON list on stdout, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.abc
import json
import os
import sys
import types

ENVIRONMENT = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
DESKTOP_ONLY = ("python_calamine", "formulas", "pyopenvba", "xlsxwriter", "lxml")
MAIN_PY = "from xlbizops.lite import *\n"


class _Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in DESKTOP_ONLY:
            raise ModuleNotFoundError(f"No module named {name!r} (not installed under Lite)")
        return None


def _no_threads_or_processes():
    import subprocess
    import threading

    def refuse(*args, **kwargs):
        raise RuntimeError("Pyodide has no threads or processes")

    threading.Thread.start = refuse
    subprocess.Popen.__init__ = refuse
    os.fork = refuse
    import pyarrow  # Pyodide's build has one CPU and no thread pool

    pyarrow.set_cpu_count(1)
    pyarrow.set_io_thread_count(1)


def main_module():
    module = types.ModuleType("main")
    exec(MAIN_PY, module.__dict__)  # what Lite does with the workbook's main.py
    sys.modules["main"] = module
    return module


def call_data(func: str, args: list) -> dict:
    """What the add-in sends for one cell (Office.js custom-functions runtime 1.5)."""
    import xlwings

    return {
        "func_name": func,
        "args": args,
        "version": xlwings.__version__,
        "client": "Office.js",
        "runtime": "1.5",
        "culture_info_name": "en-US",
        "date_format": "yyyy-mm-dd",
        "caller_address": "Sheet1!A1",
    }


async def answer(request: dict, main) -> object:
    import xlwings as xw
    from xlwings.pro import udfs_officejs as officejs

    op = request["op"]
    if op == "meta":
        return officejs.custom_functions_meta(main)
    if op == "scripts":
        return officejs.custom_scripts_meta(main)
    if op == "call":
        try:
            data = call_data(request["func"], request["args"])
            return {"cells": await officejs.custom_functions_call(data, main)}
        except Exception as err:  # noqa: BLE001 - reported to the test as data
            return {"error": f"{type(err).__name__}: {err}"}
    if op == "script":
        book = xw.Book(json=request["book"])
        book = await officejs.custom_scripts_call(
            main, request["name"], typehint_to_value={xw.Book: book}
        )
        return book.json()
    if op == "modules":
        return sorted({m.split(".")[0] for m in sys.modules})
    raise ValueError(f"unknown op {op!r}")


def ask(requests: list, block_desktop: bool = True) -> list:
    """The answers of a child process running this module (for the tests)."""
    import subprocess
    from pathlib import Path

    done = subprocess.run(
        [sys.executable, "-m", "tests.excel.officejs", *(["--block-desktop"] * block_desktop)],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        timeout=600,
    )
    if done.returncode:
        raise RuntimeError(f"the Office.js child failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


def run(requests: list, main) -> list:
    async def all_answers():
        return [await answer(r, main) for r in requests]

    return asyncio.run(all_answers())


if __name__ == "__main__":
    for key, value in ENVIRONMENT.items():
        os.environ[key] = value
    if "--block-desktop" in sys.argv:
        sys.meta_path.insert(0, _Blocked())
        _no_threads_or_processes()
    requests = json.load(sys.stdin)
    with contextlib.redirect_stdout(sys.stderr):  # print() is Lite's output pane
        answers = run(requests, main_module())
    json.dump(answers, sys.stdout, default=str)
