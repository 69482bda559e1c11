"""Writing output files so that a failure never leaves a half-written file behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from impact.model.errors import ImpactError, display_path


def guard_output(target: Path, protected: Iterable[Path]) -> None:
    """Refuse to write over an input file or into a catalog folder."""
    real = target.resolve()
    for item in protected:
        guarded = item.resolve()
        if real == guarded or (guarded.is_dir() and real.is_relative_to(guarded)):
            raise ImpactError(
                f"refusing to write {display_path(target)}: it is {'inside the catalog' if guarded.is_dir() else 'an input file'} "
                f"{display_path(item)}; choose another output path"
            )


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` all at once: a temporary file beside it, then a rename.

    Readers see the old file or the new one, never a mix; on any failure the
    temporary file is removed and the old file is left as it was.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ImpactError(f"cannot write {display_path(path)}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ImpactError(f"cannot write {display_path(path)}: {exc.strerror or exc}") from None
        raise
