"""The dependency graph: the catalog's adjacency as arrays, with the impact queries.

An edge ``u -> v`` means *v depends on u*, so impact flows along edges and
"upstream" is against them. Searches run over the arrays themselves
(:mod:`impact.graph.search`): assets are numbered in id order, and every tie
between equally short paths goes to the first id, so answers are
deterministic and do not depend on the order anything was written in. A
cached catalog already holds its adjacency as arrays, so a search reads only
what it reaches. ``networkx`` is imported only for :attr:`DependencyGraph.graph`
(pictures and diffs), never on a check's path.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from impact.core.aspects import EVERY, VALUES, common_values, passes, unpack
from impact.core.catalog import AssetSource, Catalog, EdgeList
from impact.core.distance import DEFAULT_MAX_TOOLS
from impact.graph.aspects import carries
from impact.graph.search import EdgeFilter, cyclic_components, first_cycle, reach_back, reverse, shortest_reach
from impact.graph.trees import EndTree, PairTree, ShortestPathTree
from impact.graph.values_reach import STATES, is_value_level, pair_tree_parts, reach_values, scoped_out_assets

if TYPE_CHECKING:
    import networkx as nx


class Reach:
    """How an asset is reached from the nearest changed asset.

    ``tool_distance`` counts system-boundary crossings; ``steps`` counts edges;
    ``path`` runs from a changed asset to this one (for upstream searches,
    from this one to the target: read with the edges either way), built on
    demand from the search's :class:`ShortestPathTree`.
    """

    __slots__ = ("asset", "position", "steps", "tool_distance", "tree")

    def __init__(self, asset: str, tool_distance: int, steps: int, tree: ShortestPathTree, position: int = -1) -> None:
        self.asset = asset
        self.tool_distance = tool_distance
        self.steps = steps
        self.tree = tree
        self.position = position
        """The asset's number in the graph searched (ids in order; -1: not given)."""

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
    def note(self) -> str | None:
        """The note of the dependency between this asset and :attr:`via` (None if it has none)."""
        return self.tree.notes.get(self.asset)

    @property
    def tests(self) -> tuple[str, ...]:
        """The values this asset's dependency on the changed asset tests that the change names (empty: none said, or not
        one step away).
        """
        return self.tree.tests.get(self.asset, ()) if self.steps == 1 and not self.tree.upstream else ()

    @property
    def carries(self) -> tuple[str, ...]:
        """The changed values this asset carries on, reading them whole (a copy, a record passed on); else empty."""
        return self.tree.carries(self.asset)

    @property
    def via(self) -> str | None:
        """The neighbour one step nearer the change (None if there is none)."""
        return self.tree.toward.get(self.asset)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reach):
            return NotImplemented
        return (self.asset, self.tool_distance, self.steps, self.path) == (
            other.asset,
            other.tool_distance,
            other.steps,
            other.path,
        )

    def __hash__(self) -> int:
        return hash((self.asset, self.tool_distance, self.steps))

    def __repr__(self) -> str:
        return f"Reach({self.asset!r}, tool_distance={self.tool_distance}, steps={self.steps}, path={self.path!r})"


def paths_and_notes(reaches: Sequence[Reach]) -> Iterator[tuple[tuple[str, ...], tuple[str | None, ...]]] | None:
    """Each reach's :attr:`~Reach.path` and the note of each of its dependencies, in order; None unless they are one
    downstream search's.

    A search lists what it reaches nearest first, so each asset comes after
    its neighbour toward the change: its path is that neighbour's and one
    step more, instead of a walk back to the change each (long paths would
    make that quadratic). Only the paths of assets whose next steps are still
    to come are kept.

    >>> from impact.core.catalog import Asset, Catalog, Dependency
    >>> assets = {a: Asset(a, "w", a[2:], "x", "t") for a in ["w:a", "w:b", "w:c", "w:d"]}
    >>> deps = [Dependency("w:a", "w:b", "feeds"), Dependency("w:b", "w:c"), Dependency("w:b", "w:d")]
    >>> reaches = DependencyGraph(Catalog("c", {}, {}, assets, deps, {})).downstream(["w:a"])
    >>> list(paths_and_notes(reaches))  # doctest: +NORMALIZE_WHITESPACE
    [(('w:a', 'w:b'), ('feeds',)), (('w:a', 'w:b', 'w:c'), ('feeds', None)), (('w:a', 'w:b', 'w:d'), ('feeds', None))]
    """
    if not reaches:
        return iter(())
    tree = reaches[0].tree
    if tree.upstream or type(tree) is not ShortestPathTree or any(r.tree is not tree for r in reaches):
        return None
    return _paths_and_notes(reaches, tree)


