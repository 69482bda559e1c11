"""Bringing a stored snapshot up to date after an edit that keeps a file's ids."""

from __future__ import annotations

import marshal
from array import array
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from impact.core.catalog import RegressionTest, Team
from impact.core.errors import display_path
from impact.read.records import Edges, FileRecord, read_file_record
from impact.store import cache
from impact.store.cache import code_version
from impact.store.file_records import cached_record, record_by_digest, store_record
from impact.store.freshness import fill
from impact.store.patch_asset_ids import move_ids
from impact.store.patch_dependencies import patch_adjacency
from impact.store.snapshot import EDGE_KEYS, ints, longs, slot_row
from impact.store.snapshot_build import adjacency
from impact.store.sorted_ids import SortedIds

# --- bringing a snapshot up to date after an edit -------------------------------


def _shape(record: FileRecord) -> tuple[Any, ...]:
    """What a file defines: its ids, in order.

    Two records of the same shape give the same ids and the same definition
    order, whatever else differs.
    """
    return (
        [t.id for t in record.teams],
        [(s.id, s.assets.keys) for s in record.systems],
        [t.id for t in record.tests],
        record.policy is None,
    )


def _patch_systems(
    data: dict[str, Any], fi: int, new: FileRecord, index: Mapping[str, int], cols: dict[str, Any], critical: bytearray
) -> set[str]:
    """Write the file's systems and their assets' fields over their positions; the teams they name."""
    systems_pos = {row[0]: i for i, row in enumerate(data["systems"])}
    tables = {k: {v: i for i, v in enumerate(data[k])} for k in ("types_t", "owners_t")}
    team_refs: set[str] = set()

    def code(table: str, value: str) -> int:
        found = tables[table].setdefault(value, len(tables[table]))
        if found == len(data[table]):
            data[table].append(value)
        return found

    for s in new.systems:
        sid, owner, a = s.id, s.owner, s.assets
        team_refs.add(owner)
        team_refs.update(s.consulted, s.informed)
        row = data["systems"][systems_pos[sid]]
        consulted, informed = tuple(dict.fromkeys(s.consulted)), tuple(dict.fromkeys(s.informed))
        data["systems"][systems_pos[sid]] = (sid, s.name, owner, s.kind, consulted, informed, row[-1])
        data["others"][f"system:{sid}"] = (fi, s.line, s.col)
        fields = zip(a.keys, a.types, a.owners, a.critical, a.descriptions, a.names, a.extra, a.consulted, a.informed)
        for (key, atype, aowner, crit, desc, aname, extra, aconsulted, ainformed), aline, acol in zip(
            fields, a.lines, a.cols
        ):
            i = index[f"{sid}:{key}"]
            if aowner:
                team_refs.add(aowner)
            team_refs.update(aconsulted, ainformed)
            cols["type_of"][i] = code("types_t", atype)
            cols["owner_of"][i] = code("owners_t", aowner or owner)
            critical[i] = bool(crit)
            data["descriptions"][i] = desc
            data["display_names"][i] = aname
            data["extra"][i] = extra
            data["consulted"][i] = tuple(dict.fromkeys(aconsulted))
            data["informed"][i] = tuple(dict.fromkeys(ainformed))
            cols["line"][i], cols["col"][i] = aline, acol
    return team_refs


def patch(data: dict[str, Any], fi: int, old: FileRecord, new: FileRecord) -> bool:
    """Replace file ``fi``'s ``old`` record by ``new`` in an encoded snapshot, in place.

    An edit that adds, removes or renames assets first makes room for them
    (:func:`impact.store.patch_asset_ids.move_ids`); teams, systems and tests must
    keep their ids. Dependencies may change: the file's stretch of the
    declared dependencies is replaced and the adjacency patched where
    declarations changed. Anything else (a team, system or test added or
    renamed, a reference to nothing) returns False, and the caller rebuilds
    the snapshot from every record. The result is what :func:`assemble` would give for the
    records, up to the order of the string tables, which no reader sees.
    ``data`` is left half-patched on False: the caller drops it. Warnings are
    dropped, to be computed again.
    """
    moved = _shape(old) != _shape(new)
    if moved and not move_ids(data, fi, old, new):  # assets added, removed or renamed: room made for them first
        return False
    # Positions by binary search over the stored ids: a dict of every id took 0.7 s at 1,000,000 assets.
    index = SortedIds(data["ids"], longs(data["id_starts"])).where
    if (moved or old.edges[1:] != new.edges[1:]) and not _patch_edges(data, fi, index, new.edges):
        return False
    teams_pos = {row[0]: i for i, row in enumerate(data["teams"])}
    tests_pos = {row[0]: i for i, row in enumerate(data["tests"])}
    others = data["others"]
    for team in new.teams:
        data["teams"][teams_pos[team.id]] = slot_row(Team(team.id, team.name, team.email, team.slack, team.members))
        others[f"team:{team.id}"] = (fi, team.line, team.col)
    cols = {k: ints(data[k]) for k in ("type_of", "owner_of", "line", "col")}
    critical = bytearray(data["critical"])
    team_refs = _patch_systems(data, fi, new, index, cols, critical)
    for t in new.tests:
        if not all(c in index for c in t.covers):
            return False
        if t.owner:
            team_refs.add(t.owner)
        data["tests"][tests_pos[t.id]] = slot_row(
            RegressionTest(t.id, t.name, tuple(dict.fromkeys(t.covers)), t.owner, t.kind, t.steps, t.run, t.minutes)
        )
        others[f"test:{t.id}"] = (fi, t.line, t.col)
    if not team_refs.issubset(teams_pos):
        return False
    if new.policy is not None:
        data["policy"] = tuple(new.policy)  # marshal stores no named types
    for k, values in cols.items():
        data[k] = values.tobytes()
    data["critical"] = bytes(critical)
    data["warnings"] = None
    return True


