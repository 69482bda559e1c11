"""The merged, checked catalog: plain immutable records, ready for the graph layer.

A catalog's assets and dependencies come in two representations: plain
records in memory (a ``dict`` of :class:`Asset` and a ``list`` of
:class:`Dependency`, as a test or an importer builds them) and the cache's
read-only columns (:mod:`impact.store.compact`), which build a record only
when asked. Both implement one read-only interface, :class:`AssetSource` and
:class:`DependencySource`; everything above ``store/`` reads that interface
and never asks which one it got. :class:`Catalog` wraps a plain ``dict`` or
``list`` it is given in :class:`AssetDict` / :class:`DependencyList`.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol, overload

from impact.core.errors import Problem
from impact.core.policy import Policy


@dataclass(frozen=True, slots=True)
class Place:
    """Where something is defined, for messages."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    email: str | None = None
    slack: str | None = None
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class System:
    id: str
    name: str
    owner: str
    kind: str | None = None
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    assets: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Asset:
    id: str
    system: str
    key: str
    type: str
    owner: str
    critical: bool = False
    description: str | None = None
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    name: str | None = None
    """The name people know it by (display name), shown beside the id."""
    extra: tuple[tuple[str, Any], ...] = ()
    """``(field, value)`` of the fields declared on the catalog's asset model beyond the ones above (see
    ``impact.read.records.extra_asset_fields``), as written; a field not given is left out."""

    def field(self, name: str) -> Any:
        """The value of an extra field (see :attr:`extra`), or None if the asset does not give it."""
        return next((value for key, value in self.extra if key == name), None)


@dataclass(frozen=True, slots=True)
class Dependency:
    """``downstream`` depends on ``upstream``: a change upstream can break downstream."""

    upstream: str
    downstream: str
    note: str | None = None
    uses: frozenset[str] | None = None
    """What ``downstream`` uses of ``upstream`` (aspects); None: every aspect."""


@dataclass(frozen=True, slots=True)
class RegressionTest:
    id: str
    name: str
    covers: tuple[str, ...]
    owner: str | None = None
    kind: str | None = None
    steps: tuple[str, ...] = ()
    run: str | None = None
    minutes: int | None = None


Row = tuple[str | None, str, str, str, bool, tuple[str, ...], tuple[str, ...]]
"""``(name, system, type, owner, critical, consulted, informed)`` of one asset, as its ``Asset`` holds them."""

Columns = tuple[list[str | None], list[str], list[str], list[str], list[bool]]
"""``(names, systems, types, owners, critical)`` of some assets, each a list in their order."""


class AssetSource(Protocol):
    """Read-only: a catalog's assets by id, their ids in order, and the few bulk columns analysis reads.

    An asset's *position* is its index in :attr:`ids` (every id, sorted): the
    graph numbers assets by it, and the bulk readers take it, so that a big
    answer reads its 85,000 assets' fields without building an ``Asset``
    each. Implemented by :class:`AssetDict` (records in memory) and
    :class:`impact.store.compact.AssetTable` (the cache's columns).
    """

    def __getitem__(self, aid: str, /) -> Asset: ...
    def __contains__(self, aid: object, /) -> bool: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...
    def get(self, aid: str, /) -> Asset | None: ...
    def keys(self) -> KeysView[str]: ...
    def values(self) -> ValuesView[Asset]: ...
    def items(self) -> ItemsView[str, Asset]: ...

    @property
    def ids(self) -> Sequence[str]:
        """Every asset id, sorted: an asset's position is its index here."""

    @property
    def index(self) -> Mapping[str, int]:
        """Asset id → its position."""

    @property
    def system_numbers(self) -> Sequence[int]:
        """A number per position, the same for the assets of one system (the graph's tool-distance rule reads it)."""

    def system_of(self, aid: str) -> str:
        """The system of an asset (without building the ``Asset`` where the catalog can)."""

    def critical_ids(self) -> list[str]:
        """Ids of the critical assets, in id order."""

    def readers(self) -> tuple[Callable[[int], Row], Callable[[int], bool], Callable[[int], str]]:
        """Functions of a position: its :data:`Row`, whether it is critical, its system."""

    def columns(self, where: Sequence[int]) -> Columns:
        """The :data:`Columns` of the assets at these positions."""


