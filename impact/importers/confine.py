"""What a catalog file may make impact read: only paths inside the folder that holds the catalog.

A catalog arrives in pull requests and is checked in CI, so its ``sources:``
entries are untrusted: ``path: /etc/passwd`` or ``../../outside/private.csv``
must not make ``impact import refresh`` read (or print) another folder's
files. Each path a catalog file names (an export's ``path``, a path option in
its ``args`` such as ``--fields``) must resolve, links included, inside the
folder that holds the catalog folder, or inside a folder the person running
impact names with ``--allow-path DIR`` (never the file itself). Otherwise the
source is refused by one line naming the entry, and nothing is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from impact.core.errors import Problem, display_path


def allowed_roots(catalog: Path, allow: Iterable[str]) -> list[str]:
    """The real folders a refresh may read: the one holding the catalog folder, and each ``--allow-path``."""
    roots = [os.path.realpath(catalog.resolve().parent)]
    roots.extend(os.path.realpath(Path(folder).expanduser()) for folder in allow)
    return roots


def inside(path: Path, roots: Sequence[str]) -> bool:
    """True when ``path``, every link and ``..`` resolved, is one of ``roots`` or below one.

    >>> inside(Path("/srv/repo/exports/m.json"), ["/srv/repo"]), inside(Path("/srv/repo/../x"), ["/srv/repo"])
    (True, False)
    """
    try:
        real = os.path.realpath(path)
    except (ValueError, OSError):  # a NUL character, a loop of links: no path to read
        return False
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def refused_source(
    target: Path, index: int, entry: dict[str, Any], paths: dict[str, bool], roots: Sequence[str]
) -> Problem | None:
    """The problem of a ``sources:`` entry naming a path outside ``roots``, or None.

    ``paths`` are the values of the entry the refresh would read (the export,
    then each path option) with ``True`` for the export; each is relative to
    the catalog file unless absolute.
    """
    for value, is_export in paths.items():
        if inside(target.parent / value, roots):
            continue
        what = "path" if is_export else f"args value {value!r}"
        where = f"sources[{index}] ({entry.get('kind')} {entry.get('path')!r})"
        shown = ", ".join(display_path(Path(root)) for root in roots)
        message = (
            f"{where}: its {what} is outside the folders a refresh may read ({shown}); nothing was read. "
            "move the export there, or name its folder with --allow-path DIR"
        )
        return Problem(display_path(target), 0, 0, message)
    return None
