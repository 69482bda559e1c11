"""Concurrent change requests that step on each other.

Three kinds, between two change requests A and B that are not released yet:

- ``same-asset``: A and B change the same asset (a system target counts as
  changing every asset of the system);
- ``downstream``: A's impact reaches an asset that B changes. It is
  directional (``from`` A ``to`` B): B is built on something A changes, so the
  two must be ordered and tested together;
- ``shared-impact`` (information only): A and B both reach the same asset
  that neither changes.

Each conflict names the assets involved and the teams that must coordinate:
the teams that requested A and B and the owners of the assets involved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from impact.analysis.check import CheckResult
from impact.core.catalog import Catalog
from impact.graph.depgraph import Reach

KINDS = ("same-asset", "downstream", "shared-impact")
BLOCKING_KINDS = ("same-asset", "downstream")


@dataclass(frozen=True)
class Conflict:
    """Two change requests that must coordinate.

    ``first``/``second`` are the two change ids in id order, except for
    ``downstream`` where ``first`` is *from* (whose impact reaches) and
    ``second`` is *to* (which changes what is reached).
    """

    kind: str
    first: str
    second: str
    assets: tuple[str, ...]
    teams: tuple[str, ...]
    reach: tuple[Reach, ...] = ()
    """For ``downstream``: how ``first``'s impact reaches each asset, one shortest path each."""
    tool_distance: int = 0
    """How near the two meet: 0 for ``same-asset``; for ``downstream``, the fewest tools
    between ``first``'s change and an asset ``second`` changes; for ``shared-impact``,
    the nearest shared asset, counted from the farther of the two changes."""

    @property
    def changes(self) -> tuple[str, str]:
        return self.first, self.second

    def involves(self, change_id: str) -> bool:
        return change_id in (self.first, self.second)

    def other(self, change_id: str) -> str:
        return self.second if change_id == self.first else self.first


def conflict_sentence(kind: str, first: str, second: str, assets: str, *, subject: bool = True) -> str:
    """What a conflict between change requests ``first`` and ``second`` is, in the words every output uses.

    The names and ``assets`` come formatted as the output shows them; without
    ``subject`` (a picture's arrow already joins the two), the sentence starts at its verb.

    >>> conflict_sentence("downstream", "CR-1", "CR-2", "crm:f")
    'the impact of CR-1 reaches crm:f, which CR-2 changes'
    >>> conflict_sentence("same-asset", "CR-1", "CR-2", "crm:f")
    'CR-1 and CR-2 both change crm:f'
    >>> conflict_sentence("shared-impact", "A", "B", "x", subject=False)
    'both reach x'
    """
    if kind == "downstream":
        said = f"reaches {assets}, which {second} changes"
        return f"the impact of {first} {said}" if subject else said
    said = f"both change {assets}" if kind == "same-asset" else f"both reach {assets}"
    return f"{first} and {second} {said}" if subject else said


def _owner(catalog: Catalog, asset_id: str) -> str | None:
    asset = catalog.assets.get(asset_id)
    if asset is not None:
        return asset.owner
    system = catalog.systems.get(asset_id.partition(":")[0])
    return system.owner if system else None


def _teams(catalog: Catalog, results: Iterable[CheckResult], assets: Iterable[str]) -> tuple[str, ...]:
    found = {r.change.requested_by for r in results if r.change.requested_by in catalog.teams}
    found.update(owner for owner in (_owner(catalog, a) for a in assets) if owner)
    return tuple(sorted(t for t in found if t))


def find_conflicts(results: Sequence[CheckResult], *, shared: bool = False) -> list[Conflict]:
    """Every conflict between the given checked change requests, ranked: same-asset first,
    then downstream, nearest first, then shared-impact, nearest first; ties by ids.

    Released change requests should be left out by the caller. ``shared``
    adds the information-only ``shared-impact`` kind.

    Examples
    --------
    >>> from impact.analysis.check import check_change
    >>> from impact.graph.depgraph import DependencyGraph
    >>> from impact.core.catalog import Asset, Catalog, Dependency, System, Team
    >>> from impact.load.change import ChangeItem, ChangeRequest
    >>> from impact.core.catalog import Place
    >>> assets = {a: Asset(a, a.split(":")[0], a.split(":")[1], "x", "t") for a in ["w:f", "m:s"]}
    >>> systems = {s: System(s, s, "t", assets=tuple(a for a in assets if a.startswith(s))) for s in "wm"}
    >>> catalog = Catalog("c", {"t": Team("t", "T")}, systems, assets, [Dependency("w:f", "m:s")], {})
    >>> graph = DependencyGraph(catalog)
    >>> def cr(ident, target):
    ...     return ChangeRequest(ident, ident, "x.yaml", (ChangeItem(target, "modify", None, Place("x.yaml", 1, 1)),))
    >>> results = [check_change(catalog, graph, cr("A", "w:f")), check_change(catalog, graph, cr("B", "m:s")),
    ...            check_change(catalog, graph, cr("C", "m"))]
    >>> [(c.kind, c.first, c.second, c.assets) for c in find_conflicts(results)]
    [('same-asset', 'B', 'C', ('m:s',)), ('downstream', 'A', 'B', ('m:s',)), ('downstream', 'A', 'C', ('m:s',))]
    """
    found: list[Conflict] = []
    ordered = sorted(results, key=lambda r: r.change.id)
    changed = {r.change.id: {c.asset for c in r.changed} for r in ordered}
    reached = {r.change.id: {x.asset: x for x in r.impacted} for r in ordered}
    for a, b in combinations(ordered, 2):
        catalog = a.catalog
        ida, idb = a.change.id, b.change.id
        both = sorted(changed[ida] & changed[idb])
        if both:
            found.append(Conflict("same-asset", ida, idb, tuple(both), _teams(catalog, (a, b), both)))
        for src, dst in ((a, b), (b, a)):
            hits = sorted(set(reached[src.change.id]) & changed[dst.change.id])
            if hits:
                paths = tuple(reached[src.change.id][h] for h in hits)
                sources = [p.path[0] for p in paths]
                found.append(
                    Conflict(
                        "downstream",
                        src.change.id,
                        dst.change.id,
                        tuple(hits),
                        _teams(catalog, (src, dst), [*hits, *sources]),
                        paths,
                        min(p.tool_distance for p in paths),
                    )
                )
        if shared:
            common = sorted((set(reached[ida]) & set(reached[idb])) - changed[ida] - changed[idb])
            if common:
                near = min(max(reached[ida][x].tool_distance, reached[idb][x].tool_distance) for x in common)
                found.append(
                    Conflict("shared-impact", ida, idb, tuple(common), _teams(catalog, (a, b), common), (), near)
                )
    found.sort(key=lambda c: (KINDS.index(c.kind), c.tool_distance, c.first, c.second))
    return found
