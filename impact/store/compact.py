"""Read-only views over a catalog stored in columns, built on demand.

A cached catalog of 100,000 assets and 300,000 dependencies would take
longer to turn back into objects (one ``Asset`` and one ``Place`` each) than
``impact check`` is allowed to take in all. Stored as columns (one list of ids,
arrays of small integers into tables of strings), it loads in milliseconds;
:class:`AssetTable` implements :class:`~impact.core.catalog.AssetSource`
over them (the dependencies are :class:`~impact.core.catalog.EdgeList`
already) and builds a record only when someone asks for it. A check that
reaches 500 assets builds about 500 ``Asset``\\ s.

Examples
--------
>>> cols = AssetColumns(["crm:f", "web:p"], ["crm", "web"], [0, 1], ["field", "folder"], [0, 1],
...                     ["ops", "web"], [0, 1], b"\\x00\\x01", [None, "Home"], [(), ()], [(), ()],
...                     ["a.yaml"], [0, 0], [3, 9], [5, 5])
>>> assets = AssetTable(cols)
>>> assets["web:p"].critical, assets["web:p"].owner, list(assets)
(True, 'web', ['crm:f', 'web:p'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableSequence, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any

from impact.core.catalog import Asset, Columns, EdgeList, Place, Row, edge_list_from
from impact.store.sorted_ids import SortedIds

__all__ = ["AssetColumns", "AssetTable", "EdgeList", "Locate", "PlaceTable", "edge_list_from", "prefetch_places"]


@dataclass(frozen=True, slots=True)
class AssetColumns:
    """Every asset of a catalog, one position per asset, ids sorted."""

    ids: Sequence[str]
    """Sorted; a snapshot's is an :class:`~impact.store.sorted_ids.SortedIds`."""
    systems: list[str]
    system_of: Sequence[int]
    types: list[str]
    type_of: Sequence[int]
    owners: list[str]
    owner_of: Sequence[int]
    critical: bytes
    descriptions: list[str | None]
    consulted: list[tuple[str, ...]]
    informed: list[tuple[str, ...]]
    files: list[str]
    file_of: Sequence[int]
    line: MutableSequence[int]
    col: MutableSequence[int]
    locate: Locate | None = None
    """Finds a place not known yet (line 0): see :data:`Locate`."""
    display_names: list[str | None] | None = None
    """Each asset's ``name:`` (the name people know it by), or None."""
    extra: Sequence[tuple[Any, ...]] | None = None
    """Each asset's ``(field, value)`` of the extra fields (``impact.read.records.extra_asset_fields``):
    ``Asset.extra``.
    """


Locate = Callable[[int, str], tuple[int, int]]
"""``(file index, 'asset:<id>')`` → ``(line, col)``: where a definition stands.

A file read by the fast parser (:mod:`impact.read.fastyaml`) records no
places (line 0); only an error or a warning needs one, and it is found by
reading that file precisely when first asked, then kept.
"""


