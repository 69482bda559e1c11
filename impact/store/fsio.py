"""Writing output files so that a failure never leaves a half-written file behind.

The promises (see ``docs/security.md``):

* a reader sees the old file or the new one, never a mix: the bytes go to a
  temporary file beside the target, which is renamed over it only once
  complete and flushed to disk;
* on any failure (disk full, no permission, an interrupt) the temporary file
  is removed, folders created for the output are removed again, and the old
  file is left byte for byte as it was;
* an output never lands on an input file or inside a catalog (``guard_output``);
* a report gets the permissions a new file normally gets (not the private
  ``0600`` of a temporary file), or keeps those of the file it replaces;
* a device or pipe given as the output (``-o /dev/stdout``) is written to,
  never replaced by a regular file; a link is followed, not replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from impact.core.errors import ImpactError, display_path

_ADVICE = {
    "ENOSPC": "the disk is full; free some space or write elsewhere",
    "EDQUOT": "the disk quota is used up; free some space or write elsewhere",
    "EACCES": "choose a folder you may write to",
    "EPERM": "choose a folder you may write to",
    "EROFS": "the file system is read-only; choose another folder",
    "EISDIR": "it is a folder: give a file name inside it",
    "ENOTDIR": "a part of the path is a file, not a folder",
}


def _write_error(path: Path, exc: OSError) -> ImpactError:
    advice = _ADVICE.get(errno.errorcode.get(exc.errno or 0, ""), "choose another output path")
    return ImpactError(f"cannot write {display_path(path)}: {exc.strerror or exc}; {advice}")


def guard_output(target: Path, protected: Iterable[Path]) -> None:
    """Refuse to write over an input file or into a catalog folder.

    Paths are compared after resolving links, so ``-o`` through a symlink or
    ``..`` cannot reach an input either.
    """
    real = target.resolve()
    if real.is_dir():
        raise ImpactError(f"cannot write {display_path(target)}: it is a folder; give a file name inside it")
    for item in protected:
        guarded = item.resolve()
        if real == guarded or (guarded.is_dir() and real.is_relative_to(guarded)):
            raise ImpactError(
                f"refusing to write {display_path(target)}: it is "
                f"{'inside the catalog' if guarded.is_dir() else 'an input file'} "
                f"{display_path(item)}; choose another output path"
            )


def _new_file_mode() -> int:
    # The mode ``open()`` would give a new file: 0o666 less the umask. Reading
    # the umask means setting it; this runs once per written file in a CLI.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return those created, deepest first."""
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _remove_folders(created: list[Path]) -> None:
    for folder in created:  # deepest first; only ever-empty folders we made
        try:
            folder.rmdir()
        except OSError:
            break


Writer = Callable[[Callable[[bytes], object]], None]
"""Something that writes its bytes piece by piece to the ``write`` it is given (a big answer, streamed)."""


def atomic_write(path: Path, data: str | bytes | Writer) -> None:
    """Write ``data`` to ``path`` all at once: a temporary file beside it, then a rename.

    Readers see the old file or the new one, never a mix; on any failure the
    temporary file is removed and the old file is left as it was. ``data``
    may be a :data:`Writer`, for output too big to hold whole.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out" / "report.txt"
    >>> atomic_write(target, "hello\\n")
    >>> target.read_text()
    'hello\\n'
    >>> sorted(p.name for p in target.parent.iterdir())  # no temporary file left
    ['report.txt']
    """
    put: Writer
    if isinstance(data, (str, bytes)):
        payload = data.encode("utf-8") if isinstance(data, str) else data

        def put(write: Callable[[bytes], object]) -> None:
            write(payload)
    else:
        put = data
    shown = path  # messages name the path as the user gave it
    path = Path(os.path.realpath(path))  # a link is written through, not replaced
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _write_error(shown, exc) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise ImpactError(f"cannot write {display_path(shown)}: it is a folder; give a file name inside it")
    if info is not None and not stat.S_ISREG(info.st_mode):
        # A device or a pipe (``-o /dev/stdout``): renaming over it would replace it.
        try:
            with open(path, "wb") as handle:
                put(handle.write)
        except OSError as exc:
            raise _write_error(shown, exc) from None
        return
    mode = stat.S_IMODE(info.st_mode) if info is not None else _new_file_mode()
    created: list[Path] = []
    try:
        created = _make_folders(path.parent)
        replace_file(path, put, mode=mode, durable=True)
    except BaseException as exc:
        _remove_folders(created)
        if isinstance(exc, OSError):
            raise _write_error(shown, exc) from None
        raise


