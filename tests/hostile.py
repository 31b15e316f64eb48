"""A hostile-input battery for the command line (issue 19).

Each :class:`Trial` builds its own files in a fresh folder, runs one ``xlbizops``
command in a child process and says what a good outcome is.  :func:`classify` sorts
what really happened into the seven classes of the issue:

- ``clear error``: the exit code expected, one line on stderr that says what it should;
- ``correct success``: exit 0 and the trial's own check of the output passes;
- ``cryptic``: an error with the right kind of exit code but a message that does not
  say what is wrong (or is more than one line, or the wrong code);
- ``internal``: exit 4, or a process killed by a signal (a crash);
- ``traceback``: a Python traceback or "Exception ignored" on stderr;
- ``wrong success``: exit 0 where an error belonged, or a check of the output failed;
- ``data destroyed``: a file that existed before the run changed or vanished (other than
  the output of a successful run), or a database changed.

The last five are failures.  Children are forked from a server that imported the
command line's libraries once (``multiprocessing``'s forkserver), so a trial costs
its own work, not Python's start-up, and a crash in native code (an allocation of
half a terabyte) kills the child, not the test run.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

FAILURES = ("cryptic", "internal", "traceback", "wrong success", "data destroyed")
PRELOAD = [
    "xlbizops.cli",
    "xlbizops.report.build",
    "xlbizops.report.layout",
    "xlbizops.report.sources",
    "xlbizops.report.analyses",
    "xlbizops.workbook.refresh",
    "xlbizops.template.build",
    "xlbizops.sampledata",
]


@dataclass
class Trial:
    """One hostile run: ``make(folder)`` writes the inputs and returns the command's
    arguments (after ``xlbizops``); a good outcome is exit ``code`` with a message
    matching ``says`` (an error), or exit 0 and ``check(folder, result)`` passing."""

    name: str
    make: Callable[[Path], list[str]]
    code: int = 0
    says: str = ""
    check: Callable[[Path, Result], None] | None = None
    interrupt_after: float | None = None  # seconds, then SIGINT
    interrupt_when: Callable[[Path], bool] | None = None  # or when this becomes true
    env: dict[str, str] = field(default_factory=dict)
    changes: tuple[str, ...] = ()  # files that a good run may change (its outputs)
    timeout: float = 120


@dataclass
class Result:
    code: int | None
    out: str
    err: str
    seconds: float
    changed: list[str]  # files that existed before and changed or vanished
    leftovers: list[str]  # temporary files left in the folder or in TMPDIR


def _digest(folder: Path) -> dict[str, str]:
    found = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(folder))] = hashlib.sha1(path.read_bytes()).hexdigest()
    return found


def _child(argv: list[str], folder: str, out: str, err: str, env: dict[str, str]) -> None:
    import tempfile

    os.chdir(folder)
    os.environ.update(env)
    tempfile.tempdir = None  # TMPDIR of this trial, not the server's cached one
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for fd, name in ((1, out), (2, err)):
        target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(target, fd)
        os.close(target)
    from xlbizops.cli import main

    code = 4
    try:
        code = main(argv, own_process=True)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        # The exit code, also in a file: the forkserver may report 255 for a child that
        # ended before it could wait for it (multiprocessing's popen_forkserver).
        Path(out).with_suffix(".code").write_text(str(code))
        os._exit(code)


_CONTEXT = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(PRELOAD)
    return _CONTEXT


def run(trial: Trial, folder: Path) -> Result:
    folder.mkdir(parents=True, exist_ok=True)
    argv = trial.make(folder)
    before = _digest(folder)
    out, err = folder.parent / f"{folder.name}.out", folder.parent / f"{folder.name}.err"
    scratch = folder.parent / f"{folder.name}.tmp"  # the trial's TMPDIR, checked after
    scratch.mkdir()
    env = {"TMPDIR": str(scratch), **trial.env}
    child = _context().Process(target=_child, args=(argv, str(folder), out, err, env))
    started = time.monotonic()
    child.start()
    if trial.interrupt_after is not None or trial.interrupt_when is not None:
        while child.is_alive() and not err.exists():  # the command has not begun yet
            time.sleep(0.01)
        deadline = time.monotonic() + (trial.interrupt_after or trial.timeout)
        while child.is_alive() and time.monotonic() < deadline:
            if trial.interrupt_when is not None and trial.interrupt_when(folder):
                break
            time.sleep(0.02)
        if child.is_alive():
            os.kill(child.pid, signal.SIGINT)
    child.join(trial.timeout)
    if child.is_alive():
        child.kill()
        child.join()
    seconds = time.monotonic() - started
    after = _digest(folder)
    changed = sorted(name for name, digest in before.items() if after.get(name) != digest)
    leftovers = sorted(n for n in after if ".xlbizops-tmp-" in n)
    # in TMPDIR: DuckDB's working copy, XlsxWriter's files (Spark's log stays, by design)
    leftovers += sorted(p.name for p in scratch.iterdir() if not p.name.startswith(
        "xlbizops-spark-"))  # fmt: skip
    code = child.exitcode
    written = out.with_suffix(".code")
    if written.exists():  # the code main returned (a crash or a kill writes none)
        code = int(written.read_text())
    return Result(
        code if code is None or code >= 0 else code,
        out.read_text(errors="replace") if out.exists() else "",
        err.read_text(errors="replace") if err.exists() else "",
        seconds,
        changed,
        leftovers,
    )


def classify(trial: Trial, result: Result, folder: Path) -> tuple[str, str]:
    """(class, why) for what a trial did."""
    err = result.err.strip()
    allowed = set(trial.changes) if result.code == 0 else set()
    destroyed = [name for name in result.changed if name not in allowed]
    if destroyed:
        return "data destroyed", f"changed: {destroyed}"
    if "Traceback" in err or "Exception ignored" in err:
        return "traceback", err[-400:]
    if result.code is None or result.code < 0 or result.code == 4:
        return "internal", f"exit {result.code}: {err[-300:]}"
    if result.leftovers:
        return "wrong success" if result.code == 0 else "cryptic", f"left {result.leftovers}"
    if trial.code == 0:
        if result.code != 0:
            return "cryptic", f"exit {result.code}: {err[:300]}"
        if trial.check is not None:
            try:
                trial.check(folder, result)
            except AssertionError as failed:
                return "wrong success", f"check failed: {failed}"
        return "correct success", ""
    if result.code == 0:
        return "wrong success", f"exit 0, expected {trial.code}: {result.out[:200]}"
    if trial.check is not None:  # an error may still leave something it should not
        try:
            trial.check(folder, result)
        except AssertionError as failed:
            return "wrong success", f"check failed after the error: {failed}"
    lines = [line for line in err.splitlines() if line.strip()]
    if result.code != trial.code:
        return "cryptic", f"exit {result.code}, expected {trial.code}: {err[:300]}"
    if len(lines) != 1:
        return "cryptic", f"{len(lines)} lines on stderr: {err[:300]}"
    if len(lines[0]) > 400 or not re.search(trial.says, lines[0], re.IGNORECASE):
        return "cryptic", f"message does not say /{trial.says}/: {lines[0][:300]}"
    return "clear error", ""


def run_all(trials: list[Trial], base: Path, workers: int = 2) -> dict[str, tuple]:
    """Every trial, two at a time: name -> (class, why, result)."""

    def one(numbered):
        number, trial = numbered
        folder = base / f"t{number:03d}"
        result = run(trial, folder)
        kind, why = classify(trial, result, folder)
        return trial.name, (kind, why, result)

    with ThreadPoolExecutor(workers) as pool:
        return dict(pool.map(one, enumerate(trials)))
