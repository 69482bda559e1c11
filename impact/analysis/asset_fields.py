"""The fields of many assets, read without building an ``Asset`` record for each.

A change that reaches 85,000 assets needs each one's owner, tool, type,
name and critical flag, several times over (risk, stakeholders, release
path, every output format). A cached catalog holds them as columns;
building the 85,000 ``Asset`` records from them takes longer (about 0.35 s)
than everything else read from them. :class:`AssetFields` reads them by
position through the catalog's bulk readers
(:meth:`~impact.core.catalog.AssetSource.readers`), the same for either
representation, and reads nothing else (not every id: a check at 1,000,000
assets reads only what it reached).

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

from collections.abc import Iterable, Sequence

from impact.core.catalog import Catalog, Columns, Row
from impact.graph.depgraph import DependencyGraph, Reach

__all__ = ["AssetFields", "Row"]


class AssetFields:
    """Read-only access to the fields of a catalog's assets, one :data:`Row` at a time.

    An asset is found by its position; positions a search already knows
    (:meth:`learn`) are kept in a plain ``dict``, so that the 85,000 assets
    of a big answer are not each looked up again in the catalog's id index.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._at: dict[str, int] = {}  # asset id -> its position, where a search gave it
        self._index = catalog.assets.index
        self._row, self._critical, self._system = catalog.assets.readers()

    def learn(self, graph: DependencyGraph, reaches: Iterable[Reach]) -> None:
        """Keep the positions of ``reaches`` (a search of ``graph``, over this catalog)."""
        if graph.catalog.assets is self.catalog.assets:
            self._at.update((r.asset, r.position) for r in reaches if r.position >= 0)

    def _where(self, aids: Iterable[str]) -> list[int]:
        at, index = self._at, self._index
        return [i if (i := at.get(aid)) is not None else index[aid] for aid in aids]

    def row(self, aid: str) -> Row:
        """The :data:`Row` of an asset (``KeyError`` for an unknown id, as the catalog gives)."""
        i = self._at.get(aid)
        return self._row(self._index[aid] if i is None else i)

    def is_critical(self, aid: str) -> bool:
        """Whether an asset is critical (False for an unknown id)."""
        i = self._at.get(aid)
        if i is None:
            i = self._index.get(aid)
        return i is not None and self._critical(i)

    def systems(self, aids: Iterable[str]) -> list[str]:
        """The system of each asset, in order (as ``row(aid)[1]``, without the rest of the row)."""
        system = self._system
        return [system(i) for i in self._where(aids)]

    def columns(self, aids: Sequence[str]) -> Columns:
        """``(names, systems, types, owners, critical)`` of these assets, each a list in their order (as :meth:`row`
        gives them).
        """
        return self.catalog.assets.columns(self._where(aids))
