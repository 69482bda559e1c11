"""The dependency graph: a small class around ``networkx.DiGraph``.

Nodes are asset ids (attribute ``system``); an edge ``u -> v`` means *v
depends on u*, so impact flows along edges and "upstream" is against them.
Nodes and edges are inserted in sorted order, which makes every traversal,
and so every tie between equally short paths, deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import networkx as nx

from impact.core.catalog import Catalog, Dependency
from impact.core.distance import DEFAULT_MAX_TOOLS
from impact.store.compact import AssetTable, EdgeList


class ShortestPathTree:
    """The result of one search: each reached asset's next step toward the change.

    Paths are read off this tree on demand, so a search costs memory and time
    linear in what it reaches, even when paths are long (a 5,000-asset chain
    would otherwise hold 12.5 million path steps).
    """

    __slots__ = ("_points", "big", "distance", "system_of", "toward", "upstream")

    def __init__(
        self, toward: dict[str, str], distance: dict[str, int], big: int, system_of: Mapping[str, str], upstream: bool
    ) -> None:
        self.toward = toward  # asset -> its neighbour one step nearer the change (absent for changed assets)
        self.distance = distance  # composite Dijkstra distance: crossings * big + steps
        self.big = big
        self.system_of = system_of
        self.upstream = upstream
        self._points: dict[str, tuple[tuple[int, str], ...]] | None = None

    def walk(self, asset: str) -> list[str]:
        """From ``asset`` back to the changed asset it is reached from."""
        steps = [asset]
        toward = self.toward
        while steps[-1] in toward:
            steps.append(toward[steps[-1]])
        return steps

    def key_points(self, asset: str) -> tuple[tuple[int, str], ...]:
        """``(steps from the change, asset)`` for the change, both sides of every tool crossing, and ``asset``.

        At most ``2 * tool distance + 2`` points. They are computed once for
        every reached asset, nearest first, each from its neighbour's, so
        folding all paths costs time linear in what the search reached.
        """
        big = self.big
        if self._points is None:
            system_of = self.system_of
            crossings: dict[str, tuple[tuple[int, str], ...]] = {}
            for node in sorted(self.distance, key=self.distance.__getitem__):
                nearer = self.toward.get(node)
                if nearer is None:
                    crossings[node] = ((0, node),)
                elif system_of[nearer] != system_of[node]:
                    steps = self.distance[node] % big
                    before = crossings[nearer]
                    if before[-1][1] != nearer:
                        before += ((steps - 1, nearer),)
                    crossings[node] = (*before, (steps, node))
                else:
                    crossings[node] = crossings[nearer]
            self._points = crossings
        base = self._points[asset]
        if base[-1][1] == asset:
            return base
        return (*base, (self.distance[asset] % big, asset))


class Reach:
    """How an asset is reached from the nearest changed asset.

    ``tool_distance`` counts system-boundary crossings; ``steps`` counts edges;
    ``path`` runs from a changed asset to this one (for upstream searches,
    from this one to the target: read with the edges either way), built on
    demand from the search's :class:`ShortestPathTree`.
    """

    __slots__ = ("asset", "steps", "tool_distance", "tree")

    def __init__(self, asset: str, tool_distance: int, steps: int, tree: ShortestPathTree) -> None:
        self.asset = asset
        self.tool_distance = tool_distance
        self.steps = steps
        self.tree = tree

    @property
    def path(self) -> tuple[str, ...]:
        steps = self.tree.walk(self.asset)
        return tuple(steps if self.tree.upstream else reversed(steps))

    @property
    def key_points(self) -> tuple[tuple[int, str], ...]:
        """The path's ends and tool crossings as ``(index in path, asset)``, in path order."""
        points = self.tree.key_points(self.asset)
        if not self.tree.upstream:
            return points
        return tuple((self.steps - i, a) for i, a in reversed(points))

    @property
    def via(self) -> str | None:
        """The neighbour one step nearer the change (None if there is none)."""
        return self.tree.toward.get(self.asset)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reach):
            return NotImplemented
        return (self.asset, self.tool_distance, self.steps, self.path) == (other.asset, other.tool_distance, other.steps, other.path)

    def __hash__(self) -> int:
        return hash((self.asset, self.tool_distance, self.steps))

    def __repr__(self) -> str:
        return f"Reach({self.asset!r}, tool_distance={self.tool_distance}, steps={self.steps}, path={self.path!r})"


