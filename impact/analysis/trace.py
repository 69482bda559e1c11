"""``impact trace``: the reverse question, after an incident.

"No leads reach the EMEA queue": which upstream assets can break the queue,
each with the dependency path that explains how, and which change requests
(open, or already released) reach it, nearest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from impact.analysis.check import check_change
from impact.core.catalog import Catalog
from impact.core.errors import ImpactError, Problem, display_path
from impact.core.ids import suggest_asset
from impact.graph.depgraph import DependencyGraph, Reach
from impact.graph.trees import EndTree
from impact.load.change import ChangeRequest, change_files, load_changes

EXCLUDED_STATUSES = ("draft",)
"""Drafts are ideas, not work: they cannot have broken anything yet."""


@dataclass(frozen=True)
class ChangeHit:
    """A change request whose impact reaches the traced asset."""

    change: ChangeRequest
    tool_distance: int
    path: tuple[str, ...]
    """From the changed asset to the traced asset; one item when the change targets it directly."""
    action: str


@dataclass
class TraceResult:
    catalog: Catalog
    asset: str
    max_tools: int
    upstream: list[Reach]
    changes: list[ChangeHit]
    changes_folder: str | None
    skipped: list[Problem] = field(default_factory=list)
    """Change files that could not be matched to the catalog, with why."""
    notes: dict[tuple[str, str], str | None] = field(default_factory=dict)
    """The note of every dependency on the upstream paths (each path is made of search-tree edges)."""


def check_asset(catalog: Catalog, asset: str) -> None:
    """Refuse an asset id the catalog does not know, with the closest match."""
    if asset in catalog.assets:
        return
    hint = suggest_asset(asset, catalog)
    raise ImpactError(
        f"{asset!r} is not an asset of the catalog in {catalog.root.rstrip('/')}/"
        + (f"; did you mean {hint!r}?" if hint else "; give an asset id as system:key")
    )


def default_changes_folder(catalog_path: Path) -> Path | None:
    """A ``changes`` folder beside the catalog folder, as in ``catalogs/example/``."""
    candidate = catalog_path.resolve().parent / "changes"
    return Path(display_path(candidate)) if candidate.is_dir() else None


def trace(
    catalog: Catalog,
    graph: DependencyGraph,
    asset: str,
    changes: list[ChangeRequest],
    max_tools: int,
    changes_folder: str | None = None,
) -> TraceResult:
    """Upstream assets within ``max_tools`` tools of ``asset``, and the changes that reach it.

    A change reaches the asset when the asset is one it changes (distance 0)
    or one it impacts within ``max_tools``. Drafts are left out. Changes are
    sorted nearest first, then by id.
    """
    check_asset(catalog, asset)
    hits: list[ChangeHit] = []
    skipped: list[Problem] = []
    for change in changes:
        if change.status in EXCLUDED_STATUSES:
            continue
        try:
            result = check_change(catalog, graph, change, max_tools)
        except ImpactError as exc:
            skipped.extend(exc.problems)
            continue
        direct = next((c for c in result.changed if c.asset == asset), None)
        if direct is not None:
            hits.append(ChangeHit(change, 0, (asset,), direct.action))
            continue
        reach = next((r for r in result.impacted if r.asset == asset), None)
        if reach is not None:
            action = next(c.action for c in result.changed if c.asset == reach.path[0])
            hits.append(ChangeHit(change, reach.tool_distance, reach.path, action))
    hits.sort(key=lambda h: (h.tool_distance, len(h.path), h.change.id))
    upstream = graph.upstream([asset], max_tools)
    # Upstream paths read with the edges: each asset's next step is downstream of it. A path
    # is its asset's first step, then steps of the tree of assets that pass on their data.
    steps = {(r.asset, r.via) for r in upstream if r.via is not None}
    if upstream and isinstance(upstream[0].tree, EndTree):
        steps.update(upstream[0].tree.carriers.toward.items())
    notes = {(a, b): graph.note(a, b) for a, b in sorted(steps)}
    return TraceResult(catalog, asset, max_tools, upstream, hits, changes_folder, sorted(skipped), notes)


def load_change_folder(folder: Path | None) -> list[ChangeRequest]:
    """Every change file of ``folder`` (none when there is no folder)."""
    return load_changes(change_files(folder)) if folder is not None else []
