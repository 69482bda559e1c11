"""Bringing a snapshot up to date after an edit that adds, removes or renames assets in one file.

A snapshot's columns are in id order, so an asset added or removed moves
every asset after it by one position. Rather than assembling the snapshot
again from every file's record (half a second at 100,000 assets, with NumPy
to import), :func:`move_ids` makes room: it removes the file's old assets
and inserts placeholders for its new ones in every column, renumbers every
position (edges, systems, declared dependencies) and drops the edges of
removed assets. :func:`impact.store.patch.patch` then fills the placeholders
and the file's dependencies as for any edit. Renumbering keeps the order of
the assets that stay, so the adjacency stays sorted.

Only assets may change: a team, system or test added, removed or renamed,
or a reference elsewhere to an asset removed, returns False and the caller
assembles the snapshot afresh (which reports any problem through the
loader). ``tests/test_cache_incremental.py`` compares the result with a
fresh build.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right, insort
from itertools import accumulate
from operator import add
from typing import Any

from impact.read.records import FileRecord
from impact.store.patch_dependencies import rekeyed, shifted
from impact.store.snapshot import ints, longs
from impact.store.sorted_ids import SortedIds, starts_of

# Per-asset columns stored as array bytes, and as lists; each gets a value per new asset.
_ARRAY_COLUMNS = ("system_of", "type_of", "owner_of", "file_of", "line", "col")
_LIST_COLUMNS = ("descriptions", "display_names", "extra", "consulted", "informed")


def _frame(record: FileRecord) -> tuple[Any, ...]:
    """What a file defines apart from its assets: its teams, systems and tests, in order."""
    return (
        [t.id for t in record.teams],
        [s.id for s in record.systems],
        [t.id for t in record.tests],
        record.policy is None,
    )


def asset_ids(record: FileRecord) -> list[str]:
    """The file's asset ids, in the order written."""
    return [f"{s.id}:{key}" for s in record.systems for key in s.assets.keys]


def move_ids(data: dict[str, Any], fi: int, old: FileRecord, new: FileRecord) -> bool:
    """Make ``data``'s columns hold file ``fi``'s new asset ids instead of its old ones, in place; False if it cannot.

    New assets get placeholder values (the caller fills them); their
    system and file are set. Edges of removed assets are dropped; the
    file's declared dependencies that name them are renumbered to -1.
    """
    if _frame(old) != _frame(new):
        return False
    old_ids, new_ids = asset_ids(old), asset_ids(new)
    gone, came = set(old_ids) - set(new_ids), sorted(set(new_ids) - set(old_ids))
    column = SortedIds(data["ids"], longs(data["id_starts"]))
    ids = column.split()
    removed = sorted(column.where[a] for a in gone)  # every old id of the file is in the snapshot
    if any(column.where.get(a) is not None for a in came):
        return False  # defined in another file too: the loader reports it
    system_code = {sid: i for i, sid in enumerate(data["systems_t"])}
    system_of = {f"{s.id}:{key}": s.id for s in new.systems for key in s.assets.keys}
    if any(system_of[aid] not in system_code for aid in came):
        return False  # a system of the file that had no asset yet: assembled afresh
    others = data["others"]
    covered = {
        c for row in data["tests"] if others["test:" + row[0]][0] != fi for c in row[2]
    }  # the file's own tests: checked by the caller
    if not gone.isdisjoint(covered):
        return False  # a test of another file covers an asset removed: the loader reports it
    remap = _remap(ids, came, removed)
    # The declared dependencies: a removed asset may appear only in the edited file's own.
    files = ints(data["edge_files"])
    up, down = (
        array("i", map(remap.__getitem__, ints(data["edge_up"]))),
        array("i", map(remap.__getitem__, ints(data["edge_down"]))),
    )
    start, end = files[fi], files[fi + 1]
    if removed and (-1 in up[:start] or -1 in up[end:] or -1 in down[:start] or -1 in down[end:]):
        return False  # another file depends on an asset removed: the loader reports it
    data["edge_up"], data["edge_down"] = up.tobytes(), down.tobytes()
    # The new ids, and where the file's new assets stand among them.
    for r in reversed(removed):
        del ids[r]
    for aid in came:
        insort(ids, aid)
    at = SortedIds.of(ids).where
    places = [at[aid] for aid in came]  # ascending, as came is sorted
    _move_edges(data, remap, removed, places)
    # Every system's assets, renumbered; the edited file's systems in their new order.
    own = {s.id: [at[f"{s.id}:{key}"] for key in s.assets.keys] for s in new.systems}
    data["systems"] = [
        (*row[:-1], array("i", own[row[0]] if row[0] in own else map(remap.__getitem__, ints(row[-1]))).tobytes())
        for row in data["systems"]
    ]
    _move_columns(data, fi, removed, places, [system_code[system_of[aid]] for aid in came])
    data["ids"], data["id_starts"] = "\0".join(ids), starts_of(ids).tobytes()
    return True


