"""The one entry point of every front end (the command line, the static site, a web UI).

Open what to work on, then ask it questions::

    ws = open_workspace(["changes/CR-1.yaml"], None, None)  # change files, their catalog, release files
    result = ws.check(ws.changes[0])                        # impact, stakeholders, tests
    release = ws.release("2026-12-minor")                   # what ships, what is held back
    found, active = ws.conflicts()                          # change requests that step on each other

A command that needs only a catalog calls :func:`open_catalog`; ``impact
check`` calls :func:`run_check`; a pre-commit hook :func:`check_many`. Every
file a workspace was read from is in :attr:`Workspace.inputs`, so a front
end never writes over one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from impact.analysis.check import CheckResult, check_change
from impact.core.catalog import Catalog
from impact.core.distance import DEFAULT_MAX_TOOLS
from impact.core.errors import ImpactError, Problem
from impact.graph.depgraph import DependencyGraph
from impact.load.change import ChangeRequest, change_files, find_catalog, load_change, load_changes
from impact.load.loader import load_catalog

if TYPE_CHECKING:  # imported where used: 'impact check' needs neither releases nor conflicts (start-up time)
    from impact.analysis.conflicts import Conflict
    from impact.analysis.releases import ReleaseResult
    from impact.load.release_file import Release


def open_catalog(path: Path) -> tuple[Catalog, DependencyGraph]:
    """The catalog at ``path`` and its dependency graph."""
    catalog = load_catalog(path)
    return catalog, DependencyGraph(catalog)


def run_check(
    change_file: Path, catalog_option: str | None, max_tools: int = DEFAULT_MAX_TOOLS
) -> tuple[CheckResult, Path]:
    """``impact check``: returns the result and the catalog folder it used."""
    change = load_change(change_file)
    catalog_path = find_catalog([change], catalog_option)
    catalog, graph = open_catalog(catalog_path)
    return check_change(catalog, graph, change, max_tools), catalog_path


def check_many(
    files: list[Path], catalog_option: str | None, max_tools: int = DEFAULT_MAX_TOOLS
) -> tuple[list[CheckResult], list[Problem]]:
    """Check every change file, each catalog loaded once; a bad file does not stop the others.

    Returns the results (sorted by change id, then file) and every problem
    found, so a hook reports all broken files in one run.
    """
    opened: dict[Path, tuple[Catalog, DependencyGraph]] = {}
    results: list[CheckResult] = []
    problems: list[Problem] = []
    for file in files:
        try:
            change = load_change(file)
            where = find_catalog([change], catalog_option)
            key = where.resolve()
            if key not in opened:
                opened[key] = open_catalog(where)
            catalog, graph = opened[key]
            results.append(check_change(catalog, graph, change, max_tools))
        except ImpactError as exc:
            problems.extend(exc.problems)
    results.sort(key=lambda r: (r.change.id, r.change.file))
    return results, sorted(set(problems))


@dataclass
class Workspace:
    """What a command works on: the catalog, the change requests and the release files."""

    catalog: Catalog
    graph: DependencyGraph
    catalog_path: Path
    changes: list[ChangeRequest]
    releases: dict[str, Release]
    inputs: list[Path]
    """The change files read."""

    def check(self, change: ChangeRequest, max_tools: int = DEFAULT_MAX_TOOLS) -> CheckResult:
        """What one change request reaches, who to involve, which tests to run."""
        return check_change(self.catalog, self.graph, change, max_tools)

    def check_all(self, max_tools: int = DEFAULT_MAX_TOOLS) -> list[CheckResult]:
        """:meth:`check` of every change request, in the order they were read."""
        return [self.check(change, max_tools) for change in self.changes]

    def release(self, release_id: str, max_tools: int = DEFAULT_MAX_TOOLS) -> ReleaseResult:
        """What ships in ``release_id`` and what is held back (every change request counts, for conflicts)."""
        from impact.analysis.releases import check_release  # only for a release (start-up time of 'impact check')

        return check_release(self.catalog, self.graph, self.changes, release_id, self.releases, max_tools)

    def conflicts(self, shared: bool = False) -> tuple[list[Conflict], list[str]]:
        """The conflicts between the change requests not released yet, and those change requests' ids."""
        from impact.analysis.conflicts import find_conflicts  # only for conflicts (start-up time of 'impact check')

        active = [c for c in self.changes if c.status != "released"]
        return find_conflicts([self.check(c) for c in active], shared=shared), [c.id for c in active]

    def protected(self, *folders: str | None) -> list[Path]:
        """Paths no output may be written over or into: the inputs, the catalog and the given folders."""
        return [*self.inputs, self.catalog_path, *(Path(f) for f in folders if f)]


def open_workspace(
    change_paths: Sequence[str],
    changes_dir: str | None,
    catalog_option: str | None,
    releases_dir: str | None = None,
) -> Workspace:
    """Load change files (given one by one, or every file of ``changes_dir``), their catalog and the release files.

    Release files come from ``releases_dir``, else ``<changes_dir>/../releases``.
    """
    if change_paths and changes_dir:
        raise ImpactError("give change files or --changes DIR, not both")
    if not change_paths and not changes_dir:
        raise ImpactError("give one or more change files, or --changes DIR (the folder of change files)")
    files = [Path(p) for p in change_paths] if change_paths else change_files(changes_dir or ".")
    if not files:
        raise ImpactError(Problem(str(changes_dir), 0, 0, "this folder holds no *.yaml or *.yml change files"))
    from impact.load.release_file import (  # only with release files (start-up time)
        default_releases_folder,
        load_releases,
    )

    changes = load_changes(files)
    catalog_path = find_catalog(changes, catalog_option)
    catalog, graph = open_catalog(catalog_path)
    folder = Path(releases_dir) if releases_dir else (default_releases_folder(changes_dir) if changes_dir else None)
    if releases_dir and not Path(releases_dir).is_dir():
        raise ImpactError(f"--releases {releases_dir}: no such folder")
    releases = load_releases(folder)
    return Workspace(catalog, graph, catalog_path, changes, releases, files)