def replace_file(path: Path, put: Writer, *, mode: int | None = None, durable: bool = False) -> None:
    """Write what ``put`` writes to a temporary file beside ``path``, then rename it over ``path``.

    The one atomic writer: :func:`atomic_write` (a user's output, ``durable``:
    synced to disk, the mode of the file it replaces) and the cache's entries
    (:func:`impact.store.cache.write`: no sync, private mode) both go through
    it. Raises :class:`OSError`; the temporary file never stays behind.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            put(handle.write)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    # Make the rename itself durable; not every platform can open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    import ctypes  # only where a folder is swapped in (start-up time)

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return bool(renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0)


def _check_folder_target(
    shown: Path, target: Path, replaceable: Callable[[Path], bool], protected: Iterable[Path]
) -> None:
    """Refuse a folder that is, holds or lies inside an input, a file, or a folder of files impact did not write."""
    for item in protected:
        guarded = item.resolve()
        if target == guarded or target.is_relative_to(guarded) or guarded.is_relative_to(target):
            raise ImpactError(
                f"refusing to write {display_path(shown)}: it "
                f"{'is' if target == guarded else 'holds' if guarded.is_relative_to(target) else 'is inside'} "
                f"the input {display_path(item)}; choose another output folder"
            )
    if target.exists():
        if not target.is_dir():
            raise ImpactError(f"cannot write {display_path(shown)}: it is a file; give a folder for the site")
        if any(target.iterdir()) and not replaceable(target):
            raise ImpactError(
                f"refusing to replace {display_path(shown)}: the folder has files that impact did not write; "
                "give a new or empty folder"
            )


def _fill_folder(tmp: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into the new folder, each synced, with the modes a new file and folder get."""
    mode = _new_file_mode()
    folder_mode = mode | ((mode & 0o444) >> 2)  # the x bits where r is set: 0o644 -> 0o755
    for name in sorted(files):
        path = tmp.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(files[name])
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
    for folder in sorted({p for p in tmp.rglob("*") if p.is_dir()} | {tmp}):
        os.chmod(folder, folder_mode)


def atomic_folder(
    target: Path, files: dict[str, bytes], replaceable: Callable[[Path], bool], protected: Iterable[Path] = ()
) -> None:
    """Write a whole folder at once: built in a temporary folder beside ``target``, then swapped in.

    ``files`` maps paths inside the folder (``/``-separated) to their bytes.
    Readers see the old folder or the new one; on any failure the temporary
    folder is removed and the old folder is left as it was. An existing,
    non-empty folder is replaced only when ``replaceable(folder)`` says it is
    one this command wrote (never a person's own folder), and never when it
    is, holds or lies inside one of the ``protected`` inputs.
    """
    import shutil  # only where a folder is swapped in (start-up time)

    shown = target
    target = Path(os.path.realpath(target))
    _check_folder_target(shown, target, replaceable, protected)
    created: list[Path] = []
    try:
        created = _make_folders(target.parent)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        _remove_folders(created)
        raise _write_error(shown, exc) from None
    try:
        _fill_folder(tmp, files)
        if target.exists():
            if not _exchange(tmp, target):
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
                os.rmdir(old)
                os.rename(target, old)
                try:
                    os.rename(tmp, target)
                except BaseException:
                    os.rename(old, target)
                    raise
                tmp = old
            shutil.rmtree(tmp, ignore_errors=True)  # now the old site
        else:
            os.rename(tmp, target)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_folders(created)
        if isinstance(exc, OSError):
            raise _write_error(shown, exc) from None
        raise
    _sync_folder(target.parent)
