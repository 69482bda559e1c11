"""Building a catalog's snapshot (:mod:`impact.store.snapshot`) from its files' records.

:func:`assemble` builds it column by column from the files' records, for a
catalog expected to be valid; :func:`encode` builds it from a catalog merged
by :func:`impact.load.linking.merge` (the loader's path for a catalog with
problems, and the reference :func:`assemble` is checked against);
:func:`adjacency` turns the declared dependencies into the snapshot's
adjacency (with NumPy, imported while workers read: :func:`prepare_build`).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from functools import reduce
from typing import TYPE_CHECKING, Any

from impact.core import progress
from impact.core.aspects import add_up, ordered
from impact.core.catalog import RegressionTest, Team
from impact.store.compact import edge_list_from
from impact.store.snapshot import slot_row
from impact.store.sorted_ids import starts_of

if TYPE_CHECKING:
    from impact.read.records import FileRecord

_ASSEMBLING = "Putting the catalog together"


def assemble(records: Iterable[FileRecord | None], rels: list[str]) -> dict[str, Any] | None:
    """``encode(merge(records), rels)``, built column by column; None where :func:`merge` finds an error.

    :func:`merge` builds a dict entry and a tuple per asset and per
    dependency, then :func:`encode` turns them into columns: about a second
    and a half at 100,000 assets, in the one process that cannot share it.
    A valid catalog needs neither: each system's assets are transposed into
    columns at once, each file brings its dependencies as columns (built by
    the worker that read it), ids are sorted once, and conflicts (an id
    defined twice, a dangling reference, a dependency on itself) are found
    with set operations over whole columns. On any conflict this returns
    None and the caller takes :func:`merge`'s path, which reports it. The snapshot also keeps each
    file's dependencies as declared (``edge_*``), for :func:`patch`.
    ``tests/test_cache_assemble.py`` checks that both give the same snapshot.
    """
    met = _Definitions()
    for fi, record in enumerate(records):  # each record once: the caller may read them one by one
        if record is None or not met.add(fi, record):
            return None  # a damaged record (the caller reads the file again), or a second policy
    met.team_refs.discard(None)  # an asset or a test without an owner of its own
    progress.step(_ASSEMBLING, 0, 3)  # seconds at 1,000,000 assets: shown on a terminal
    found = _id_order(met)
    if found is None:
        return None
    by_id, ids, up_pos, down_pos = found
    data = _columns(met, rels, by_id, ids, up_pos, down_pos)
    n = len(ids)
    # The columns as read are copied into the snapshot: let them go before the adjacency's arrays are made.
    del met, by_id, ids
    progress.step(_ASSEMBLING, 2, 3)
    built = adjacency(n, up_pos, down_pos, data["edge_noted"], data["edge_used"])
    if built is None:
        return None  # a dependency on itself
    data["offsets"], data["targets"], data["notes"], data["uses"] = built
    progress.step(_ASSEMBLING, 3, 3)
    return data


class _Definitions:
    """Every definition of a catalog's records, in the order met: :func:`assemble`'s first pass."""

    def __init__(self) -> None:
        self.others: dict[str, tuple[int, int, int]] = {}
        self.teams: list[Team] = []
        self.systems: list[tuple[Any, ...]] = []
        self.tests: list[RegressionTest] = []
        self.policy: Any = None
        self.team_refs: set[str | None] = set()
        self.asset_refs: set[str] = set()
        self.ids: list[str] = []
        self.system_of: list[str] = []
        self.types: list[str] = []
        self.owners: list[str] = []
        self.critical: list[bool] = []
        self.descriptions: list[str | None] = []
        self.display_names: list[str | None] = []
        self.extra: list[tuple[Any, ...]] = []  # (field, value) of records.extra_asset_fields()
        self.consulted: list[tuple[str, ...]] = []
        self.informed: list[tuple[str, ...]] = []
        self.file_of: list[int] = []
        self.lines: list[int] = []
        self.cols: list[int] = []
        self.ups: list[str] = []
        self.downs: list[str] = []
        self.noted: list[tuple[int, str]] = []  # (position in ups and downs, note): notes are rare
        self.used: list[tuple[int, tuple[str, ...]]] = []  # (position, aspects): uses too
        self.edge_files = [0]  # file i's dependencies are ups[edge_files[i]:edge_files[i + 1]]

    def add(self, fi: int, record: FileRecord) -> bool:
        """Take in one file's record; False if it defines the policy a second time."""
        others = self.others
        for team in record.teams:
            others["team:" + team.id] = (fi, team.line, team.col)
            self.teams.append(Team(team.id, team.name, team.email, team.slack, team.members))
        at = 0  # the file's next asset in its edges' aids
        for system in record.systems:
            at = self._add_system(fi, system, record.edges.aids, at)
        f_edges, ups = record.edges, self.ups
        if f_edges.noted:
            self.noted += [(len(ups) + pos, note) for pos, note in f_edges.noted]
        if f_edges.used:
            self.used += [(len(ups) + pos, uses) for pos, uses in f_edges.used]
        ups += f_edges.ups
        self.downs += f_edges.downs
        self.edge_files.append(len(ups))
        for t in record.tests:
            others["test:" + t.id] = (fi, t.line, t.col)
            self.tests.append(
                RegressionTest(t.id, t.name, tuple(dict.fromkeys(t.covers)), t.owner, t.kind, t.steps, t.run, t.minutes)
            )
            self.asset_refs.update(t.covers)
            self.team_refs.add(t.owner)
        if record.policy is not None:
            if self.policy is not None:
                return False
            self.policy = record.policy
        return True

    def _add_system(self, fi: int, s: Any, all_aids: list[str], at: int) -> int:
        """Take in one system and its assets (``all_aids[at:]`` onwards); the position after them."""
        sid, owner, a = s.id, s.owner, s.assets
        self.others["system:" + sid] = (fi, s.line, s.col)
        team_refs = self.team_refs
        team_refs.add(owner)
        team_refs.update(s.consulted, s.informed)
        aids = all_aids[at : at + len(a.keys)]
        if aids:
            self.ids += aids
            self.system_of += [sid] * len(aids)
            self.types += a.types
            self.owners += [o or owner for o in a.owners]
            team_refs.update(a.owners)
            self.critical += a.critical
            self.descriptions += a.descriptions
            self.display_names += a.names
            self.extra += a.extra
            for roles, column in ((a.consulted, self.consulted), (a.informed, self.informed)):
                if any(roles):
                    column += [tuple(dict.fromkeys(r)) for r in roles]
                    team_refs.update(*roles)
                else:
                    column += roles
            self.file_of += [fi] * len(aids)
            self.lines += a.lines
            self.cols += a.cols
        # The system's assets as their stretch of the definitions: (first, how many).
        stretch = (len(self.ids) - len(aids), len(aids))
        self.systems.append(
            (sid, s.name, owner, s.kind, tuple(dict.fromkeys(s.consulted)), tuple(dict.fromkeys(s.informed)), stretch)
        )
        return at + len(a.keys)