class AssetTable(Mapping[str, Asset]):
    """``asset id → Asset``, in id order, each ``Asset`` built when first read: an
    :class:`~impact.core.catalog.AssetSource`.
    """

    def __init__(self, cols: AssetColumns) -> None:
        self.cols = cols
        ids = cols.ids
        # A snapshot's ids find their positions by binary search (no dict of every id).
        self.index: Mapping[str, int] = ids.where if isinstance(ids, SortedIds) else dict(zip(ids, range(len(ids))))
        self._built: dict[str, Asset] = {}

    def __getitem__(self, aid: str) -> Asset:
        found = self._built.get(aid)
        if found is not None:
            return found
        i = self.index[aid]  # KeyError for an unknown id, as a dict would
        c = self.cols
        system = c.systems[c.system_of[i]]
        asset = Asset(
            aid,
            system,
            aid[len(system) + 1 :],
            c.types[c.type_of[i]],
            c.owners[c.owner_of[i]],
            bool(c.critical[i]),
            c.descriptions[i],
            c.consulted[i],
            c.informed[i],
            c.display_names[i] if c.display_names is not None else None,
            c.extra[i] if c.extra is not None else (),
        )
        self._built[aid] = asset
        return asset

    def __contains__(self, aid: object) -> bool:
        return aid in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.cols.ids)

    def __len__(self) -> int:
        return len(self.cols.ids)

    @property
    def ids(self) -> Sequence[str]:
        return self.cols.ids

    @property
    def system_numbers(self) -> Sequence[int]:
        return self.cols.system_of

    def readers(self) -> tuple[Callable[[int], Row], Callable[[int], bool], Callable[[int], str]]:
        """Functions of a position: its row, whether it is critical, its system (read from the columns)."""
        c = self.cols
        systems, system_of, types, type_of = c.systems, c.system_of, c.types, c.type_of
        owners, owner_of, critical, consulted, informed = c.owners, c.owner_of, c.critical, c.consulted, c.informed
        names = c.display_names

        def row(i: int) -> Row:
            return (
                names[i] if names is not None else None,
                systems[system_of[i]],
                types[type_of[i]],
                owners[owner_of[i]],
                critical[i] != 0,
                consulted[i],
                informed[i],
            )

        return row, lambda i: critical[i] != 0, lambda i: systems[system_of[i]]

    def columns(self, where: Sequence[int]) -> Columns:
        c = self.cols
        names = c.display_names
        systems, system_of, types, type_of, owners, owner_of, critical = (
            c.systems,
            c.system_of,
            c.types,
            c.type_of,
            c.owners,
            c.owner_of,
            c.critical,
        )
        return (
            [names[i] for i in where] if names is not None else [None] * len(where),
            [systems[system_of[i]] for i in where],
            [types[type_of[i]] for i in where],
            [owners[owner_of[i]] for i in where],
            [critical[i] != 0 for i in where],
        )

    def critical_ids(self) -> list[str]:
        """Ids of the critical assets, in id order, without building the assets."""
        ids = self.cols.ids
        return [ids[i] for i in compress(range(len(ids)), self.cols.critical)]

    def system_of(self, aid: str) -> str:
        """The system of an asset without building the ``Asset``."""
        return self.cols.systems[self.cols.system_of[self.index[aid]]]

    def place_of(self, aid: str) -> Place:
        i = self.index[aid]
        c = self.cols
        if c.line[i] == 0 and c.locate is not None:
            c.line[i], c.col[i] = c.locate(c.file_of[i], "asset:" + aid)
        return Place(c.files[c.file_of[i]], c.line[i], c.col[i])


class PlaceTable(Mapping[str, Place]):
    """``'<kind>:<id>' → Place``: assets from the columns, the few others from a dict.

    Iterates in the order the loader met the definitions, like the dict it stands for.
    ``others`` holds ``(file index, line, col)``; a line of 0 is found when
    first read, as for assets (see :data:`Locate`).
    """

    def __init__(
        self, assets: AssetTable, others: dict[str, tuple[int, int, int]], order: list[str] | Callable[[], list[str]]
    ) -> None:
        self.assets = assets
        self.others = others
        self._order = order  # or how to work it out, when first needed (a check never iterates)

    @property
    def order(self) -> list[str]:
        if callable(self._order):
            self._order = self._order()
        return self._order

    def __getitem__(self, key: str) -> Place:
        if key.startswith("asset:"):
            aid = key[6:]
            if aid in self.assets.index:
                return self.assets.place_of(aid)
        return self._other(key)

    def _other(self, key: str) -> Place:
        fi, line, col = self.others[key]
        locate = self.assets.cols.locate
        if line == 0 and locate is not None:
            line, col = locate(fi, key)
            self.others[key] = (fi, line, col)
        return Place(self.assets.cols.files[fi], line, col)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str) and key.startswith("asset:") and key[6:] in self.assets.index:
            return True
        return key in self.others

    def __iter__(self) -> Iterator[str]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)

    def prefetch(self, keys: Iterable[str]) -> None:
        """Find the places of these definitions at once, if not known yet (see :data:`Locate`)."""
        cols = self.assets.cols
        prefetch = getattr(cols.locate, "prefetch", None)
        if prefetch is None:
            return
        files = set()
        for key in keys:
            i = self.assets.index.get(key[6:]) if key.startswith("asset:") else None
            if i is not None:
                if cols.line[i] == 0:
                    files.add(cols.file_of[i])
            elif key in self.others and self.others[key][1] == 0:
                files.add(self.others[key][0])
        if files:
            prefetch(files)

    def items(self) -> Iterator[tuple[str, Place]]:  # type: ignore[override]
        """Like ``dict.items()``, in definition order (a one-pass iterator; faster than the mixin's view)."""
        index, cols = self.assets.index, self.assets.cols
        files, file_of, line, col = cols.files, cols.file_of, cols.line, cols.col
        for key in self.order:
            i = index.get(key[6:]) if key.startswith("asset:") else None
            if i is None:
                yield key, self._other(key)
            elif line[i] == 0 and cols.locate is not None:
                yield key, self.assets.place_of(key[6:])
            else:
                yield key, Place(files[file_of[i]], line[i], col[i])


def prefetch_places(places: Mapping[str, object], keys: Iterable[str]) -> None:
    """Find at once the places of definitions about to be shown (a no-op for a plain dict)."""
    prefetch = getattr(places, "prefetch", None)
    if prefetch is not None:
        prefetch(keys)
