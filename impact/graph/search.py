"""The impact search over a graph stored as arrays: no graph library, nothing built per search.

A graph here is its adjacency in compressed rows (CSR): the edges out of node
``u`` go to ``targets[offsets[u]:offsets[u + 1]]``, and ``system[u]`` is the
number of ``u``'s system. Nodes are numbered in id order, so "the smallest
node" is "the first id". The search is Dijkstra over the lexicographic
distance (tool crossings, steps), written as one number
``crossings * big + steps`` with ``big`` larger than any path's step count; a
heap of plain integers ``distance * n + node`` keeps it cheap in Python.

It answers exactly what the networkx search it replaced answered (the test
``tests/test_graph_search.py`` holds the two side by side): the distance of
every node within ``max_tools`` crossings, and for each node reached its
*toward* neighbour, the first node in id order that lies one step before it on
a shortest path. Importing this module costs nothing; searching costs time
linear in what the search reaches, however large the graph.

Examples
--------
>>> # 0 -> 1 (same system), 1 -> 2 (another system), 0 -> 2 (another system)
>>> offsets, targets, system = [0, 2, 3, 3], [1, 2, 2], [0, 0, 1]
>>> dist, toward, edge = shortest_reach(offsets, targets, system, [0], max_tools=5, big=4)
>>> sorted(dist.items()), sorted(toward.items()), sorted(edge.items())
([(0, 0), (1, 1), (2, 5)], [(1, 0), (2, 0)], [(1, 0), (2, 1)])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from heapq import heappop, heappush

EdgeFilter = Callable[[int, int, int], bool]
"""``(from node, to node, edge position) -> bool``: whether impact may travel this edge.

