"""``impact site``: what the catalog explorer needs, gathered once for the renderer.

The site answers in the browser the questions ``impact check`` and ``impact
trace`` answer on the command line, for any asset a person looks up. It
computes them in the page from a compact adjacency (a downstream search over
100,000 assets takes milliseconds there), so this module hands over the graph
as the cache stores it: assets by position in id order, each asset's
downstream neighbours ascending. The page's search follows the rule of
:class:`~impact.graph.depgraph.DependencyGraph` exactly: fewest tool
crossings, then fewest steps; among equally short paths the step from the
upstream asset that comes first in id order (the browser test checks the
page's answers against the CLI's).

Change requests *in flight* are the ones not released yet (drafts included:
a person about to touch an asset wants to know about planned work too). A
change file that does not match the catalog is left out of the site and
reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from impact.analysis.check import check_change
from impact.analysis.decision import Decision, decide
from impact.analysis.trace import default_changes_folder, load_change_folder
from impact.analysis.workspace import open_catalog
from impact.core.aspects import only_values
from impact.core.catalog import Catalog
from impact.core.distance import DEFAULT_MAX_TOOLS
from impact.core.errors import ImpactError, Problem
from impact.graph.depgraph import DependencyGraph
from impact.load.change import ChangedAsset, ChangeRequest, resolve_change

RELEASED = "released"


@dataclass(frozen=True)
class SiteChange:
    """A change request in flight, with the assets it changes."""

    change: ChangeRequest
    changed: list[ChangedAsset]
    decide: Callable[[], Decision] | None = None
    """The one verdict and test cost, as every other output says it (see :mod:`impact.analysis.decision`),
    worked out when asked: a front end that keeps the words it showed last need not search again."""
    reached: list[tuple[str, int, int, str | None]] | None = None
    """For a change that names values and touches nothing else: what it reaches, as ``impact check`` answers it
    ``(asset, tool distance, steps, via)``; the site's own search knows the aspects rule only."""


@dataclass
class SiteModel:
    catalog: Catalog
    ids: list[str]
    """Every asset id, sorted; an asset's position here is its number in the site's data."""
    offsets: Sequence[int]
    """``targets[offsets[i]:offsets[i + 1]]`` are the assets that depend on asset ``i``, ascending."""
    targets: Sequence[int]
    notes: dict[int, str]
    """Edge position → the dependency's note."""
    changes: list[SiteChange]
    max_tools: int
    skipped: list[Problem] = field(default_factory=list)
    """Change files left out because they do not match the catalog, with why."""
    uses: dict[int, frozenset[str]] = field(default_factory=dict)
    """Edge position → what the dependency uses, for those that say (impact.core.aspects)."""


def site_model(catalog: Catalog, changes: list[ChangeRequest], max_tools: int = DEFAULT_MAX_TOOLS) -> SiteModel:
    """Gather the site's data: the adjacency and the change requests in flight, resolved."""
    edges = catalog.adjacency()
    in_flight: list[SiteChange] = []
    skipped: list[Problem] = []
    graph = DependencyGraph(catalog) if changes else None
    for change in changes:
        if change.status == RELEASED:
            continue
        try:
            changed = resolve_change(change, catalog)
        except ImpactError as exc:
            skipped.extend(exc.problems)
            continue
        in_flight.append(_site_change(catalog, graph, change, changed, max_tools))
    return SiteModel(
        catalog,
        list(edges.ids),
        edges.offsets,
        edges.targets,
        edges.notes,
        in_flight,
        max_tools,
        sorted(skipped),
        edges.uses,
    )


def _site_change(
    catalog: Catalog, graph: DependencyGraph | None, change: ChangeRequest, changed: list[ChangedAsset], max_tools: int
) -> SiteChange:
    """A change in flight: its verdict worked out when asked; a value-level change's answer at once, searched once.

    The page searches by the aspects rule alone, so what a change that names
    values and touches nothing else reaches (:mod:`impact.graph.values_reach`)
    comes from ``impact check``'s own answer, and its verdict from the same answer.
    """
    if graph is None:
        return SiteChange(change, changed)
    touched = [c.aspects for c in changed if c.in_catalog]
    if not touched or not all(only_values(aspects) for aspects in touched):
        return SiteChange(change, changed, lambda: decide(check_change(catalog, graph, change, max_tools)))
    result = check_change(catalog, graph, change, max_tools)
    reached = [(r.asset, r.tool_distance, r.steps, r.via) for r in result.impacted]
    return SiteChange(change, changed, lambda: decide(result), reached)


def open_site(
    catalog_path: Path, changes_path: Path | None, max_tools: int = DEFAULT_MAX_TOOLS
) -> tuple[SiteModel, Path | None]:
    """``impact site``: load the catalog and its change requests (the ``changes`` folder beside it by default)."""
    folder = changes_path if changes_path is not None else default_changes_folder(catalog_path)
    changes = load_change_folder(folder)
    catalog, _graph = open_catalog(catalog_path)  # the front ends' one entry point; the page searches the graph itself
    return site_model(catalog, changes, max_tools), folder