class DependencySource(Protocol):
    """Read-only: a catalog's dependencies, one by one or as adjacency over the assets' positions.

    Implemented by :class:`DependencyList` (records in memory) and
    :class:`EdgeList` (the cache's own adjacency).
    """

    def __iter__(self) -> Iterator[Dependency]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, pos: int, /) -> Dependency: ...

    def adjacency(self, assets: AssetSource) -> EdgeList:
        """The dependencies between ``assets`` as adjacency over their positions."""


class AssetDict(dict[str, Asset]):
    """A catalog's assets held as records in memory: an :class:`AssetSource` over a plain ``dict``.

    Read-only once given to a :class:`Catalog`: positions are worked out when first asked.

    >>> assets = AssetDict({a: Asset(a, a.split(":")[0], a.split(":")[1], "page", "web", a == "web:b")
    ...                     for a in ["web:b", "crm:a"]})
    >>> list(assets.ids), assets.critical_ids(), assets.columns([1])
    (['crm:a', 'web:b'], ['web:b'], ([None], ['web'], ['page'], ['web'], [True]))
    """

    @cached_property
    def ids(self) -> list[str]:
        return sorted(self)

    @cached_property
    def index(self) -> dict[str, int]:
        return dict(zip(self.ids, range(len(self.ids))))

    @cached_property
    def _at(self) -> list[Asset]:
        return [self[aid] for aid in self.ids]

    @cached_property
    def system_numbers(self) -> list[int]:
        numbers: dict[str, int] = {}
        return [numbers.setdefault(a.system, len(numbers)) for a in self._at]

    def system_of(self, aid: str) -> str:
        return self[aid].system

    def critical_ids(self) -> list[str]:
        return [a.id for a in self._at if a.critical]

    def readers(self) -> tuple[Callable[[int], Row], Callable[[int], bool], Callable[[int], str]]:
        at = self._at

        def row(i: int) -> Row:
            a = at[i]
            return (a.name, a.system, a.type, a.owner, a.critical, a.consulted, a.informed)

        return row, lambda i: bool(at[i].critical), lambda i: at[i].system

    def columns(self, where: Sequence[int]) -> Columns:
        found = [self._at[i] for i in where]
        return (
            [a.name for a in found],
            [a.system for a in found],
            [a.type for a in found],
            [a.owner for a in found],
            [bool(a.critical) for a in found],
        )


class DependencyList(list[Dependency]):
    """A catalog's dependencies held as records in memory: a :class:`DependencySource` over a plain ``list``."""

    def adjacency(self, assets: AssetSource) -> EdgeList:
        kept: tuple[Sequence[str], EdgeList] | None = self.__dict__.get("_adjacency")
        if kept is None or kept[0] is not assets.ids:
            kept = (assets.ids, adjacency_of(self, assets))
            self.__dict__["_adjacency"] = kept
        return kept[1]


def adjacency_of(dependencies: Iterable[Dependency], assets: AssetSource) -> EdgeList:
    """``dependencies`` between ``assets`` as an :class:`EdgeList` over their positions."""
    index = assets.index
    pairs = {(d.upstream, d.downstream): d.note for d in dependencies if d.upstream in index and d.downstream in index}
    uses = {
        (d.upstream, d.downstream): d.uses
        for d in dependencies
        if d.uses is not None and (d.upstream, d.downstream) in pairs
    }
    return edge_list_from(assets.ids, pairs, uses)