def _id_order(met: _Definitions) -> tuple[list[int], list[str], array[int], array[int]] | None:
    """``(by_id, ids, ups, downs)``: definitions in id order, and the dependencies as positions; None on a conflict."""
    ids = met.ids
    n = len(ids)
    by_id = sorted(range(n), key=ids.__getitem__)
    ids = list(map(ids.__getitem__, by_id))
    index = dict(zip(ids, range(n)))
    if len(index) != n or len(met.others) != len(met.teams) + len(met.systems) + len(met.tests):
        return None  # an id defined twice
    if not met.asset_refs <= index.keys() or not met.team_refs <= {t.id for t in met.teams}:
        return None  # a reference to nothing
    progress.step(_ASSEMBLING, 1, 3)
    try:
        up_pos = array("i", map(index.__getitem__, met.ups))
        down_pos = array("i", map(index.__getitem__, met.downs))
    except KeyError:
        return None  # a dependency on nothing
    met.ups = met.downs = []  # three million strings at 1,000,000 assets: let go before the adjacency is built
    return by_id, ids, up_pos, down_pos


def _columns(
    met: _Definitions, rels: list[str], by_id: list[int], ids: list[str], up_pos: array[int], down_pos: array[int]
) -> dict[str, Any]:
    """The snapshot's entries (all but the adjacency) from the definitions, each column in id order."""
    sys_t, sys_of = _table(list(map(met.system_of.__getitem__, by_id)))
    type_t, type_of = _table(list(map(met.types.__getitem__, by_id)))
    owner_t, owner_of = _table(list(map(met.owners.__getitem__, by_id)))
    import numpy as np  # imported while workers read (prepare_build); a system's positions without a lookup per asset

    n = len(ids)
    where = np.empty(n, dtype=np.intc)  # definition -> position in id order (np.intc: array("i")'s bytes)
    where[np.asarray(by_id, dtype=np.intp)] = np.arange(n, dtype=np.intc)
    policy = met.policy
    return {
        "files": rels,
        "teams": [slot_row(t) for t in sorted(met.teams, key=lambda t: t.id)],
        "systems": [
            (*row[:-1], where[row[-1][0] : row[-1][0] + row[-1][1]].tobytes())
            for row in sorted(met.systems, key=lambda r: r[0])
        ],
        "tests": [slot_row(t) for t in sorted(met.tests, key=lambda t: t.id)],
        "policy": None if policy is None else tuple(policy),  # marshal stores no named types
        "ids": "\0".join(ids), "id_starts": starts_of(ids).tobytes(),
        "systems_t": sys_t, "system_of": sys_of,
        "types_t": type_t, "type_of": type_of,
        "owners_t": owner_t, "owner_of": owner_of,
        "critical": bytes(map(bool, map(met.critical.__getitem__, by_id))),
        "descriptions": list(map(met.descriptions.__getitem__, by_id)),
        "display_names": list(map(met.display_names.__getitem__, by_id)),
        "extra": list(map(met.extra.__getitem__, by_id)),
        "consulted": list(map(met.consulted.__getitem__, by_id)),
        "informed": list(map(met.informed.__getitem__, by_id)),
        "file_of": array("i", map(met.file_of.__getitem__, by_id)).tobytes(),
        "line": array("i", map(met.lines.__getitem__, by_id)).tobytes(),
        "col": array("i", map(met.cols.__getitem__, by_id)).tobytes(),
        "others": met.others,
        # Every file's dependencies as declared, in positions: an edit to them
        # is patched by replacing one file's stretch (see patch()).
        "edge_up": up_pos.tobytes(), "edge_down": down_pos.tobytes(),
        "edge_files": array("i", met.edge_files).tobytes(), "edge_noted": met.noted, "edge_used": met.used,
    }  # fmt: skip


