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
import tempfile
from pathlib import Path

PREFIX = ".xlbizops-tmp-"


@contextlib.contextmanager
def atomic_target(path):
    """Yield a temporary path next to ``path``; on success it replaces ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent)
    fd, name = tempfile.mkstemp(
        prefix=f"{PREFIX}{os.getpid()}-", suffix=f"-{target.name}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an output is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove temporary files of runs that died before they could (their pid is gone)."""
    removed = []
    for leftover in Path(folder).glob(f"{PREFIX}*"):
        pid = leftover.name[len(PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not alive(int(pid)):
            with contextlib.suppress(OSError):
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


def same_file(a, b) -> bool:
    """Whether two paths name one file: the same path, a symlink to it, or a case
    variant on a case-insensitive file system (an output that does not exist yet
    cannot be an input)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
