"""The dependency graph: a small class around ``networkx.DiGraph``.

Nodes are asset ids (attribute ``system``); an edge ``u -> v`` means *v
depends on u*, so impact flows along edges and "upstream" is against them.
Nodes and edges are inserted in sorted order, which makes every traversal,
and so every tie between equally short paths, deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx

from impact.model.catalog import Catalog


@dataclass(frozen=True, slots=True)
class Reach:
    """How an asset is reached from the nearest changed asset.

    ``tool_distance`` counts system-boundary crossings; ``steps`` counts edges;
    ``path`` runs from a changed asset to this one (from this one to the
    target, for upstream searches read against the edges).
    """

    asset: str
    tool_distance: int
    steps: int
    path: tuple[str, ...]


class DependencyGraph:
    """The catalog's assets and dependencies, with impact queries.

    Examples
    --------
    >>> from impact.model.catalog import Asset, Catalog, Dependency
    >>> assets = {a: Asset(a, a.split(":")[0], a.split(":")[1], "x", "t")
    ...           for a in ["web:f", "web:g", "mkto:s", "crm:q"]}
    >>> deps = [Dependency("web:f", "web:g"), Dependency("web:g", "mkto:s"),
    ...         Dependency("mkto:s", "crm:q")]
    >>> g = DependencyGraph(Catalog("c", {}, {}, assets, deps, {}))
    >>> [(r.asset, r.tool_distance, r.path) for r in g.downstream(["web:f"])]
    [('web:g', 0, ('web:f', 'web:g')), ('mkto:s', 1, ('web:f', 'web:g', 'mkto:s')), ('crm:q', 2, ('web:f', 'web:g', 'mkto:s', 'crm:q'))]
    >>> [r.asset for r in g.downstream(["web:f"], max_tools=1)]
    ['web:g', 'mkto:s']
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        graph = nx.DiGraph()
        graph.add_nodes_from((aid, {"system": a.system}) for aid, a in catalog.assets.items())
        graph.add_edges_from((d.upstream, d.downstream, {"note": d.note}) for d in catalog.dependencies)
        self.graph = graph
        self._system_of = {aid: a.system for aid, a in catalog.assets.items()}

    def _weight(self) -> tuple[Callable[[str, str, dict[str, object]], int], int]:
        # Lexicographic (tool crossings, steps) as one number: a crossing costs
        # more than any simple path's step count, so Dijkstra minimises
        # crossings first and steps second.
        big = self.graph.number_of_nodes() + 1
        system_of = self._system_of

        def weight(u: str, v: str, _data: dict[str, object]) -> int:
            return big + 1 if system_of[u] != system_of[v] else 1

        return weight, big

    def _search(self, graph: nx.DiGraph, sources: Iterable[str], max_tools: int) -> list[Reach]:
        starts = sorted({s for s in sources if s in graph})
        if not starts:
            return []
        weight, big = self._weight()
        dist, paths = nx.multi_source_dijkstra(graph, starts, cutoff=max_tools * big + big - 1, weight=weight)
        reached = [
            Reach(node, d // big, d % big, tuple(paths[node]))
            for node, d in dist.items()
            if node not in starts
        ]
        reached.sort(key=lambda r: (r.tool_distance, r.steps, r.asset))
        return reached

    def downstream(self, changed: Iterable[str], max_tools: int = 5) -> list[Reach]:
        """Assets a change to ``changed`` can break, at most ``max_tools`` tools away.

        Sorted by tool distance, steps, id. The changed assets themselves are
        never listed. Cycles are followed once.
        """
        return self._search(self.graph, changed, max_tools)

    def upstream(self, targets: Iterable[str], max_tools: int = 5) -> list[Reach]:
        """Assets whose change can break ``targets``; each path runs upstream asset → target."""
        reached = self._search(self.graph.reverse(copy=False), targets, max_tools)
        return [Reach(r.asset, r.tool_distance, r.steps, r.path[::-1]) for r in reached]

    def note(self, upstream: str, downstream: str) -> str | None:
        data = self.graph.get_edge_data(upstream, downstream)
        return data.get("note") if data else None

    def cycles(self) -> list[list[str]]:
        """One cycle per strongly connected group of assets, each rotated to start at its smallest id."""
        found = []
        for component in nx.strongly_connected_components(self.graph):
            if len(component) < 2:
                continue
            start = min(component)
            cycle = [u for u, _ in nx.find_cycle(self.graph.subgraph(component), source=start)]
            first = cycle.index(min(cycle))
            found.append(cycle[first:] + cycle[:first])
        return sorted(found)
