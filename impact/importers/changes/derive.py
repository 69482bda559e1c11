"""A change request derived from exports: two exports of one kind, or a catalog's sources between two git revisions.

:func:`derive_pair` compares two exports given as folders or files.
:func:`derive_git` reads the catalog's ``sources:`` entries (the imports
that wrote its files), asks git which files under each export changed
between two commits, and reads only those, both versions from git's objects
(the working tree is never touched). Each kind's reader is in
:data:`impact.importers.changes.kinds.KINDS`.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from impact.core.errors import ImpactError, Problem, display_path
from impact.importers.changes.diff import DerivedItem, diff_snapshots
from impact.importers.changes.gittree import GitTree, changed_paths, commit_of, repo_top
from impact.importers.changes.kinds import DEFAULT_SYSTEMS, KINDS, PER_FILE, SOURCE_KINDS
from impact.importers.changes.model import FolderTree, Snapshot, Tree, tree_of


@dataclass
class Derived:
    """The items of a derived change, and notes for the person (sources skipped, say)."""

    items: list[DerivedItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_snapshot(
    kind: str, tree: Tree, where: str, system: str, only: set[str] | None, options: dict[str, object]
) -> Snapshot:
    """One kind's snapshot of ``tree``; a problem's file is named under ``where`` (the export as the person gave it)."""
    try:
        return KINDS[kind](tree, system, only, options)
    except ImpactError as exc:
        raise ImpactError(
            [
                Problem(f"{where}/{p.file}" if where and p.file else where, p.line, p.col, p.message, p.severity)
                for p in exc.problems
            ]
        ) from None


def derive_pair(kind: str, old: Path, new: Path, system: str | None = None) -> Derived:
    """What changed from export ``old`` to export ``new`` (folders, or files), both of ``kind``."""
    if kind not in KINDS:
        raise ImpactError(f"impact changes cannot read {kind!r} exports yet; it reads: {', '.join(sorted(KINDS))}")
    for path in (old, new):
        if not path.exists():
            raise ImpactError(
                Problem(
                    display_path(path),
                    0,
                    0,
                    "no such file or folder; give the two exports to compare, the old one first",
                )
            )
    if old.is_file() != new.is_file():
        raise ImpactError(
            f"{display_path(old)} and {display_path(new)}: give two folders or two files, not one of each"
        )
    name = system or DEFAULT_SYSTEMS.get(kind, kind)
    old_tree, new_tree = tree_of(old), tree_of(new)
    only = differing(old_tree, new_tree) if kind in PER_FILE and not old.is_file() else None
    old_options: dict[str, object] = {}
    new_options: dict[str, object] = {}
    if kind == "sitemap" and old.is_file():  # a sitemap index: the sitemaps it lists lie beside it
        old_tree, new_tree = FolderTree(old.parent), FolderTree(new.parent)
        old_options, new_options = {"index": old.name}, {"index": new.name}
    before = read_snapshot(kind, old_tree, display_path(old.parent if old_options else old), name, only, old_options)
    after = read_snapshot(kind, new_tree, display_path(new.parent if new_options else new), name, only, new_options)
    return Derived(diff_snapshots(before, after))


def differing(old: Tree, new: Tree) -> set[str]:
    """The paths whose bytes differ between two folders, or that only one has: all a reader need read."""
    before, after = set(old.files()), set(new.files())
    return (before ^ after) | {path for path in before & after if old.read(path) != new.read(path)}


def source_options(args: list[str]) -> dict[str, object]:
    """A ``sources:`` entry's ``args`` as settings.

    >>> source_options(["--max-depth", "2", "--pages"])
    {'max_depth': '2', 'pages': True}
    """
    options: dict[str, object] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            i += 1
            continue
        key = arg[2:].replace("-", "_")
        if i + 1 < len(args) and not args[i + 1].startswith("--"):
            options[key] = args[i + 1]
            i += 2
        else:
            options[key] = True
            i += 1
    return options


@dataclass(frozen=True)
class _Source:
    kind: str
    """The kind of export, or "" for a source no reader compares (its note says why)."""
    system: str
    prefix: str
    """The export's path in the repository (a folder or a file)."""
    options: dict[str, object]
    where: str
    note: str = ""


def _sources(catalog: Path, top: Path) -> tuple[list[_Source], list[str]]:
    """The catalog's sources inside the repository (those no reader compares carry their note); notes on the others."""
    from impact.importers.existing import catalog_sources  # the catalog's files: only for --base

    sources: list[_Source] = []
    notes: list[str] = []
    for target, entry in catalog_sources(catalog):
        kind = SOURCE_KINDS.get(entry["kind"])
        export = Path(os.path.normpath(target.resolve().parent / entry["path"]))
        try:
            prefix = export.relative_to(top).as_posix()
        except ValueError:
            notes.append(
                f"{display_path(target)}: its {entry['kind']} export {display_path(export)}"
                " is outside the git repository; not compared"
            )
            continue
        options = source_options(list(entry.get("args") or []))
        if kind is None or kind not in KINDS:
            note = (
                f"{display_path(target)}: its {entry['kind']} export {display_path(export)} changed,"
                " but is not compared"
                f" (impact changes reads {', '.join(sorted(KINDS))} exports)"
            )
            sources.append(_Source("", "", prefix, options, display_path(export), note))
            continue
        system = str(options.pop("system", "") or DEFAULT_SYSTEMS[kind])
        if kind == "sitemap" and export.suffix in (".xml", ".gz"):  # an index's sitemaps lie beside it
            prefix, options["index"] = posixpath.dirname(prefix), export.name
        sources.append(_Source(kind, system, prefix, options, display_path(export)))
    return sources, notes


def _under(path: str, prefix: str) -> str | None:
    """``path`` relative to the export at ``prefix`` (a file export: its name), or None outside it."""
    if path == prefix:
        return Path(path).name
    if path.startswith(prefix + "/"):
        return path[len(prefix) + 1 :]
    return None


def derive_git(catalog: Path, base: str, head: str = "HEAD") -> Derived:
    """What changed in the exports of the catalog's ``sources:`` between two commits, reading only changed files."""
    if not catalog.is_dir():
        raise ImpactError(
            Problem(display_path(catalog), 0, 0, "no such catalog folder; give the catalog whose files list 'sources:'")
        )
    top = repo_top(catalog.resolve()).resolve()
    old_rev, new_rev = commit_of(top, base, "--base"), commit_of(top, head, "--head")
    sources, notes = _sources(catalog, top)
    if not sources and not notes:
        raise ImpactError(
            Problem(
                display_path(catalog),
                0,
                0,
                "no file of this catalog lists 'sources:'; import the exports with 'impact import ...' first,"
                " so impact knows where they are",
            )
        )
    changed = changed_paths(top, old_rev, new_rev, [s.prefix for s in sources])
    found: dict[tuple[str, str, str], DerivedItem] = {}
    for source in sources:
        only = {rel for path in changed if (rel := _under(path, source.prefix)) is not None}
        if not only:
            continue
        if not source.kind:  # a CSV inventory, a dependency export: said, not guessed
            notes.append(source.note)
            continue
        before = read_snapshot(
            source.kind,
            GitTree(top, old_rev, source.prefix, only),
            f"{source.where}@{base}",
            source.system,
            only,
            source.options,
        )
        after = read_snapshot(
            source.kind,
            GitTree(top, new_rev, source.prefix, only),
            f"{source.where}@{head}",
            source.system,
            only,
            source.options,
        )
        for item in diff_snapshots(before, after):
            found.setdefault((item.target, item.action, item.to or ""), item)
    return Derived([found[k] for k in sorted(found)], notes)
