"""A whole catalog in columns, as the cache keeps it per catalog folder.

A snapshot is keyed by the list of (file, digest) of the catalog's files and
holds the merged catalog as columns (one list of ids, arrays of small
integers into tables of strings, see :mod:`impact.store.compact`) and its
warnings. :mod:`impact.store.snapshot_build` builds it (from the files' records, or
from a merged catalog); :func:`decode` turns it into a :class:`~impact.core.catalog.Catalog` whose
assets, places and dependencies are read-only views over the columns.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from impact.core.catalog import Catalog, RegressionTest, System, Team
from impact.core.errors import Problem, display_path
from impact.core.policy import Policy
from impact.store.compact import AssetColumns, AssetTable, EdgeList, Locate, PlaceTable
from impact.store.sorted_ids import SortedIds

if TYPE_CHECKING:
    pass



EDGE_KEYS = ("edge_up", "edge_down", "edge_files", "edge_noted", "edge_used")
"""The snapshot's columns that only a patch reads (:mod:`impact.store.patch`): each file's dependencies as declared.

Stored in a cache entry of their own beside the snapshot, under the same
key, so that a warm run never unpacks them.
"""


def ints(raw: bytes) -> array[int]:
    out = array("i")
    out.frombytes(raw)
    return out


def longs(raw: bytes) -> array[int]:
    out = array("q")
    out.frombytes(raw)
    return out


class IdsAt(Sequence[str]):
    """A system's asset ids, as positions in the catalog's ids until first read (a tuple then).

    Equal to the tuple it stands for; at 1,000,000 assets, making every
    system's tuple of ids took a tenth of a second of every check.
    """

    __slots__ = ("_ids", "_positions", "_tuple")

    def __init__(self, ids: Sequence[str], positions: bytes) -> None:
        self._ids = ids
        self._positions: bytes | None = positions
        self._tuple: tuple[str, ...] = ()

    def _made(self) -> tuple[str, ...]:
        if self._positions is not None:
            self._tuple, self._positions = tuple(map(self._ids.__getitem__, ints(self._positions))), None
        return self._tuple

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        return self._made()[i]

    def __len__(self) -> int:
        return len(self._made())

    def __iter__(self) -> Iterator[str]:
        return iter(self._made())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (IdsAt, tuple)):
            return self._made() == (other._made() if isinstance(other, IdsAt) else other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._made())

    def __repr__(self) -> str:
        return repr(self._made())


def _system(row: list[Any], ids: Sequence[str]) -> System:
    """A stored system row: its fields, then the positions of its assets (their ids made when first read)."""
    sid, name, owner, kind, consulted, informed, positions = row
    return System(sid, name, owner, kind, consulted, informed, IdsAt(ids, positions))


def decode(data: dict[str, Any], root: Path, locate: Locate | None = None, names: list[str] | None = None) -> Catalog:
    """The catalog of a snapshot; ``locate`` finds the places it does not hold (line 0); ``names``: its files as shown.
    """
    if names is None:
        names = [display_path(root / rel) for rel in data["files"]]
    ids = SortedIds(data["ids"], longs(data["id_starts"]))
    cols = AssetColumns(
        ids, data["systems_t"], ints(data["system_of"]), data["types_t"], ints(data["type_of"]),
        data["owners_t"], ints(data["owner_of"]), data["critical"], data["descriptions"],
        data["consulted"], data["informed"], names, ints(data["file_of"]), ints(data["line"]), ints(data["col"]),
        locate, data["display_names"], data["extra"],
    )  # fmt: skip
    assets = AssetTable(cols)
    others = data["others"]  # (file, line, col) tuples, completed in place as places are found
    order = partial(definition_order, others, data["systems"], ids)  # worked out by PlaceTable when first iterated
    policy = data["policy"]
    return Catalog(
        root=display_path(root),
        teams={row[0]: Team(*row) for row in data["teams"]},
        systems={row[0]: _system(row, ids) for row in data["systems"]},
        assets=assets,  # builds an Asset when first asked
        dependencies=EdgeList(
            ids,
            ints(data["offsets"]),
            ints(data["targets"]),
            data["notes"],
            {pos: frozenset(u) for pos, u in data["uses"].items()},
        ),
        tests={row[0]: RegressionTest(*row) for row in data["tests"]},
        policy=Policy(policy[0]) if policy is not None else None,
        places=PlaceTable(assets, others, order),
    )


def found_places(catalog: Catalog) -> dict[str, Any]:
    """The places a decoded catalog has found since it was read (line 0 before), as the snapshot stores them."""
    assets, places = catalog.assets, catalog.places
    assert isinstance(assets, AssetTable) and isinstance(places, PlaceTable), "a catalog made by decode()"
    cols = assets.cols
    return {"line": array("i", cols.line).tobytes(), "col": array("i", cols.col).tobytes(), "others": places.others}


def definition_order(others: dict[str, Any], systems: list[tuple[Any, ...]], ids: Sequence[str]) -> list[str]:
    """Every definition's key (``'team:web'``, ``'asset:web:/x/'``...) in the order the catalog's files give them.

    Not stored: ``others`` (teams, systems, tests) is kept in that order, and
    a system's assets follow its key, in the order of its stored positions
    (35 MB at 1,000,000 assets that every warm run read, and only
    ``impact validate`` iterates).
    """
    assets_of = {row[0]: row[-1] for row in systems}
    order: list[str] = []
    for key in others:
        order.append(key)
        if key.startswith("system:"):
            order += ["asset:" + ids[i] for i in ints(assets_of[key[7:]])]
    return order


def warning_rows(warnings: list[Problem], names: list[str]) -> list[tuple[Any, ...]]:
    where = {n: i for i, n in enumerate(names)}
    return [(where.get(p.file, p.file), p.line, p.col, p.message, p.severity) for p in warnings]


def warnings_from(rows: list[tuple[Any, ...]], names: list[str]) -> list[Problem]:
    return [Problem(names[f] if isinstance(f, int) else f, line, col, msg, sev) for f, line, col, msg, sev in rows]


def slot_row(obj: Any) -> tuple[Any, ...]:
    return tuple(obj.__getattribute__(f) for f in type(obj).__slots__)