class EdgeList(Sequence[Dependency]):
    """The dependencies sorted by (upstream, downstream), stored as adjacency.

    ``offsets[i]:offsets[i + 1]`` are the positions of the edges out of asset
    ``ids[i]``; ``targets`` holds their downstream asset positions, ascending
    (so by id); ``notes`` maps an edge position to its note; ``uses`` maps
    the position of an edge that says what it uses to those aspects (an edge
    without an entry uses every aspect).
    """

    def __init__(
        self,
        ids: Sequence[str],
        offsets: Sequence[int],
        targets: Sequence[int],
        notes: dict[int, str],
        uses: dict[int, frozenset[str]] | None = None,
    ) -> None:
        self.ids = ids
        self.offsets = offsets
        self.targets = targets
        self.notes = notes
        self.uses: dict[int, frozenset[str]] = uses or {}
        self._index: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.targets)

    @overload
    def __getitem__(self, pos: int) -> Dependency: ...
    @overload
    def __getitem__(self, pos: slice) -> list[Dependency]: ...
    def __getitem__(self, pos: int | slice) -> Dependency | list[Dependency]:
        if isinstance(pos, slice):
            return [self[i] for i in range(*pos.indices(len(self)))]
        if pos < 0:
            pos += len(self)
        if not 0 <= pos < len(self):
            raise IndexError(pos)
        up = bisect_right(self.offsets, pos) - 1
        return Dependency(self.ids[up], self.ids[self.targets[pos]], self.notes.get(pos), self.uses.get(pos))

    def __eq__(self, other: object) -> bool:
        # Equal to the list of the same dependencies, as the list it stands for would be.
        if isinstance(other, (EdgeList, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like a list

    def __iter__(self) -> Iterator[Dependency]:
        ids, targets, offsets, notes, uses = self.ids, self.targets, self.offsets, self.notes, self.uses
        for i, up in enumerate(ids):
            for pos in range(offsets[i], offsets[i + 1]):
                yield Dependency(up, ids[targets[pos]], notes.get(pos), uses.get(pos))

    def adjacency(self, assets: AssetSource) -> EdgeList:
        """Itself when over these assets' ids (a cached catalog's are the same object), else made again."""
        return self if self.ids is assets.ids else adjacency_of(self, assets)

    def successors(self, aid_index: int) -> Sequence[int]:
        """Positions of the assets that depend on asset ``aid_index``, ascending."""
        return self.targets[self.offsets[aid_index] : self.offsets[aid_index + 1]]

    def note(self, up: int, down: int) -> tuple[bool, str | None]:
        """Whether the edge exists, and its note."""
        start, end = self.offsets[up], self.offsets[up + 1]
        pos = bisect_left(self.targets, down, start, end)
        if pos < end and self.targets[pos] == down:
            return True, self.notes.get(pos)
        return False, None


def edge_list_from(
    ids: Sequence[str],
    pairs: dict[tuple[str, str], str | None],
    uses: dict[tuple[str, str], frozenset[str]] | None = None,
) -> EdgeList:
    """An :class:`EdgeList` from ``(upstream, downstream) → note`` over sorted ``ids``; ``uses`` for the edges that say.
    """
    index = dict(zip(ids, range(len(ids))))
    by_up: list[list[tuple[int, str | None]]] = [[] for _ in ids]
    for (up, down), note in pairs.items():
        by_up[index[up]].append((index[down], note))
    offsets = array("i", [0])
    targets = array("i")
    notes: dict[int, str] = {}
    used: dict[int, frozenset[str]] = {}
    for up, out in zip(ids, by_up):
        out.sort()
        for target, target_note in out:
            if target_note is not None:
                notes[len(targets)] = target_note
            if uses:
                found = uses.get((up, ids[target]))
                if found is not None:
                    used[len(targets)] = found
            targets.append(target)
        offsets.append(len(targets))
    return EdgeList(ids, offsets, targets, notes, used)


@dataclass
class Catalog:
    """Everything a catalog directory declares, merged and with every reference checked."""

    root: str
    teams: dict[str, Team]
    systems: dict[str, System]
    assets: AssetSource
    """Asset id → :class:`Asset` (a plain ``dict`` given here becomes an :class:`AssetDict`)."""
    dependencies: DependencySource
    """Every dependency (a plain ``list`` given here becomes a :class:`DependencyList`)."""
    tests: dict[str, RegressionTest]
    policy: Policy | None = None
    places: Mapping[str, Place] = field(default_factory=dict)
    """``'asset:<id>'``, ``'team:<id>'``, ``'system:<id>'``, ``'test:<id>'`` → where it is defined."""
    warnings: list[Problem] = field(default_factory=list)
    content_key: str | None = field(default=None, compare=False, repr=False)
    """The digest of the catalog's files as the cache knows them (None when it was read without the cache):
    answers worked out from this catalog may be kept under it."""

    def __post_init__(self) -> None:
        given: Any = self.assets, self.dependencies  # a plain dict / list, as tests and importers write them
        if type(given[0]) is dict:
            self.assets = AssetDict(given[0])
        if type(given[1]) is list:
            self.dependencies = DependencyList(given[1])

    def adjacency(self) -> EdgeList:
        """The dependencies as adjacency over the assets' positions (edges to unknown assets left out)."""
        return self.dependencies.adjacency(self.assets)

    @cached_property
    def tests_by_asset(self) -> dict[str, tuple[str, ...]]:
        """Asset id → ids of the tests that cover it, sorted."""
        index: dict[str, list[str]] = defaultdict(list)
        for test in sorted(self.tests.values(), key=lambda t: t.id):
            for asset in test.covers:
                index[asset].append(test.id)
        return {asset: tuple(ids) for asset, ids in index.items()}