class DependencyGraph:
    """The catalog's assets and dependencies, with impact queries.

    Examples
    --------
    >>> from impact.core.catalog import Asset, Catalog, Dependency
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
        edges = catalog.dependencies
        # A cached catalog keeps its edges as adjacency (EdgeList): searches
        # then build only the part of the graph they can reach, and the full
        # networkx graph is built the first time someone asks for it.
        self._compact = edges if isinstance(edges, EdgeList) and isinstance(catalog.assets, AssetTable) else None
        self._graph: nx.DiGraph | None = None
        self._lazy_graphs: tuple[nx.DiGraph, nx.DiGraph] | None = None
        self._preds: list[list[int]] | None = None
        self._n_nodes = len(catalog.assets)
        if self._compact is None:
            self._system_of: Mapping[str, str] = {aid: a.system for aid, a in catalog.assets.items()}
            self._graph = self._build(catalog.assets, catalog.dependencies)
        else:
            self._system_of = _SystemOf(catalog.assets)  # type: ignore[arg-type]

    def _build(self, nodes: Iterable[str], edges: Iterable[Dependency]) -> nx.DiGraph:
        # Sorted insertion (ids, then (upstream, downstream)): ties between
        # equally short paths are then broken the same way every time.
        graph = nx.DiGraph()
        system_of = self._system_of
        graph.add_nodes_from((aid, {"system": system_of[aid]}) for aid in nodes)
        graph.add_edges_from((d.upstream, d.downstream, {"note": d.note}) for d in edges)
        return graph

    @property
    def graph(self) -> nx.DiGraph:
        """The whole catalog as a ``networkx.DiGraph`` (built on first use for a cached catalog)."""
        if self._graph is None:
            self._graph = self._build(self.catalog.assets, self.catalog.dependencies)
        return self._graph

    def _lazy(self, reverse: bool) -> nx.DiGraph:
        """The cached catalog as a networkx graph whose neighbours are read only when visited.

        A search then touches only what it reaches (Dijkstra with a cutoff
        never looks past it) instead of building the whole graph first.
        ``reverse`` gives the graph with every edge turned around, for
        upstream searches.
        """
        assert self._compact is not None
        if self._lazy_graphs is None:
            ids = self._compact.ids
            index = self.catalog.assets.index  # type: ignore[attr-defined]
            succ = _Neighbours(ids, index, self._compact.successors)
            pred = _Neighbours(ids, index, lambda i: self._predecessors()[i])
            self._lazy_graphs = (_CachedDiGraph.wrap(succ, pred, index), _CachedDiGraph.wrap(pred, succ, index))
        return self._lazy_graphs[1 if reverse else 0]

    def _predecessors(self) -> list[list[int]]:
        """Each asset's upstream assets, ascending; built once, on the first upstream question."""
        assert self._compact is not None
        if self._preds is None:
            edges = self._compact
            preds: list[list[int]] = [[] for _ in edges.ids]
            for up in range(len(edges.ids)):
                for down in edges.successors(up):
                    preds[down].append(up)
            self._preds = preds
        return self._preds

    def _weight(self) -> tuple[Callable[[str, str, dict[str, object]], int], int]:
        # Lexicographic (tool crossings, steps) as one number: a crossing costs
        # more than any simple path's step count, so Dijkstra minimises
        # crossings first and steps second.
        big = self._n_nodes + 1
        system_of = self._system_of

        def weight(u: str, v: str, _data: dict[str, object]) -> int:
            return big + 1 if system_of[u] != system_of[v] else 1

        return weight, big

    def _search(self, graph: nx.DiGraph, sources: Iterable[str], max_tools: int, upstream: bool = False) -> list[Reach]:
        starts = sorted({s for s in sources if s in graph})
        changed = set(starts)
        if not starts:
            return []
        weight, big = self._weight()
        dist = nx.multi_source_dijkstra_path_length(graph, starts, cutoff=max_tools * big + big - 1, weight=weight)
        # Read the shortest-path tree off the distances: each asset's nearer
        # neighbour is the first, in id order, that lies on a shortest path to
        # it. Paths are then walked on demand instead of copied for every asset.
        succ = graph.succ
        toward: dict[str, str] = {}
        for u in sorted(dist):
            du = dist[u]
            for v in succ[u]:
                if v not in toward and v not in changed and dist.get(v) == du + weight(u, v, {}):
                    toward[v] = u
        tree = ShortestPathTree(toward, dist, big, self._system_of, upstream)
        reached = [Reach(node, d // big, d % big, tree) for node, d in dist.items() if d]
        reached.sort(key=lambda r: (r.tool_distance, r.steps, r.asset))
        return reached

    def downstream(self, changed: Iterable[str], max_tools: int = DEFAULT_MAX_TOOLS) -> list[Reach]:
        """Assets a change to ``changed`` can break, at most ``max_tools`` tools away.

        Sorted by tool distance, steps, id. The changed assets themselves are
        never listed. Cycles are followed once.
        """
        if self._compact is not None and self._graph is None:
            return self._search(self._lazy(False), changed, max_tools)
        return self._search(self.graph, changed, max_tools)

    def upstream(self, targets: Iterable[str], max_tools: int = DEFAULT_MAX_TOOLS) -> list[Reach]:
        """Assets whose change can break ``targets``; each path runs upstream asset → target."""
        if self._compact is not None and self._graph is None:
            return self._search(self._lazy(True), targets, max_tools, upstream=True)
        return self._search(self.graph.reverse(copy=False), targets, max_tools, upstream=True)

    def note(self, upstream: str, downstream: str) -> str | None:
        if self._compact is not None and self._graph is None:
            index = self.catalog.assets.index  # type: ignore[attr-defined]
            if upstream not in index or downstream not in index:
                return None
            return self._compact.note(index[upstream], index[downstream])[1]
        data = self.graph.get_edge_data(upstream, downstream)
        return data.get("note") if data else None

    def cycles(self) -> list[list[str]]:
        """One cycle per strongly connected group of assets, each rotated to start at its smallest id."""
        # A cached catalog is walked through its adjacency as stored: building
        # the whole graph first took three seconds at 100,000 assets.
        graph = self._lazy(False) if self._compact is not None else self.graph
        found = []
        for component in nx.strongly_connected_components(graph):
            if len(component) < 2:
                continue
            start = min(component)
            cycle = [u for u, _ in nx.find_cycle(graph.subgraph(component), source=start)]
            first = cycle.index(min(cycle))
            found.append(cycle[first:] + cycle[:first])
        return sorted(found)


class _SystemOf(Mapping[str, str]):
    """``asset id → system id`` read from a cached catalog's columns, without building assets."""

    def __init__(self, assets: AssetTable) -> None:
        self.assets = assets

    def __getitem__(self, aid: str) -> str:
        return self.assets.system_of(aid)

    def __iter__(self) -> Iterator[str]:
        return iter(self.assets)

    def __len__(self) -> int:
        return len(self.assets)


_NO_DATA: dict[str, object] = {}


class _Neighbours(Mapping[str, dict[str, dict[str, object]]]):
    """``asset id → {neighbour id: edge data}``, built per asset on first use from the cache's adjacency."""

    def __init__(self, ids: Sequence[str], index: Mapping[str, int], neighbours: Callable[[int], Sequence[int]]) -> None:
        self.ids = ids
        self.index = index
        self.neighbours = neighbours
        self.built: dict[str, dict[str, dict[str, object]]] = {}

    def __getitem__(self, aid: str) -> dict[str, dict[str, object]]:
        found = self.built.get(aid)
        if found is None:
            ids = self.ids
            found = self.built[aid] = {ids[j]: _NO_DATA for j in self.neighbours(self.index[aid])}
        return found

    def __contains__(self, aid: object) -> bool:
        return aid in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class _CachedDiGraph(nx.DiGraph):  # type: ignore[misc]  # networkx has no type stubs
    """A read-only ``nx.DiGraph`` over a cached catalog's adjacency (see :class:`_Neighbours`)."""

    @classmethod
    def wrap(cls, succ: _Neighbours, pred: _Neighbours, nodes: Mapping[str, int]) -> nx.DiGraph:
        graph = cls()
        # networkx's algorithms read these attributes directly.
        graph._node = _NodeData(nodes)
        graph._succ = graph._adj = succ
        graph._pred = pred
        return graph


class _NodeData(Mapping[str, dict[str, object]]):
    def __init__(self, index: Mapping[str, int]) -> None:
        self.index = index

    def __getitem__(self, aid: str) -> dict[str, object]:
        if aid not in self.index:
            raise KeyError(aid)
        return _NO_DATA

    def __contains__(self, aid: object) -> bool:
        return aid in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)
