"""The picture before it becomes DOT: what :mod:`impact.render.picture` chose to draw (:class:`Drawing`).

And what a picture may hold: above :data:`HARD_MAX_NODES` boxes,
:data:`HARD_MAX_EDGES` arrows or :data:`HARD_MAX_TOOLS` tools the layout
would take too long to be useful, so it is refused with a hint
(:data:`TOO_LARGE_HINT`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from impact.core.catalog import Catalog
from impact.core.errors import ImpactError
from impact.core.ids import split_asset_id
from impact.graph.depgraph import DependencyGraph
from impact.render.labels import node_name, summary_name

HARD_MAX_NODES = 250
HARD_MAX_EDGES = 600
HARD_MAX_TOOLS = 40
"""Above these, the layout would take too long to be useful: refuse with a hint."""

TOO_LARGE_HINT = (
    "draw a neighbourhood instead: impact graph --catalog DIR --focus ASSET --depth 2, or one tool with --system ID"
)


class PictureConflict(NamedTuple):
    """A conflict edge between two change requests: ``first`` -> ``second`` when ``directed``."""

    first: str
    second: str
    text: str
    directed: bool = False


class Holder(NamedTuple):
    """An unfinished change request that holds another back."""

    change: str
    title: str | None
    status: str | None
    release: str | None


class Verdict(NamedTuple):
    """A change request's verdict in a release picture: ``word`` is "ships" or "held"."""

    word: str
    holders: tuple[Holder, ...] = ()


@dataclass
class Shown:
    """One asset in the picture and how it is drawn."""

    asset: str
    role: str  # changed | impacted | upstream | focus | context
    distance: int | None = None
    action: str | None = None


@dataclass
class Drawing:
    """The picture before it becomes DOT: assets, folded groups, edges, words."""

    catalog: Catalog
    graph: DependencyGraph
    title: str
    subtitle: str
    mode: str = "impact"  # impact | focus | catalog
    owners: bool = False
    shown: dict[str, Shown] = field(default_factory=dict)
    rank: dict[str, tuple[object, ...]] = field(default_factory=dict)
    keep: set[str] = field(default_factory=set)
    folded: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    changes: list[tuple[str, str, list[str]]] = field(default_factory=list)
    conflicts: list[PictureConflict] = field(default_factory=list)
    legend: list[tuple[str, str, str]] = field(default_factory=list)
    edge_notes: list[str] = field(default_factory=list)
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    """Notes of the drawn arrows, numbered from 1 in this order (filled in by :func:`to_dot`)."""

    def add(self, item: Shown, rank: tuple[object, ...]) -> None:
        if item.asset not in self.shown:
            self.shown[item.asset] = item
            self.rank[item.asset] = rank

    def system_of(self, asset: str) -> str:
        found = self.catalog.assets.get(asset)
        return found.system if found else split_asset_id(asset)[0]


def edges(picture: Drawing) -> tuple[list[tuple[str, str, str | None]], dict[tuple[str, str], int]]:
    """Dependency edges between drawn assets, and folded edges (counted) to or from "+N more" boxes."""
    rep: dict[str, str] = {a: node_name(a) for a in picture.shown}
    for system, assets in picture.folded.items():
        for asset in assets:
            rep[asset] = summary_name(system)
    graph = picture.graph.graph
    plain: list[tuple[str, str, str | None]] = []
    folded: dict[tuple[str, str], int] = defaultdict(int)
    for u in sorted(rep):
        if u not in graph:
            continue
        for v in graph.successors(u):
            if v not in rep:
                continue
            ru, rv = rep[u], rep[v]
            if u in picture.shown and v in picture.shown:
                plain.append((u, v, picture.graph.note(u, v)))
            elif ru != rv:
                folded[(ru, rv)] += 1
        if len(plain) + len(folded) > HARD_MAX_EDGES:
            raise ImpactError(
                f"the picture would have more than {HARD_MAX_EDGES} arrows, too many to lay out readably; "
                f"lower --max-nodes or {TOO_LARGE_HINT}"
            )
    plain.sort()
    return plain, dict(sorted(folded.items()))