def _remap(ids: list[str], came: list[str], removed: list[int]) -> array[int]:
    """Old position p -> new position: p, less the assets removed before it, plus those added before it (-1: removed).

    ``ids`` are the old ids, ``came`` the new ones (sorted), ``removed`` the old positions going.
    """
    n = len(ids)
    deltas = [0] * (n + 1)
    for aid in came:
        deltas[bisect_left(ids, aid)] += 1
    for r in removed:
        deltas[r + 1] -= 1
    remap = array("i", map(add, range(n), accumulate(deltas[:n])))
    for r in removed:
        remap[r] = -1
    return remap


def _move_columns(data: dict[str, Any], fi: int, removed: list[int], places: list[int], systems: list[int]) -> None:
    """The per-asset columns: removed assets taken out, placeholders put in for the new ones.

    A new asset at ``places[i]`` is of the system numbered ``systems[i]``, in file ``fi``.
    """
    for key in _ARRAY_COLUMNS:
        values = ints(data[key])
        for r in reversed(removed):
            del values[r]
        for q, system in zip(places, systems):
            values.insert(q, fi if key == "file_of" else system if key == "system_of" else 0)
        data[key] = values.tobytes()
    critical = bytearray(data["critical"])
    for r in reversed(removed):
        del critical[r]
    for q in places:
        critical.insert(q, 0)
    data["critical"] = bytes(critical)
    for key in _LIST_COLUMNS:
        values = data[key]
        for r in reversed(removed):
            del values[r]
        for q in places:
            values.insert(q, None if key in ("descriptions", "display_names") else ())


def _move_edges(data: dict[str, Any], remap: array[int], removed: list[int], places: list[int]) -> None:
    """Renumber the adjacency: drop removed assets' rows and the edges into them, add empty rows at ``places``."""
    offsets, targets = ints(data["offsets"]), ints(data["targets"])
    # Edges to drop: every edge out of a removed asset, every edge into one.
    dropped: set[int] = set()
    for r in removed:
        dropped.update(range(offsets[r], offsets[r + 1]))
        q = 0
        while True:
            try:
                q = targets.index(r, q)
            except ValueError:
                break
            dropped.add(q)
            q += 1
    row_delta: dict[int, int] = {}
    for e in sorted(dropped, reverse=True):
        row = bisect_right(offsets, e) - 1
        row_delta[row] = row_delta.get(row, 0) - 1
        del targets[e]
    if dropped:
        gone = [(e, -1) for e in sorted(dropped)]
        data["notes"] = rekeyed({k: v for k, v in data["notes"].items() if k not in dropped}, list(gone))
        data["uses"] = rekeyed({k: v for k, v in data["uses"].items() if k not in dropped}, list(gone))
    offsets = shifted(offsets, row_delta)
    # Rows: a removed asset's (empty now) goes, a new asset's comes in, empty, at its place.
    for r in reversed(removed):
        del offsets[r]
    for q in places:
        offsets.insert(q, offsets[q])
    data["offsets"] = offsets.tobytes()
    data["targets"] = array("i", map(remap.__getitem__, targets)).tobytes()
