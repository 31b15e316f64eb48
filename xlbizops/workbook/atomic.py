"""Writing a file so that nobody ever sees half of it.

Every output is written under a temporary name next to its target and renamed over it
when complete (``os.replace`` is atomic on one file system): a failure, Ctrl-C or a
crash leaves the previous file as it was.  The temporary name is recognisable,
``.xlbizops-tmp-<pid>-<name>``, so a run killed outright (SIGKILL, power loss) leaves
a file the next run writing to that folder removes (its process is gone).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

PREFIX = ".xlbizops-tmp-"
_INTERRUPTED = [False]  # Ctrl-C seen, even one a finalizer swallowed
_FOLDERS: set[Path] = set()  # where this process makes its outputs' temporaries


def _on_interrupt(signum, frame):
    _INTERRUPTED[0] = True
    raise KeyboardInterrupt


@contextlib.contextmanager
def interrupts_kept():
    """Ctrl-C is remembered as well as raised: a KeyboardInterrupt that lands inside a
    finalizer or ``__del__`` is only printed by Python ("Exception ignored in …") and
    the work goes on, so :func:`atomic_target` checks the memory before it puts an
    output in place, and the output stays as it was."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    import sys

    _INTERRUPTED[0] = False
    previous = signal.signal(signal.SIGINT, _on_interrupt)
    hook = sys.unraisablehook

    def unraisable(event):  # Ctrl-C inside a finalizer: remembered, not printed
        if not isinstance(event.exc_value, KeyboardInterrupt):
            hook(event)

    sys.unraisablehook = unraisable
    try:
        yield
    except BaseException:
        remove_own_temporaries()  # one Ctrl-C can land before atomic_target's cleanup
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = hook


@contextlib.contextmanager
def atomic_target(path):
    """Yield a temporary path next to ``path``; on success it replaces ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent)
    _FOLDERS.add(target.parent)  # before the temporary exists, so a Ctrl-C finds it
    fd, name = tempfile.mkstemp(
        prefix=f"{PREFIX}{os.getpid()}-", suffix=f"-{target.name}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if _INTERRUPTED[0]:  # interrupted where Python could only print it
            raise KeyboardInterrupt
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an output is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_own_temporaries() -> list[Path]:
    """Remove the outputs' temporaries this process made and did not put in place: a
    Ctrl-C between ``mkstemp`` and :func:`atomic_target`'s ``try`` would leave one."""
    removed = []
    for folder in _FOLDERS:
        for leftover in folder.glob(f"{PREFIX}{os.getpid()}-*"):
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed.append(leftover)
    return removed


def remove_stale_temporaries(folder: Path, prefix: str = PREFIX) -> list[Path]:
    """Remove what runs that died before they could left in ``folder``: files or folders
    named ``<prefix><pid>-…`` or ``<prefix><pid>.…`` whose process is gone.  Outputs'
    temporaries, DuckDB's working copies, XlsxWriter's scratch folders, Spark's logs."""
    removed = []
    for leftover in Path(folder).glob(f"{prefix}*"):
        pid = leftover.name[len(prefix) :].replace(".", "-").split("-", 1)[0]
        if pid.isdigit() and not alive(int(pid)):
            with contextlib.suppress(OSError):
                if leftover.is_dir():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()
                removed.append(leftover)
    return removed


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (this process counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform that cannot tell: keep it
    return True


def check_output(output, inputs, suffixes: tuple[str, ...], flag: str = "-o") -> None:
    """Refuse, before any work, an output that would destroy an input or cannot be
    written: one of ``inputs`` (the same path, a symlink to it, or a case variant on a
    case-insensitive file system; a UsageError), without one of ``suffixes`` (a
    UsageError), a folder, or under a file (an OSError: "could not write")."""
    from xlbizops.core.errors import UsageError

    for given in inputs:
        if given and same_file(given, output):
            raise UsageError(f"{flag} {output} is the input {given}; write the output elsewhere")
    target = Path(output)
    if target.suffix.lower() not in suffixes:
        raise UsageError(f"{flag} {output}: the output must end in {' or '.join(suffixes)}")
    if target.is_dir():
        raise IsADirectoryError(f"cannot write {output}: it is a folder")
    for folder in target.parents:
        if folder.exists():
            if not folder.is_dir():
                raise NotADirectoryError(f"cannot write {output}: {folder} is a file, not a folder")
            break


def same_file(a, b) -> bool:
    """Whether two paths name one file: the same path, a symlink to it, or a case
    variant on a case-insensitive file system (an output that does not exist yet
    cannot be an input)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
