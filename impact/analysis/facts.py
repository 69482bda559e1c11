"""The fields of many assets, read without building an ``Asset`` record for each.

A change that reaches 85,000 assets needs each one's owner, tool, type,
name and critical flag, several times over (risk, stakeholders, release
path, every output format). A cached catalog holds them as columns
(:class:`~impact.store.compact.AssetTable`); building the 85,000 ``Asset``
records from them takes longer (about 0.35 s) than everything else read
from them. :class:`AssetFields` reads the columns directly and gives the
same values an ``Asset`` would, and reads nothing else (not every id: a
check at 1,000,000 assets reads only what it reached); for a catalog held
as records (a plain ``dict``), it reads the records.

Examples
--------
>>> from impact.core.catalog import Asset, Catalog
>>> a = Asset("web:/p/", "web", "/p/", "page", "web-team", True, name="Home")
>>> fields = AssetFields(Catalog("c", {}, {}, {a.id: a}, [], {}))
>>> fields.row("web:/p/")
('Home', 'web', 'page', 'web-team', True, (), ())
>>> fields.is_critical("web:/p/"), fields.is_critical("web:/nowhere/"), fields.systems(["web:/p/"])
(True, False, ['web'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from impact.core.catalog import Catalog
from impact.graph.depgraph import DependencyGraph, Reach
from impact.store.compact import AssetTable

Row = tuple[str | None, str, str, str, bool, tuple[str, ...], tuple[str, ...]]
"""``(name, system, type, owner, critical, consulted, informed)`` of one asset, as its ``Asset`` holds them."""


class AssetFields:
    """Read-only access to the fields of a catalog's assets, one :data:`Row` at a time.

    Over columns, an asset is found by its position; positions a search
    already knows (:meth:`learn`) are kept in a plain ``dict``, so that the
    85,000 assets of a big answer are not each looked up again in the
    catalog's id index.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._at: dict[str, int] = {}  # asset id -> its position in the columns, where a search gave it
        self.row: Callable[[str], Row]
        self.is_critical: Callable[[str], bool]
        assets = catalog.assets
        if isinstance(assets, AssetTable):
            self.row, self.is_critical = self._column_readers(assets)
        else:
            self.row, self.is_critical = self._record_readers()

    def learn(self, graph: DependencyGraph, reaches: Iterable[Reach]) -> None:
        """Keep the positions of ``reaches`` (a search of ``graph``, over this catalog)."""
        if graph.catalog.assets is self.catalog.assets and graph.numbers_columns:
            self._at.update((r.asset, r.position) for r in reaches if r.position >= 0)

    def systems(self, aids: Iterable[str]) -> list[str]:
        """The system of each asset, in order (as ``row(aid)[1]``, without the rest of the row)."""
        assets = self.catalog.assets
        if isinstance(assets, AssetTable):
            at, index, names, system_of = self._at, assets.index, assets.cols.systems, assets.cols.system_of
            return [names[system_of[i if (i := at.get(aid)) is not None else index[aid]]] for aid in aids]
        return [assets[aid].system for aid in aids]

    def columns(self, aids: Sequence[str]) -> tuple[list[str | None], list[str], list[str], list[str], list[bool]]:
        """``(names, systems, types, owners, critical)`` of these assets, each a list in their order (as :meth:`row` gives them)."""
        assets = self.catalog.assets
        if not isinstance(assets, AssetTable):
            rows = [self.row(aid) for aid in aids]
            return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows], [r[4] for r in rows]
        c, at, index = assets.cols, self._at, assets.index
        where = [i if (i := at.get(aid)) is not None else index[aid] for aid in aids]
        names = c.display_names
        systems, system_of, types, type_of, owners, owner_of, critical = c.systems, c.system_of, c.types, c.type_of, c.owners, c.owner_of, c.critical
        return (
            [names[i] for i in where] if names is not None else [None] * len(where),
            [systems[system_of[i]] for i in where],
            [types[type_of[i]] for i in where],
            [owners[owner_of[i]] for i in where],
            [critical[i] != 0 for i in where],
        )

    def _column_readers(self, assets: AssetTable) -> tuple[Callable[[str], Row], Callable[[str], bool]]:
        c = assets.cols
        at, index, systems, system_of, types, type_of = self._at, assets.index, c.systems, c.system_of, c.types, c.type_of
        owners, owner_of, critical, consulted, informed = c.owners, c.owner_of, c.critical, c.consulted, c.informed
        names = c.display_names

        def row(aid: str) -> Row:
            i = at.get(aid)
            if i is None:
                i = index[aid]  # KeyError for an unknown id, as the catalog gives
            return (
                names[i] if names is not None else None,
                systems[system_of[i]],
                types[type_of[i]],
                owners[owner_of[i]],
                critical[i] != 0,
                consulted[i],
                informed[i],
            )

        def is_critical(aid: str) -> bool:
            i = at.get(aid)
            if i is None:
                i = index.get(aid)
            return i is not None and critical[i] != 0

        return row, is_critical

    def _record_readers(self) -> tuple[Callable[[str], Row], Callable[[str], bool]]:
        assets = self.catalog.assets

        def row(aid: str) -> Row:
            a = assets[aid]
            return (a.name, a.system, a.type, a.owner, a.critical, a.consulted, a.informed)

        def is_critical(aid: str) -> bool:
            a = assets.get(aid)
            return a is not None and bool(a.critical)

        return row, is_critical
