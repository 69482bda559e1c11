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
    real_root = root.resolve()
    seen_dirs: set[Path] = set()
    seen_files: set[Path] = set()
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real_dir = Path(dirpath).resolve()
        if real_dir in seen_dirs or not real_dir.is_relative_to(real_root):
            if not real_dir.is_relative_to(real_root):
                problems.error(display_path(dirpath), 0, 0, f"this folder is a link to {real_dir}, outside the catalog; copy it in instead")
            dirnames[:] = []
            continue
        seen_dirs.add(real_dir)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(YAML_SUFFIXES):
                continue
            path = Path(dirpath) / name
            real = path.resolve()
            if not real.is_relative_to(real_root):
                problems.error(display_path(path), 0, 0, f"this file is a link to {real}, outside the catalog; copy it in instead")
            elif real not in seen_files and real.is_file():
                seen_files.add(real)
                found.append(path)
    return sorted(found, key=lambda p: p.as_posix())
