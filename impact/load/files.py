"""The files of a catalog folder."""

from __future__ import annotations

import os
from pathlib import Path

from impact.core.errors import ProblemList, display_path
from impact.read.limits import YAML_SUFFIXES


def catalog_files(root: Path, problems: ProblemList) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` below ``root``, each once, sorted; links must stay inside.

    Hidden files and folders (``.git``, caches) are skipped. A link loop is
    walked once; a link that leaves the catalog is refused on its real path.
    """
    return [root / rel for rel in catalog_rels(root, problems)]


def catalog_rels(root: Path, problems: ProblemList) -> list[str]:
    """:func:`catalog_files` as paths relative to ``root``, with ``/`` (what the cache keys files by).

    Only links are resolved: a file or folder that is not a link is where
    its folder is, which spares a ``realpath`` (a system call per part of the
    path) for each of a large catalog's thousands of files.
    """
    real_root = root.resolve()
    seen_dirs: set[Path] = set()
    seen_files: set[str] = set()
    found: list[str] = []

    def walk(folder: str, rel: str, real_dir: Path) -> None:
        # The order os.walk(followlinks=True) takes, top down: a folder's files, then each sub-folder in name order.
        if real_dir in seen_dirs or not real_dir.is_relative_to(real_root):
            if not real_dir.is_relative_to(real_root):
                message = f"this folder is a link to {real_dir}, outside the catalog; copy it in instead"
                problems.error(display_path(folder), 0, 0, message)
            return
        seen_dirs.add(real_dir)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:  # as os.walk: a folder that cannot be listed holds nothing
            return
        folders = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not name.startswith("."):
                    folders.append(entry)
                continue
            if name.startswith(".") or not name.endswith(YAML_SUFFIXES):
                continue
            real = _real_file(entry, os.path.join(folder, name), real_dir, real_root, problems)
            if real is None:
                continue
            key = str(real)
            if key not in seen_files:
                seen_files.add(key)
                found.append(rel + name)
        for entry in folders:
            path = os.path.join(folder, entry.name)
            walk(path, rel + entry.name + "/", Path(path).resolve() if entry.is_symlink() else real_dir / entry.name)

    walk(os.fspath(root), "", real_root)
    return sorted(found)


def _real_file(
    entry: os.DirEntry[str], path: str, real_dir: Path, real_root: Path, problems: ProblemList
) -> Path | None:
    """Where a listed file really is; None if it is no file, or a link out of the catalog (reported)."""
    if not entry.is_symlink():
        return real_dir / entry.name if entry.is_file() else None
    real = Path(path).resolve()
    if not real.is_relative_to(real_root):
        message = f"this file is a link to {real}, outside the catalog; copy it in instead"
        problems.error(display_path(path), 0, 0, message)
        return None
    return real if real.is_file() else None


def display_names(root: Path, rels: list[str]) -> list[str]:
    """``display_path(root / rel)`` of each of ``rels`` (paths below ``root``, with ``/``), worked out once for the
    folder.

    A folder below the working directory is shown relative to it, and so is
    each of its files (two thousand ``relpath`` calls cost a tenth of a second).
    """
    try:
        shown = os.path.relpath(root)
    except ValueError:  # another drive on Windows
        shown = ".."
    if not shown.startswith(".."):  # at or below the working directory: so is every file, shown relative to it
        return list(rels) if shown == "." else [shown + "/" + rel for rel in rels]
    if not os.path.join(os.getcwd(), "").startswith(os.path.join(os.path.abspath(root), "")):
        # Elsewhere, and the working directory is not inside it: every file is shown as given.
        base = os.fspath(root).rstrip("/")
        return [base + "/" + rel for rel in rels]
    # Not below the working directory (or given as it is): the working directory may be inside it.
    return [display_path(root / rel) for rel in rels]