def prepare_build() -> None:
    """Import now what :func:`assemble` will need (NumPy, a tenth of a second), while worker processes read the files.
    """
    import numpy  # noqa: F401


def adjacency(
    n: int,
    ups: Sequence[int],
    downs: Sequence[int],
    noted: list[tuple[int, str]],
    used: list[tuple[int, tuple[str, ...]]] = (),  # type: ignore[assignment]
) -> tuple[bytes, bytes, dict[int, str], dict[int, tuple[str, ...]]] | None:
    """The snapshot's ``offsets``, ``targets``, ``notes`` and ``uses`` of dependencies given as position columns.

    Each (upstream, downstream) pair is coded as one number, ``up * n + down``;
    sorted and unique, the codes are the adjacency by upstream with
    downstreams ascending. NumPy does in milliseconds what took Python a
    second over 300,000 dependencies (sorting numbers too large for one
    machine word). An edge declared twice keeps a note as
    :func:`~impact.load.linking.merge` does: the first declaration's, or, if
    that had none, the first non-empty later one; and uses what its
    declarations say together (:func:`~impact.core.aspects.merge_uses`).

    Examples
    --------
    >>> from impact.store.snapshot import ints
    >>> used = [(0, ("data",)), (1, ("name",))]
    >>> offsets, targets, notes, uses = adjacency(3, [2, 0, 0, 2], [0, 1, 1, 1], [(2, "sync")], used)
    >>> list(ints(offsets)), list(ints(targets)), notes, uses  # 0 -> 1 is declared twice, once without uses
    ([0, 1, 1, 3], [1, 0, 1], {0: 'sync'}, {1: ('data',)})
    >>> adjacency(2, [1], [1], []) is None  # a dependency on itself
    True
    """
    import numpy as np  # ~0.1 s to import: only when a snapshot is built, never on a warm run

    up, down = np.asarray(ups, dtype=np.int64), np.asarray(downs, dtype=np.int64)
    if (up == down).any():
        return None
    pairs = up * n + down
    codes, first, counts = np.unique(pairs, return_index=True, return_counts=True)
    offsets = np.searchsorted(codes, np.arange(n + 1, dtype=np.int64) * n)
    targets = codes % n if n else codes
    notes: dict[int, str] = {}
    if noted:
        at = np.searchsorted(codes, pairs[[pos for pos, _ in noted]]).tolist()
        firsts = first.tolist()
        for (pos, note), edge in zip(noted, at):  # in order of position
            if edge not in notes and (pos == firsts[edge] or note):
                notes[edge] = note
    uses: dict[int, tuple[str, ...]] = {}
    if used:
        at = np.searchsorted(codes, pairs[[pos for pos, _ in used]]).tolist()
        said: dict[int, list[tuple[str, ...]]] = {}
        for (_pos, aspects), edge in zip(used, at):
            said.setdefault(edge, []).append(aspects)
        many = counts.tolist()
        for edge, found in said.items():
            if len(found) == many[edge]:  # every declaration says what it uses; one that does not uses everything
                every = reduce(add_up, (frozenset(aspects) for aspects in found))
                uses[edge] = ordered(every)
    # np.intc is C's int: the same bytes as array("i"), which the snapshot is read with.
    return offsets.astype(np.intc).tobytes(), targets.astype(np.intc).tobytes(), notes, uses


