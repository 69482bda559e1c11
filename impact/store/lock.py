"""One writer at a time: an exclusive lock on a file impact is about to rewrite.

Imports, refreshes and every command that rewrites a file people keep (a
catalog file, a change file) read it, add to it and replace it. Two of them at
once would each read the old file and the second rename would silently drop
the first one's additions. So a writer holds :func:`writing` from before it
reads the file until after it has replaced it::

    with writing(path, wait=10, what="import"):
        ...read path, merge, atomic_write(path, text)...

The lock is an operating-system lock (``fcntl.flock``; ``msvcrt.locking`` on
Windows) on a small lock file beside the target, ``.<name>.lock``. The
system releases it when its process ends, however it ends (``kill -9``
included), so a lock is never stale: a lock file left behind is taken by the
next writer at once. A second writer waits up to ``wait`` seconds, then gives
up with exit 2 and "another import is writing FILE". After the write the lock
is checked again (the lock file is still the one held): if someone removed
it meanwhile, another writer may have written too, and the writer says so
instead of claiming success. The lock file is removed when released.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from impact.core.errors import ImpactError, Problem, display_path

DEFAULT_WAIT = 10.0
_POLL = 0.05


def lock_path(target: Path) -> Path:
    """The lock file of ``target``: ``.<name>.lock`` in the same folder (links resolved)."""
    real = Path(os.path.realpath(target))
    return real.with_name(f".{real.name}.lock")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        # each platform's module only where it exists (start-up time does not matter here)
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    # fcntl does not exist on Windows: imported where it is used
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    """True when ``path`` is still the file ``fd`` holds (not removed or replaced by another writer)."""
    try:
        now = os.stat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def acquire(target: Path, wait: float = DEFAULT_WAIT, what: str = "import") -> int:
    """The descriptor of ``target``'s lock file, locked; after ``wait`` seconds, exit 2 naming ``target``."""
    path = lock_path(target)
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ImpactError(
                Problem(
                    display_path(target),
                    0,
                    0,
                    f"cannot lock this file for writing ({exc.strerror}): check the folder's permissions",
                )
            ) from None
        if _try_lock(fd) and _same_file(fd, path):
            return fd
        os.close(fd)  # busy, or the lock file was removed by its last holder: try again
        if time.monotonic() >= deadline:
            shown = display_path(target)
            raise ImpactError(
                Problem(
                    shown,
                    0,
                    0,
                    f"another {what} is writing {shown}; waited {wait:g} s: run again when it has finished"
                    + (", or wait longer with --wait SECONDS" if what == "import" else ""),
                )
            )
        time.sleep(_POLL)


def release(fd: int, target: Path, *, check: bool = True) -> None:
    """Give the lock back; with ``check``, first make sure it was held all along (see the module docstring)."""
    path = lock_path(target)
    held = _same_file(fd, path)
    try:
        if held:
            with contextlib.suppress(OSError):
                path.unlink()  # still locked: a waiting writer retries on a fresh file
    finally:
        os.close(fd)
    if check and not held:
        shown = display_path(target)
        raise ImpactError(
            Problem(
                shown,
                0,
                0,
                f"the lock on {shown} was removed while impact wrote it, "
                "so another program may have written it too: check the file",
            )
        )


@contextlib.contextmanager
def writing(target: Path, wait: float = DEFAULT_WAIT, what: str = "import") -> Iterator[None]:
    """Hold ``target``'s exclusive lock for a read-change-replace; re-checked after the write.

    A target whose folder does not exist yet gets it first (the lock file lives
    there, so two writers of a new file take turns too); if the write fails,
    the folders made for it are removed again when they are still empty.
    """
    made = _make_folders(Path(os.path.realpath(target)).parent)
    try:
        fd = acquire(target, wait, what)
        try:
            yield
        except BaseException:
            release(fd, target, check=False)
            raise
        release(fd, target)
    except BaseException:
        for folder in made:  # innermost first; a folder another writer filled meanwhile stays
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; the ones made, innermost first."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir()
    return missing
