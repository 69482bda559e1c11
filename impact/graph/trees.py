"""The trees a search leaves behind: each reached asset's neighbour toward the change, and its path from there.

A search (:mod:`impact.graph.search`, :mod:`impact.graph.values_reach`)
settles each asset once; the tree keeps, for each, the neighbour one step
nearer the change and the composite distance, and walks paths back on demand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class ShortestPathTree:
    """The result of one search: each reached asset's next step toward the change.

    Paths are read off this tree on demand, so a search costs memory and time
    linear in what it reaches, even when paths are long (a 5,000-asset chain
    would otherwise hold 12.5 million path steps).
    """

    __slots__ = ("_points", "big", "distance", "notes", "system_of", "tests", "toward", "upstream")

    def __init__(
        self,
        toward: dict[str, str],
        distance: dict[str, int],
        big: int,
        system_of: Mapping[str, str],
        upstream: bool,
        notes: dict[str, str] | None = None,
    ) -> None:
        self.toward = toward  # asset -> its neighbour one step nearer the change (absent for changed assets)
        self.distance = distance  # composite Dijkstra distance: crossings * big + steps, nearest first
        self.notes = notes or {}  # asset -> the note of its dependency on ``toward[asset]``, where there is one
        self.tests: dict[
            str, tuple[str, ...]
        ] = {}  # asset -> the values its dependency on a changed asset tests that the change names
        self.big = big
        self.system_of = system_of
        self.upstream = upstream
        self._points: dict[str, tuple[tuple[int, str], ...]] | None = None

    def carries(self, asset: str) -> tuple[str, ...]:
        """The changed values ``asset`` carries on, having read them whole (only in a :class:`PairTree`)."""
        return ()

    def walk(self, asset: str) -> list[str]:
        """From ``asset`` back to the changed asset it is reached from."""
        steps = [asset]
        toward = self.toward
        while steps[-1] in toward:
            steps.append(toward[steps[-1]])
        return steps

    def crossings(self, asset: str) -> tuple[tuple[int, str], ...]:
        """The key points of ``asset``'s path up to its last tool crossing (see :meth:`key_points`).

        Worked out for ``asset`` and the assets on its path not asked about
        yet, each from its neighbour's, and kept: asking about every reached
        asset costs time linear in what the search reached, asking about a
        few costs only their paths.
        """
        found = self._points
        if found is None:
            found = self._points = {}
        return _crossings(found, asset, self.toward, self.distance, self.system_of, self.big, _itself)

    def key_points(self, asset: str) -> tuple[tuple[int, str], ...]:
        """``(steps from the change, asset)`` for the change, both sides of every tool crossing, and ``asset``.

        At most ``2 * tool distance + 2`` points, read off :meth:`crossings`,
        so folding all paths costs time linear in what the search reached.
        """
        base = self.crossings(asset)
        if base[-1][1] == asset:
            return base
        return (*base, (self.distance[asset] % self.big, asset))


class EndTree(ShortestPathTree):
    """An upstream search's result (:func:`~impact.graph.search.reach_back`): each asset's first step, then a tree.

    ``toward`` and ``distance`` hold each reported asset's first step toward
    the target and its distance; from that step on, paths follow ``carriers``,
    the tree of assets that pass on what they produce all the way.
    """

    __slots__ = ("carriers",)

    def __init__(
        self, carriers: ShortestPathTree, toward: dict[str, str], distance: dict[str, int], notes: dict[str, str]
    ) -> None:
        super().__init__(toward, distance, carriers.big, carriers.system_of, True, notes)
        self.carriers = carriers

    def walk(self, asset: str) -> list[str]:
        nearer = self.toward.get(asset)
        return [asset] if nearer is None else [asset, *self.carriers.walk(nearer)]

    def key_points(self, asset: str) -> tuple[tuple[int, str], ...]:
        nearer = self.toward.get(asset)
        if nearer is None:
            return ((0, asset),)
        steps = self.distance[asset] % self.big
        before = self.carriers.crossings(nearer)
        if self.system_of[nearer] != self.system_of[asset] and before[-1][1] != nearer:
            before += ((steps - 1, nearer),)
        return (*before, (steps, asset))


class PairTree(ShortestPathTree):
    """A value-level search's result (:func:`~impact.graph.values_reach.reach_values`): paths over (asset, state) pairs.

    ``toward``, ``distance`` and ``notes`` hold each asset's nearest pair,
    as in :class:`ShortestPathTree`; a path walks back pair by pair, so an
    asset reached through another asset's farther pair (a flow that tests the
    value, found after the same flow was found reading the value whole) shows
    the path that explains it. ``states``: each asset's nearest pair's
    state where it does not pass on new data (1: it carries the changed values
    on).
    """

    __slots__ = ("_pair_points", "carried", "pair_distance", "pair_toward", "states")

    def __init__(
        self,
        toward: dict[str, str],
        distance: dict[str, int],
        big: int,
        system_of: Mapping[str, str],
        notes: dict[str, str],
        pair_toward: dict[tuple[str, int], tuple[str, int]],
        pair_distance: dict[tuple[str, int], int],
        states: dict[str, int],
    ) -> None:
        super().__init__(toward, distance, big, system_of, False, notes)
        self.pair_toward = pair_toward  # (asset, state) -> the pair one step nearer the change
        self.pair_distance = pair_distance
        self.states = states  # asset -> the state of its nearest pair, where not 0 (passes on new data)
        self.carried: tuple[str, ...] = ()  # the values the change names, sorted
        self._pair_points: dict[tuple[str, int], tuple[tuple[int, str], ...]] = {}

    def carries(self, asset: str) -> tuple[str, ...]:
        return self.carried if self.states.get(asset) == 1 else ()

    def _pair(self, asset: str) -> tuple[str, int]:
        return (asset, self.states.get(asset, 0))

    def walk(self, asset: str) -> list[str]:
        steps = [asset]
        pair = self._pair(asset)
        toward = self.pair_toward
        while pair in toward:
            pair = toward[pair]
            steps.append(pair[0])
        return steps

    def crossings(self, asset: str) -> tuple[tuple[int, str], ...]:
        """As :meth:`ShortestPathTree.crossings`, over pairs."""
        toward, distance = self.pair_toward, self.pair_distance
        return _crossings(self._pair_points, self._pair(asset), toward, distance, self.system_of, self.big, _asset_of)


def _itself(key: str) -> str:
    return key


def _asset_of(pair: tuple[str, int]) -> str:
    return pair[0]


def _crossings(
    found: dict[Any, tuple[tuple[int, str], ...]],
    start: Any,
    toward: Mapping[Any, Any],
    distance: Mapping[Any, int],
    system_of: Mapping[str, str],
    big: int,
    asset_of: Callable[[Any], str],
) -> tuple[tuple[int, str], ...]:
    """The key points of the path to ``start``, a tree's key (an asset, or an (asset, state) pair), kept in ``found``.

    Worked out for ``start`` and the keys on its path not asked about yet,
    each from its neighbour's, so asking about every reached asset costs time
    linear in what the search reached.
    """
    if start in found:
        return found[start]
    chain = [start]  # start, then its path back to the first key already known (or to the change)
    nearer = toward.get(start)
    while nearer is not None and nearer not in found:
        chain.append(nearer)
        nearer = toward.get(nearer)
    for key in reversed(chain):
        nearer = toward.get(key)
        node = asset_of(key)
        if nearer is None:
            found[key] = ((0, node),)
        elif system_of[asset_of(nearer)] != system_of[node]:
            steps = distance[key] % big
            before = found[nearer]
            if before[-1][1] != asset_of(nearer):
                before += ((steps - 1, asset_of(nearer)),)
            found[key] = (*before, (steps, node))
        else:
            found[key] = found[nearer]
    return found[start]
