"""The fields of many assets, read without building an ``Asset`` record for each.

A change that reaches 85,000 assets needs each one's owner, tool, type,
name and critical flag, several times over (risk, stakeholders, release
path, every output format). A cached catalog holds them as columns
(:class:`~impact.store.compact.AssetTable`); building the 85,000 ``Asset``
records from them takes longer (about 0.35 s) than everything else read
from them. :class:`AssetFields` reads the columns directly and gives the
same values an ``Asset`` would; for a catalog held as records (a plain
``dict``), it reads the records.

Examples
--------
>>> from impact.core.catalog import Asset, Catalog
>>> a = Asset("web:/p/", "web", "/p/", "page", "web-team", True, name="Home")
>>> fields = AssetFields(Catalog("c", {}, {}, {a.id: a}, [], {}))
>>> fields.row("web:/p/")
('Home', 'web', 'page', 'web-team', True, (), ())
>>> sorted(fields.critical), fields.systems(["web:/p/"])
(['web:/p/'], ['web'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property

from impact.core.catalog import Catalog
from impact.store.compact import AssetTable

Row = tuple[str | None, str, str, str, bool, tuple[str, ...], tuple[str, ...]]
"""``(name, system, type, owner, critical, consulted, informed)`` of one asset, as its ``Asset`` holds them."""


class AssetFields:
    """Read-only access to the fields of a catalog's assets, one :data:`Row` at a time."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.row: Callable[[str], Row] = self._row_reader()

    def systems(self, aids: Iterable[str]) -> list[str]:
        """The system of each asset, in order (as ``row(aid)[1]``, without the rest of the row)."""
        assets = self.catalog.assets
        if isinstance(assets, AssetTable):
            index, names, system_of = assets.index, assets.cols.systems, assets.cols.system_of
            return [names[system_of[index[aid]]] for aid in aids]
        return [assets[aid].system for aid in aids]

    def _row_reader(self) -> Callable[[str], Row]:
        assets = self.catalog.assets
        if isinstance(assets, AssetTable):
            c = assets.cols
            index, systems, system_of, types, type_of = assets.index, c.systems, c.system_of, c.types, c.type_of
            owners, owner_of, critical, consulted, informed = c.owners, c.owner_of, c.critical, c.consulted, c.informed
            names = c.display_names

            def from_columns(aid: str) -> Row:
                i = index[aid]
                return (
                    names[i] if names is not None else None,
                    systems[system_of[i]],
                    types[type_of[i]],
                    owners[owner_of[i]],
                    critical[i] != 0,
                    consulted[i],
                    informed[i],
                )

            return from_columns

        def from_records(aid: str) -> Row:
            a = assets[aid]
            return (a.name, a.system, a.type, a.owner, a.critical, a.consulted, a.informed)

        return from_records

    @cached_property
    def critical(self) -> frozenset[str]:
        """Ids of the critical assets."""
        assets = self.catalog.assets
        if isinstance(assets, AssetTable):
            return frozenset(assets.critical_ids())
        return frozenset(aid for aid, a in assets.items() if a.critical)