# --- merged catalog <-> snapshot payload --------------------------------------


def _table(values: list[str]) -> tuple[list[str], bytes]:
    """Distinct values (in order of first appearance) and one index per value, as array bytes."""
    distinct = list(dict.fromkeys(values))
    index = dict(zip(distinct, range(len(distinct))))
    return distinct, array("i", map(index.__getitem__, values)).tobytes()


def _asset_columns(merged: dict[str, Any], ids: list[str]) -> list[list[Any]]:
    """Each asset's fields of a merged catalog, one list per field, in the order of ``ids``."""
    assets = merged["assets"]
    records: list[FileRecord] = merged["records"]
    columns: list[list[Any]] = [[] for _ in range(12)]
    for aid in ids:
        fi, si, ai = assets[aid]
        system = records[fi].systems[si]
        a = system.assets
        row = (
            system.id, a.types[ai], a.owners[ai] or system.owner, a.critical[ai], a.descriptions[ai], a.names[ai],
            a.extra[ai], tuple(dict.fromkeys(a.consulted[ai])), tuple(dict.fromkeys(a.informed[ai])), fi,
            a.lines[ai], a.cols[ai],
        )  # fmt: skip
        for column, value in zip(columns, row):
            column.append(value)
    return columns


def encode(merged: dict[str, Any], rels: list[str]) -> dict[str, Any]:
    """The snapshot of a catalog merged by :func:`impact.load.linking.merge` (the reference :func:`assemble` is checked
    against).
    """
    ids = sorted(merged["assets"])
    systems_of, types, owners, critical, descriptions, names, extra, consulted, informed, file_of, lines, cols = (
        _asset_columns(merged, ids)
    )
    sys_t, sys_of = _table(systems_of)
    type_t, type_of = _table(types)
    owner_t, owner_of = _table(owners)
    index = dict(zip(ids, range(len(ids))))
    edges = edge_list_from(ids, merged["edges"], merged["uses"])
    places = merged["places"]
    policy = merged["policy"]
    return {
        "files": rels,
        "teams": [tuple(t.__getattribute__(f) for f in Team.__slots__) for _, t in sorted(merged["teams"].items())],
        # A system's assets as positions in ``ids`` (array bytes): 100,000 ids
        # written a second time as strings would double the snapshot's load time.
        "systems": [
            (*slot_row(s)[:-1], array("i", map(index.__getitem__, s.assets)).tobytes())
            for _, s in sorted(merged["systems"].items())
        ],
        "tests": [slot_row(t) for _, t in sorted(merged["tests"].items())],
        "policy": None if policy is None else tuple(policy),  # marshal stores no named types
        "ids": "\0".join(ids), "id_starts": starts_of(ids).tobytes(),
        "systems_t": sys_t, "system_of": sys_of,
        "types_t": type_t, "type_of": type_of,
        "owners_t": owner_t, "owner_of": owner_of,
        "critical": bytes(map(bool, critical)),
        "descriptions": descriptions,
        "display_names": names,
        "extra": extra,
        "consulted": consulted,
        "informed": informed,
        "file_of": array("i", file_of).tobytes(),
        "line": array("i", lines).tobytes(),
        "col": array("i", cols).tobytes(),
        "others": {k: v for k, v in places.items() if not k.startswith("asset:")},
        "offsets": edges.offsets.tobytes(), "targets": edges.targets.tobytes(), "notes": edges.notes,  # type: ignore[attr-defined]
        "uses": {pos: ordered(found) for pos, found in edges.uses.items()},
    }  # fmt: skip
