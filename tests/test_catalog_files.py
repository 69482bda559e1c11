"""Finding a catalog's files: the same files, order and problems as a plain os.walk (the walker it replaced)."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact.core.errors import ProblemList, display_path
from impact.load.files import catalog_files, catalog_rels, display_names
from impact.read.limits import YAML_SUFFIXES


def walked(root: Path, problems: ProblemList) -> list[Path]:
    """The reference: os.walk following links, resolving every file (the walker before catalog_rels)."""
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


_NAME = st.sampled_from(["a", "b", "sub", "Z", ".hidden", "a.b", "x-1", "é"])
_FILE = st.sampled_from(["a.yaml", "b.yml", "c.txt", ".h.yaml", "a.yaml.bak", "Z.yaml", "é.yaml"])
_STEP = st.tuples(
    st.sampled_from(["dir", "file", "link-in-dir", "link-in-file", "link-out", "link-loop", "link-dangling"]),
    st.lists(_NAME, min_size=0, max_size=2),
    _FILE,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_STEP, max_size=12))
def test_same_files_order_and_problems_as_os_walk(tmp_path_factory, steps) -> None:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("tree")
    root, outside = base / "catalog", base / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "o.yaml").write_text("teams: {}\n")
    for kind, parts, name in steps:
        folder = root.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        if os.path.lexists(target):
            continue
        if kind == "dir":
            (folder / (name + ".d")).mkdir(exist_ok=True)
        elif kind == "file":
            target.write_text("teams: {}\n")
        elif kind == "link-in-dir":
            target.symlink_to(root, target_is_directory=True)
        elif kind == "link-in-file":
            files = sorted(root.rglob("*.yaml"))
            if files:
                target.symlink_to(files[0])
        elif kind == "link-out":
            target.symlink_to(outside / "o.yaml" if len(parts) % 2 else outside)
        elif kind == "link-loop":
            target.symlink_to(folder, target_is_directory=True)
        else:
            target.symlink_to(base / "missing.yaml")
    expected_problems, got_problems = ProblemList(), ProblemList()
    expected = walked(root, expected_problems)
    assert catalog_files(root, got_problems) == expected
    assert [(p.file, p.message) for p in got_problems.items] == [(p.file, p.message) for p in expected_problems.items]
    rels = catalog_rels(root, ProblemList())
    assert display_names(root, rels) == [display_path(p) for p in expected]


def test_display_names_match_display_path_for_folders_given_every_way(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "cat" / "sub").mkdir(parents=True)
    rels = ["a.yaml", "sub/b.yaml"]
    monkeypatch.chdir(tmp_path)
    for root in (Path("cat"), Path("cat/"), Path("./cat"), tmp_path / "cat", Path("cat/sub/.."), Path(".")):
        assert display_names(root, rels) == [display_path(root / rel) for rel in rels], root
    monkeypatch.chdir(tmp_path / "cat" / "sub")
    for root in (Path(".."), tmp_path / "cat", Path("../../cat"), Path("/")):
        assert display_names(root, rels) == [display_path(root / rel) for rel in rels], root
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "other")  # the catalog elsewhere, the working directory not inside it
    for root in (Path("../cat"), tmp_path / "cat", Path("../cat/"), Path("../other/../cat")):
        assert display_names(root, rels) == [display_path(root / rel) for rel in rels], root