The search stays a plain graph search; a rule about which dependencies carry
a change (aspects and uses, say) comes in as this predicate. ``edge position``
is the index into ``targets`` (the CSR's edge number).
"""

Reach = tuple[dict[int, int], dict[int, int], dict[int, int]]
"""``(dist, toward, edge)``: what a search reached, as :func:`shortest_reach` returns it."""


def shortest_reach(
    offsets: Sequence[int],
    targets: Sequence[int],
    system: Sequence[int],
    sources: Iterable[int],
    max_tools: int,
    big: int,
    follow: EdgeFilter | None = None,
) -> Reach:
    """Distances and the shortest-path tree from ``sources``, within ``max_tools`` tool crossings.

    Returns ``(dist, toward, edge)``: ``dist[node]`` is the composite distance
    ``crossings * big + steps`` (0 for a source) of every node reached;
    ``toward[node]`` the smallest node ``u`` with an edge ``u -> node`` and
    ``dist[u] + weight(u, node) == dist[node]`` (no entry for sources), and
    ``edge[node]`` that edge's position in ``targets``. A step
    within a system weighs 1, one into another system ``big + 1``. ``big`` must
    exceed the number of nodes. ``follow``, if given, decides edge by edge
    whether impact travels it (see :data:`EdgeFilter`).
    """
    n = len(system)
    cutoff, cross = _limits(max_tools, big)
    dist: dict[int, int] = {}
    toward: dict[int, int] = {}
    edge: dict[int, int] = {}
    heap = sorted(set(sources))  # distance 0: each key is the node itself, in heap order when sorted
    best = dict.fromkeys(heap, 0)
    get = best.get
    while heap:
        d, u = divmod(heappop(heap), n)
        if u in dist:
            continue  # a stale entry: u was settled nearer
        dist[u] = d
        su = system[u]
        near = d + 1
        far = d + cross
        for pos in range(offsets[u], offsets[u + 1]):
            v = targets[pos]
            if v in dist:
                continue
            if follow is not None and not follow(u, v, pos):
                continue
            c = near if system[v] == su else far
            if c > cutoff:
                continue
            known = get(v)
            if known is None or c < known:
                best[v] = c
                toward[v] = u
                edge[v] = pos
                heappush(heap, c * n + v)
            elif c == known and u < toward[v]:
                toward[v] = u
                edge[v] = pos
    return dist, toward, edge


def _limits(max_tools: int, big: int) -> tuple[int, int]:
    """The largest distance within ``max_tools`` crossings, and the weight of a step into another system."""
    return max_tools * big + big - 1, big + 1


def reverse(offsets: Sequence[int], targets: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """The CSR of the graph with every edge turned around, each row ascending (a counting sort).

    The third list gives each reversed edge's position in the original ``targets``.

    >>> reverse([0, 2, 3, 3], [1, 2, 2])
    ([0, 0, 1, 3], [0, 0, 1], [0, 1, 2])
    """
    n = len(offsets) - 1
    counts = [0] * (n + 1)
    for v in targets:
        counts[v + 1] += 1
    for i in range(n):
        counts[i + 1] += counts[i]
    starts = counts[:]
    out = [0] * len(targets)
    origin = [0] * len(targets)
    for u in range(n):
        for pos in range(offsets[u], offsets[u + 1]):
            v = targets[pos]
            at = starts[v]
            out[at] = u
            origin[at] = pos
            starts[v] = at + 1
    return counts, out, origin


def cyclic_components(offsets: Sequence[int], targets: Sequence[int]) -> list[list[int]]:
    """The strongly connected groups of two or more nodes (Tarjan's algorithm, without recursion).

    Written here rather than taken from networkx on purpose: networkx needs the
    whole graph built as its own objects first (about 3 s at 100,000 assets, or
    its private dicts overwritten, as this project once did), and importing it
    costs a warm ``validate`` 0.15-0.25 s. ``tests/test_graph_search.py`` holds
    the answer equal to ``networkx.strongly_connected_components`` and
    ``find_cycle`` on random graphs.

    >>> cyclic_components([0, 1, 2, 3, 3], [1, 0, 3])
    [[1, 0]]
    """
    n = len(offsets) - 1
    order = [-1] * n  # when each node was first met
    low = [0] * n
    on_stack = bytearray(n)
    stack: list[int] = []
    found: list[list[int]] = []
    counter = 0
    for root in range(n):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = 1
        work = [root]
        at = [offsets[root]]
        while work:
            u = work[-1]
            pos, end = at[-1], offsets[u + 1]
            while pos < end:
                v = targets[pos]
                pos += 1
                if order[v] == -1:
                    at[-1] = pos
                    order[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack[v] = 1
                    work.append(v)
                    at.append(offsets[v])
                    break
                if on_stack[v] and order[v] < low[u]:
                    low[u] = order[v]
            else:
                work.pop()
                at.pop()
                if low[u] == order[u]:
                    w = stack.pop()
                    on_stack[w] = 0
                    if w != u:
                        found.append(_rest_of_group(stack, on_stack, u, w))
                if work and low[u] < low[work[-1]]:
                    low[work[-1]] = low[u]
    return found


def _rest_of_group(stack: list[int], on_stack: bytearray, u: int, w: int) -> list[int]:
    """A group of two or more nodes, popped off Tarjan's ``stack`` down to its root ``u`` (``w`` popped already)."""
    group = [w]
    while w != u:
        w = stack.pop()
        on_stack[w] = 0
        group.append(w)
    return group


def _two_states(carrying: Iterable[int] = ()) -> tuple[dict[int, int], dict[int, int]]:
    """A map for each state of :func:`reach_back` (ends, carriers); the carriers' map holds ``carrying`` at 0."""
    return {}, dict.fromkeys(carrying, 0)


def first_cycle(offsets: Sequence[int], targets: Sequence[int], members: set[int], start: int) -> list[int]:
    """The first cycle a depth-first walk from ``start`` meets, staying within ``members``.

    Edges are taken in row order; the cycle is returned from the node it
    closes on, in walking order (as ``networkx.find_cycle`` returns it).

    >>> first_cycle([0, 1, 3, 4, 4], [1, 2, 0, 1], {0, 1, 2}, 0)
    [1, 2]
    """
    path = [start]
    on_path = {start: 0}
    done: set[int] = set()
    at = [offsets[start]]
    while path:
        u = path[-1]
        pos, end = at[-1], offsets[u + 1]
        while pos < end:
            v = targets[pos]
            pos += 1
            if v not in members or v in done:
                continue
            if v in on_path:
                return path[on_path[v] :]
            at[-1] = pos
            on_path[v] = len(path)
            path.append(v)
            at.append(offsets[v])
            break
        else:
            done.add(u)
            del on_path[u]
            path.pop()
            at.pop()
    return []


def reach_back(
    offsets: Sequence[int],
    targets: Sequence[int],
    system: Sequence[int],
    sources: Iterable[int],
    max_tools: int,
    big: int,
    first: Callable[[int], bool] | None = None,
    later: Callable[[int], bool] | None = None,
) -> tuple[Reach, Reach]:
    """Against the edges (``offsets``/``targets`` reversed): what can break ``sources``, in two states.

    An asset *ends* a path when its change can reach a source: the path's
    first dependency passes ``first`` (a change to it in any aspect) and
    every later one passes ``later`` (what a reached asset passes on). An
    asset *carries* when a path from it to a source passes ``later``
    throughout: only those are searched further. ``first``/``later`` take
    the reversed edge's position; None lets every edge pass. Returns
    ``(ends, carriers)``, each ``(dist, toward, edge)`` as in
    :func:`shortest_reach`; sources carry at distance 0 and never end.

    >>> # 0 -> 1 -> 2, reversed; only 0 -> 1 (position 0) passes what a reached asset produces
    >>> ends, carriers = reach_back([0, 0, 1, 2], [0, 1], [0, 0, 0], [2], 5, 4, later=lambda pos: pos == 0)
    >>> sorted(ends[0].items()), sorted(carriers[0].items())
    ([(1, 1)], [(2, 0)])
    """
    cutoff, cross = _limits(max_tools, big)
    starts = set(sources)
    dists, towards, edges, bests = _two_states(), _two_states(), _two_states(), _two_states(sorted(starts))
    heap = [2 * s + 1 for s in sorted(starts)]  # carriers at distance 0, in heap order
    m = 2 * len(system)
    while heap:
        d, state = divmod(heappop(heap), m)
        u, carry = divmod(state, 2)
        if u in dists[carry]:
            continue
        dists[carry][u] = d
        if not carry:
            continue  # an end is never searched further
        su = system[u]
        for pos in range(offsets[u], offsets[u + 1]):
            v = targets[pos]
            c = d + (1 if system[v] == su else cross)
            if c > cutoff:
                continue
            for to in (0, 1):
                if to == 0 and (v in starts or (first is not None and not first(pos))):
                    continue
                if (to == 1 and later is not None and not later(pos)) or v in dists[to]:
                    continue
                known = bests[to].get(v)
                if known is None or c < known:
                    bests[to][v] = c
                    towards[to][v] = u
                    edges[to][v] = pos
                    heappush(heap, c * m + 2 * v + to)
                elif c == known and u < towards[to][v]:
                    towards[to][v] = u
                    edges[to][v] = pos
    return (dists[0], towards[0], edges[0]), (dists[1], towards[1], edges[1])
