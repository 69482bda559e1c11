"""What a value-level change reaches: a change to some values of a field, and nothing else (issue #29).

A change that names values (``values: [Reopened]`` on ``Case.Status``) is
about the records that hold those values. Two rules follow, on top of the
aspects rule (:mod:`impact.core.aspects`), and both only for such a change:

- **Scope.** An asset whose dependency on the changed field tests only
  other values (:func:`~impact.core.aspects.scoped_out`: a flow that starts on
  ``Status = 'Closed'``) handles only records with those values. It is left
  out, however else the change would reach it.
- **Carried values.** An asset that reads the whole value
  (:func:`~impact.core.aspects.reads_whole`: copies it, passes the record
  on) passes the change on as *those values*, not as new data: a dependency
  on it that tests other values does not carry it, one that tests a named
  value turns it into new data, one that reads it whole carries the values
  on again (:func:`~impact.core.aspects.carried_step`). An asset that tests
  a named value does something else now: it passes on new data, as before.

Whether a dependency carries the change now depends on how its upstream
asset was reached (carrying the values, or passing on new data), so the
search runs over pairs (asset, state): Dijkstra over the same composite
distance as :func:`~impact.graph.search.shortest_reach`, exact, with each
pair's neighbour toward the change, ties to the first pair in id order.

Examples
--------
>>> # 0 changed (value New); 0 -> 1 reads it whole, 1 -> 2 tests Closed, 1 -> 3 tests New; 0 -> 4 tests Closed
>>> from impact.core.aspects import pack, touched
>>> offsets, targets, system = [0, 2, 4, 4, 4, 4], [1, 4, 2, 3], [0] * 5
>>> uses = {1: pack(None, ["Closed"]), 2: pack(None, ["Closed"]), 3: pack(None, ["New"])}
>>> change = {0: touched("modify", None, ["New"])}
>>> dist, toward, edge, out = reach_values(offsets, targets, system, change, uses, 5, 6)
>>> sorted(dist.items()), sorted(out)   # pairs 2 * asset + state: 1 carries New on, 3 tests it (new data)
([(0, 0), (3, 1), (6, 2)], [4])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from heapq import heappop, heappush

from impact.core.aspects import MARK, carried_step, only_values, passes, reads_whole, scoped_out

NEW_DATA, CARRIES = 0, 1
"""The states of a reached asset: it passes on new data, or it carries the changed values on."""

STATES = 2


def is_value_level(changed: Mapping[int, frozenset[str]]) -> bool:
    """Whether every changed asset's change touches named values only (then :func:`reach_values` answers)."""
    return bool(changed) and all(only_values(aspects) for aspects in changed.values())


def scoped_out_assets(
    offsets: Sequence[int],
    targets: Sequence[int],
    changed: Mapping[int, frozenset[str]],
    uses: Mapping[int, frozenset[str]],
) -> set[int]:
    """The assets a dependency on a changed asset scopes out, unless one on a changed asset passes the change."""
    out: set[int] = set()
    passed: set[int] = set()
    for u, aspects in changed.items():
        for pos in range(offsets[u], offsets[u + 1]):
            used = uses.get(pos)
            if scoped_out(aspects, used):
                out.add(targets[pos])
            elif passes(aspects, used):
                passed.add(targets[pos])
    return out - passed - set(changed)


def reach_values(
    offsets: Sequence[int],
    targets: Sequence[int],
    system: Sequence[int],
    changed: Mapping[int, frozenset[str]],
    uses: Mapping[int, frozenset[str]],
    max_tools: int,
    big: int,
) -> tuple[dict[int, int], dict[int, int], dict[int, int], set[int]]:
    """Distances and shortest-path trees over (asset, state) pairs from the changed assets (see the module).

    A pair is numbered ``STATES * asset + state``. Returns ``(dist, toward,
    edge, left_out)``: ``dist[pair]`` the composite distance of every pair
    reached (the changed assets' pairs at 0), ``toward[pair]`` the
    first pair one step before it on a shortest path, ``edge[pair]`` that
    step's position in ``targets``, and the assets the scope rule left out.

    """
    n_pairs = STATES * len(system)
    cutoff = max_tools * big + big - 1
    cross = big + 1
    left_out = scoped_out_assets(offsets, targets, changed, uses)
    carried = frozenset(a for aspects in changed.values() for a in aspects if a.startswith(MARK))
    dist: dict[int, int] = {}
    toward: dict[int, int] = {}
    edge: dict[int, int] = {}
    heap = [STATES * u for u in sorted(changed)]  # distance 0: the keys are the pairs, in heap order when sorted
    best = dict.fromkeys(heap, 0)
    while heap:
        d, x = divmod(heappop(heap), n_pairs)
        if x in dist:
            continue
        dist[x] = d
        u, state = divmod(x, STATES)
        aspects = changed.get(u)
        su = system[u]
        for pos in range(offsets[u], offsets[u + 1]):
            v = targets[pos]
            if v in changed or v in left_out:
                continue
            state_v = _next_state(aspects, state, carried, uses.get(pos))
            if state_v is None:
                continue
            y = STATES * v + state_v
            if y in dist:
                continue
            c = d + (1 if system[v] == su else cross)
            if c > cutoff:
                continue
            known = best.get(y)
            if known is None or c < known:
                best[y] = c
                toward[y] = x
                edge[y] = pos
                heappush(heap, c * n_pairs + y)
            elif c == known and x < toward[y]:
                toward[y] = x
                edge[y] = pos
    return dist, toward, edge, left_out


def _next_state(
    aspects: frozenset[str] | None, state: int, carried: frozenset[str], used: frozenset[str] | None
) -> int | None:
    """The state a dependency gives its downstream asset, from a changed asset (``aspects``) or a reached one.

    None: it does not carry the change.
    """
    if aspects is not None:
        if not passes(aspects, used):
            return None
        return CARRIES if reads_whole(aspects, used) else NEW_DATA
    if state == NEW_DATA:
        return NEW_DATA if passes(None, used) else None
    step = carried_step(carried, used)
    return None if step is None else CARRIES if step else NEW_DATA


def pair_tree_parts(
    dist: Mapping[int, int], toward: Mapping[int, int], edge: Mapping[int, int]
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Each asset's nearest pair: ``(asset → distance, asset → its pair, asset → that pair's step)`` (changed: no step).

    Of an asset's two pairs the nearer one counts, the one passing on new data on a tie.
    """
    nearest: dict[int, int] = {}
    pair_of: dict[int, int] = {}
    for x in sorted(dist):
        u = x // STATES
        if u not in nearest or dist[x] < nearest[u]:
            nearest[u] = dist[x]
            pair_of[u] = x
    return nearest, pair_of, {u: edge[x] for u, x in pair_of.items() if x in edge}