def _patch_edges(data: dict[str, Any], fi: int, index: Mapping[str, int], edges: Edges) -> bool:
    """Put file ``fi``'s new dependencies in the snapshot; False for a reference to nothing or to itself."""
    ups, downs, noted, used = edges.ups, edges.downs, edges.noted, edges.used
    try:
        new_up = array("i", map(index.__getitem__, ups))
        new_down = array("i", map(index.__getitem__, downs))
    except KeyError:
        return False
    all_up, all_down, files = ints(data["edge_up"]), ints(data["edge_down"]), ints(data["edge_files"])
    start, end = files[fi], files[fi + 1]
    # Only the dependencies whose declarations changed, in place (no NumPy): see patch_dependencies.
    done = patch_adjacency(
        data,
        all_up,
        all_down,
        start,
        end,
        new_up,
        new_down,
        noted,
        used,
        dict(data["edge_noted"]),
        dict(data["edge_used"]),
    )
    if done is False:
        return False
    shift = len(new_up) - (end - start)
    all_up[start:end], all_down[start:end] = new_up, new_down
    for i in range(fi + 1, len(files)):
        files[i] += shift
    all_noted = [
        (pos if pos < start else pos + shift, note) for pos, note in data["edge_noted"] if not start <= pos < end
    ]
    all_noted += [(start + pos, note) for pos, note in noted]
    all_noted.sort()
    all_used = [
        (pos if pos < start else pos + shift, uses) for pos, uses in data["edge_used"] if not start <= pos < end
    ]
    all_used += [(start + pos, uses) for pos, uses in used]
    all_used.sort()
    if done is None:  # too many changed to patch: built again from every declaration
        built = adjacency(len(index), all_up, all_down, all_noted, all_used)
        if built is None:
            return False
        data["offsets"], data["targets"], data["notes"], data["uses"] = built
    data["edge_used"] = all_used
    data["edge_up"], data["edge_down"], data["edge_files"] = all_up.tobytes(), all_down.tobytes(), files.tobytes()
    data["edge_noted"] = all_noted
    return True


def patched(
    entry: tuple[str, bytes] | None,
    rels: list[str],
    hashes: list[str],
    raws: list[bytes | None],
    files: list[Path],
    edges_path: Path | None = None,
) -> dict[str, Any] | None:
    """The snapshot of a catalog whose files have the same names as before and few new contents.

    ``edges_path`` holds the snapshot's :data:`EDGE_KEYS` when they are kept
    apart; an entry missing there, or under another key, means no patch.
    """
    if entry is None:
        return None
    old_key, payload = entry
    try:
        data: dict[str, Any] = marshal.loads(payload)
        old_hashes = data["hashes"]
        if (
            data["files"] != rels
            or len(old_hashes) != len(hashes)
            or old_key != cache.digest(code_version(), *rels, *old_hashes)
        ):
            return None
        if edges_path is not None and not all(k in data for k in EDGE_KEYS):
            edges = cache.read(edges_path, old_key)
            if edges is None:
                return None
            data.update(marshal.loads(edges))
    except Exception:  # a damaged or foreign entry is no entry
        return None
    changed = [i for i, (a, b) in enumerate(zip(old_hashes, hashes)) if a != b]
    if len(changed) > max(1, len(rels) // 4) or not fill(raws, files, hashes, changed):
        return None  # many files changed (merging afresh is as quick), or one changed while being read
    for fi in changed:
        old = record_by_digest(old_hashes[fi])
        raw = raws[fi]
        assert raw is not None  # filled above
        new = cached_record(raw)
        if new is None:
            new = read_file_record(raw, display_path(files[fi]))
            if new is None:
                return None
            store_record(raw, new)
        if old is None or not patch(data, fi, old, new):
            return None
    data["hashes"] = hashes
    return data