def _paths_and_notes(
    reaches: Sequence[Reach], tree: ShortestPathTree
) -> Iterator[tuple[tuple[str, ...], tuple[str | None, ...]]]:
    toward, notes = tree.toward, tree.notes
    waiting: dict[str | None, int] = {}  # asset -> how many of its next steps are still to come
    for r in reaches:
        via = toward.get(r.asset)
        waiting[via] = waiting.get(via, 0) + 1
    kept: dict[str, tuple[tuple[str, ...], tuple[str | None, ...]]] = {}
    for r in reaches:
        asset = r.asset
        via = toward.get(asset)
        if via is None:  # a changed asset's: not in a search's answer
            found: tuple[tuple[str, ...], tuple[str | None, ...]] = ((asset,), ())
        else:
            before = kept.get(via)
            if before is None:  # a changed asset, or listed out of order: walked
                steps = tree.walk(via)
                steps.reverse()
                before = (tuple(steps), tuple(notes.get(a) for a in steps[1:]))
            left = waiting[via] - 1
            if left:
                waiting[via] = left
                kept[via] = before
            else:
                del waiting[via]
                kept.pop(via, None)
            found = ((*before[0], asset), (*before[1], notes.get(asset)))
        if asset in waiting:
            kept[asset] = found
        yield found


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
    >>> for r in g.downstream(["web:f"]):
    ...     print(r.asset, r.tool_distance, r.path)
    web:g 0 ('web:f', 'web:g')
    mkto:s 1 ('web:f', 'web:g', 'mkto:s')
    crm:q 2 ('web:f', 'web:g', 'mkto:s', 'crm:q')
    >>> [r.asset for r in g.downstream(["web:f"], max_tools=1)]
    ['web:g', 'mkto:s']
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        assets = catalog.assets
        self._graph: nx.DiGraph | None = None
        self._reversed: tuple[Sequence[int], Sequence[int], Sequence[int]] | None = None
        # Assets are numbered by their positions in the catalog (its ids, sorted); a cached
        # catalog's adjacency and systems are arrays already, in that order.
        self._edges: EdgeList = catalog.adjacency()
        self._index: Mapping[str, int] = assets.index
        self._system: Sequence[int] = assets.system_numbers
        self._system_of: Mapping[str, str] = _SystemOf(assets)
        self._ids: Sequence[str] = self._edges.ids

    def __contains__(self, aid: object) -> bool:
        return aid in self._index

    @property
    def graph(self) -> nx.DiGraph:
        """The whole catalog as a ``networkx.DiGraph`` (nodes with attribute ``system``, edges with ``note``), built on
        first use.
        """
        if self._graph is None:
            import networkx as nx  # only when the whole graph is asked for: ~0.2 s of start-up otherwise

            graph = nx.DiGraph()
            system_of = self._system_of
            # Sorted insertion (ids, then (upstream, downstream)): iteration order is the same every time.
            graph.add_nodes_from((aid, {"system": system_of[aid]}) for aid in self._ids)
            graph.add_edges_from((d.upstream, d.downstream, {"note": d.note}) for d in self._edges)
            self._graph = graph
        return self._graph

    def _upstream_rows(self) -> tuple[Sequence[int], Sequence[int], Sequence[int]]:
        """The adjacency with every edge turned around; built once, on the first upstream question."""
        if self._reversed is None:
            self._reversed = reverse(self._edges.offsets, self._edges.targets)
        return self._reversed

    def _search(
        self, sources: Iterable[str], max_tools: int, upstream: bool = False, follow: EdgeFilter | None = None
    ) -> list[Reach]:
        index = self._index
        starts = [index[s] for s in set(sources) if s in index]
        if not starts:
            return []
        if upstream:
            offsets, targets, origin = self._upstream_rows()
        else:
            offsets, targets, origin = self._edges.offsets, self._edges.targets, None
        big = len(self._ids) + 1
        dist, toward, edge = shortest_reach(offsets, targets, self._system, starts, max_tools, big, follow)
        ids = self._ids
        n = len(ids)
        if 8 * len(dist) > n:  # most of the catalog: a list of every id reads faster than a column, one id at a time
            ids = list(ids)
        # Reached assets sorted by (tool distance, steps, id): the composite
        # distance, then the position, which is id order.
        order = sorted([d * n + u for u, d in dist.items()])
        order = [key % n for key in order]
        name = {u: ids[u] for u in order}  # each reached id read once (a column cuts it out of a string)
        stored = self._edges.notes
        notes = {}
        if stored:
            for v, pos in edge.items():
                note = stored.get(pos if origin is None else origin[pos])
                if note is not None:
                    notes[name[v]] = note
        tree = ShortestPathTree(
            {name[v]: name[u] for v, u in toward.items()},
            {name[u]: dist[u] for u in order},
            big,
            self._system_of,
            upstream,
            notes,
        )
        return [Reach(name[u], dist[u] // big, dist[u] % big, tree, u) for u in order if dist[u]]

    def downstream(
        self, changed: Iterable[str], max_tools: int = DEFAULT_MAX_TOOLS, follow: EdgeFilter | None = None
    ) -> list[Reach]:
        """Assets a change to ``changed`` can break, at most ``max_tools`` tools away.

        Sorted by tool distance, steps, id. The changed assets themselves are
        never listed. Cycles are followed once. ``follow`` (see
        :data:`~impact.graph.search.EdgeFilter`) can rule out dependencies
        that do not carry this change.
        """
        return self._search(changed, max_tools, follow=follow)

    def impact_of(self, touched: Mapping[str, frozenset[str]], max_tools: int = DEFAULT_MAX_TOOLS) -> list[Reach]:
        """What a change reaches: ``touched`` maps each changed asset to the aspects its items touch.

        Like :meth:`downstream`, over the dependencies that carry the change
        (:mod:`impact.core.aspects`): tool distances and why-paths count only those.
        """
        index = self._index
        changed = {index[a]: aspects for a, aspects in touched.items() if a in index}
        uses = self._edges.uses
        if uses and is_value_level(changed):
            found = self._value_search(changed, max_tools)
        else:
            found = self._search(touched, max_tools, follow=carries(changed, uses))
        if found and uses and any(VALUES in aspects and len(aspects) > 1 for aspects in changed.values()):
            found[0].tree.tests = self._tested(changed, found)
        return found

    def left_out(self, touched: Mapping[str, frozenset[str]]) -> list[str]:
        """The assets a value-level change leaves out: they test the changed field only for other values (sorted ids).

        Empty unless every changed asset's change names values and touches nothing else
        (:mod:`impact.graph.values_reach`).
        """
        index = self._index
        changed = {index[a]: aspects for a, aspects in touched.items() if a in index}
        uses = self._edges.uses
        if not uses or not is_value_level(changed):
            return []
        return sorted(self._ids[u] for u in scoped_out_assets(self._edges.offsets, self._edges.targets, changed, uses))

    def _value_search(self, changed: Mapping[int, frozenset[str]], max_tools: int) -> list[Reach]:
        """A value-level change's search (:mod:`impact.graph.values_reach`), its paths over (asset, state) pairs."""
        big = len(self._ids) + 1
        dist, toward, edge, _left_out = reach_values(
            self._edges.offsets, self._edges.targets, self._system, changed, self._edges.uses, max_tools, big
        )
        nearest, pair_of, step = pair_tree_parts(dist, toward, edge)
        ids, n, stored = self._ids, len(self._ids), self._edges.notes
        order = [key % n for key in sorted([d * n + u for u, d in nearest.items()])]
        name = {u: ids[u] for u in order}
        named = {x: (name[x // STATES], x % STATES) for x in dist}
        tree = PairTree(
            {name[u]: name[toward[x] // STATES] for u, x in pair_of.items() if x in toward},
            {name[u]: nearest[u] for u in order},
            big,
            self._system_of,
            {name[u]: stored[pos] for u, pos in step.items() if pos in stored} if stored else {},
            {named[y]: named[x] for y, x in toward.items()},
            {named[x]: d for x, d in dist.items()},
            {name[u]: x % STATES for u, x in pair_of.items() if x % STATES},
        )
        tree.carried = tuple(sorted(unpack(frozenset().union(*changed.values()))[1] or ()))
        return [Reach(name[u], nearest[u] // big, nearest[u] % big, tree, u) for u in order if nearest[u]]

    def _tested(self, changed: Mapping[int, frozenset[str]], found: list[Reach]) -> dict[str, tuple[str, ...]]:
        """Each asset reached in one step whose dependency tests values the change names → those values."""
        offsets, targets, uses, out = self._edges.offsets, self._edges.targets, self._edges.uses, {}
        near = {r.position: r.asset for r in found if r.steps == 1}
        toward = found[0].tree.toward
        for u, aspects in changed.items():
            for pos in range(offsets[u], offsets[u + 1]):
                v = targets[pos]
                if (
                    v in near
                    and toward.get(near[v]) == self._ids[u]
                    and (values := common_values(aspects, uses.get(pos)))
                ):
                    out[near[v]] = values
        return out

    def upstream(self, targets: Iterable[str], max_tools: int = DEFAULT_MAX_TOOLS) -> list[Reach]:
        """Assets whose change can break ``targets``; each path runs upstream asset → target.

        With the aspects rule (:mod:`impact.core.aspects`): an asset is listed
        when a change to it in every aspect would reach a target, that is when
        a path from it has a first dependency that carries such a change and
        only dependencies that pass on ``data`` after that. Sorted by tool
        distance, steps, id; the targets themselves are never listed.
        """
        index = self._index
        starts = [index[s] for s in set(targets) if s in index]
        if not starts:
            return []
        offsets, back, origin = self._upstream_rows()
        uses = self._edges.uses

        def first(pos: int) -> bool:
            return passes(EVERY, uses.get(origin[pos]))

        def later(pos: int) -> bool:
            return passes(None, uses.get(origin[pos]))

        big = len(self._ids) + 1
        ends, carriers = reach_back(
            offsets, back, self._system, starts, max_tools, big, first if uses else None, later if uses else None
        )
        ids, n = self._ids, len(self._ids)
        stored = self._edges.notes

        def tree_parts(
            found: tuple[dict[int, int], dict[int, int], dict[int, int]],
        ) -> tuple[dict[str, str], dict[str, int], dict[str, str]]:
            dist, toward, edge = found
            order = [key % n for key in sorted([d * n + u for u, d in dist.items()])]
            notes = {ids[v]: stored[origin[pos]] for v, pos in edge.items() if origin[pos] in stored} if stored else {}
            return {ids[v]: ids[u] for v, u in toward.items()}, {ids[u]: dist[u] for u in order}, notes

        carrier = ShortestPathTree(*tree_parts(carriers)[:2], big, self._system_of, True)
        toward, distance, notes = tree_parts(ends)
        tree = EndTree(carrier, toward, distance, notes)
        return [Reach(a, d // big, d % big, tree) for a, d in distance.items()]

    def note(self, upstream: str, downstream: str) -> str | None:
        index = self._index
        if upstream not in index or downstream not in index:
            return None
        return self._edges.note(index[upstream], index[downstream])[1]

    def cycles(self, carrying: str | None = None) -> list[list[str]]:
        """One cycle per strongly connected group of assets, each rotated to start at its smallest id.

        The cycle is the first one a depth-first walk from the group's
        smallest id meets, taking dependencies in id order (what
        ``networkx.find_cycle`` gives on the same graph). ``carrying``: only
        the dependencies that use this aspect (``data``: a loop a change can
        go round, not one closed by a writer's reference to the field it writes).
        """
        offsets, targets = self._carrying(carrying)
        ids = self._ids
        found = []
        for component in cyclic_components(offsets, targets):
            cycle = [ids[u] for u in first_cycle(offsets, targets, set(component), min(component))]
            first = cycle.index(min(cycle))
            found.append(cycle[first:] + cycle[:first])
        return sorted(found)

    def mutual(self, carrying: str | None = None) -> list[tuple[str, str]]:
        """Pairs of assets that depend on each other (a flow that reads and writes a field), smaller id first, sorted.

        Only dependencies that use ``carrying`` count (every one without it).
        Searched only within the strongly connected groups, where any such pair lies.
        """
        offsets, targets = self._carrying(carrying)
        ids = self._ids
        pairs = []
        for component in cyclic_components(offsets, targets):
            members = set(component)
            for u in component:
                for v in targets[offsets[u] : offsets[u + 1]]:
                    if u < v and v in members:
                        row = targets[offsets[v] : offsets[v + 1]]
                        at = bisect_left(row, u)
                        if at < len(row) and row[at] == u:
                            pairs.append((ids[u], ids[v]) if ids[u] < ids[v] else (ids[v], ids[u]))
        return sorted(pairs)

    def _carrying(self, carrying: str | None) -> tuple[Sequence[int], Sequence[int]]:
        """The adjacency (offsets, targets) of the dependencies that use ``carrying``; every one without it."""
        offsets, targets, uses = self._edges.offsets, self._edges.targets, self._edges.uses
        if carrying is None or not uses:
            return offsets, targets
        # Only the edges that say what they use can drop out: the others are copied by runs.
        dropped = [pos for pos, aspects in uses.items() if carrying not in aspects]
        if not dropped:
            return offsets, targets
        dropped.sort()
        kept_targets: list[int] = []
        start = 0
        for pos in dropped:
            kept_targets.extend(targets[start:pos])
            start = pos + 1
        kept_targets.extend(targets[start:])
        starts = [offset - bisect_left(dropped, offset) for offset in offsets]
        return starts, kept_targets


class _SystemOf(Mapping[str, str]):
    """``asset id → system id``, read without building assets where the catalog can."""

    def __init__(self, assets: AssetSource) -> None:
        self.assets = assets

    def __getitem__(self, aid: str) -> str:
        return self.assets.system_of(aid)

    def __iter__(self) -> Iterator[str]:
        return iter(self.assets)

    def __len__(self) -> int:
        return len(self.assets)
