"""Bringing a snapshot's adjacency up to date after one file's dependencies changed, without NumPy.

:func:`impact.store.snapshot_build.adjacency` builds the adjacency from every
declared dependency with NumPy: importing NumPy alone costs a tenth of a
second, and sorting three million codes a third at 1,000,000 assets. After
an edit to one file, only the dependencies whose declarations in that file
changed can change; :func:`patch_adjacency` finds those, reads their other
declarations (in other files) and applies the same rule to each: the edge
exists if declared anywhere; its note is the first declaration's, or else the
first non-empty later one; it uses what its declarations say together, if
every one says (:func:`impact.core.aspects.merge_uses`). Edits that change
many dependencies at once are left to the full build.
``tests/test_patch_dependencies.py`` compares both on random edits.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import reduce
from itertools import repeat
from operator import add
from typing import TypeVar

from impact.core.aspects import merge_uses, ordered

Declaration = tuple[str | None, tuple[str, ...] | None]
"""One declaration of a dependency: its note and what it says it uses (None: not said)."""

MAX_CHANGED = 64
"""Past this many changed dependencies in one file, the full build is as quick."""


def declarations(
    ups: Sequence[int],
    downs: Sequence[int],
    start: int,
    end: int,
    noted: dict[int, str],
    used: dict[int, tuple[str, ...]],
) -> dict[tuple[int, int], list[Declaration]]:
    """The declarations at positions ``start:end`` (``noted`` and ``used`` keyed by position), per (upstream,
    downstream), in order.
    """
    found: dict[tuple[int, int], list[Declaration]] = {}
    for q in range(start, end):
        if ups[q] >= 0 and downs[q] >= 0:  # -1: an asset just removed, its edges dropped already (see patch_asset_ids)
            found.setdefault((ups[q], downs[q]), []).append((noted.get(q), used.get(q)))
    return found


def merged(decls: list[Declaration]) -> Declaration:
    """The note and the uses of a dependency declared ``decls`` (in position order), as the full build merges them.

    >>> merged([(None, ("data",)), ("sync", ("name",))])
    ('sync', ('name', 'data'))
    >>> merged([("", None), ("sync", ("data",))])  # the first declaration's note, even empty; one says nothing of uses
    ('', None)
    """
    if not decls:  # declared nowhere any more: the edge goes
        return None, None
    note = next((n for i, (n, _) in enumerate(decls) if n is not None and (i == 0 or n)), None)
    uses = reduce(merge_uses, (None if u is None else frozenset(u) for _, u in decls))
    return note, None if uses is None else ordered(uses)


def patch_adjacency(
    data: dict[str, object],
    all_up: array[int],
    all_down: array[int],
    start: int,
    end: int,
    new_up: array[int],
    new_down: array[int],
    new_noted: list[tuple[int, str]],
    new_used: list[tuple[int, tuple[str, ...]]],
    noted: dict[int, str],
    used: dict[int, tuple[str, ...]],
) -> bool | None:
    """Bring ``data``'s ``offsets``, ``targets``, ``notes`` and ``uses`` up to date, in place.

    ``all_up``/``all_down`` are every declared dependency before the edit,
    the edited file's at ``start:end``; ``new_*`` are its new ones (noted and
    used by position in the file); ``noted``/``used`` every declaration's
    note and uses by position before the edit. Returns False for a
    dependency on itself, None (nothing changed) when too many dependencies
    changed for a patch to be quicker than the full build.
    """
    before = declarations(all_up, all_down, start, end, noted, used)
    after = declarations(new_up, new_down, 0, len(new_up), dict(new_noted), dict(new_used))
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    if not changed:
        return True
    if len(changed) > MAX_CHANGED:
        return None
    if any(u == d for u, d in changed):
        return False
    offsets: array[int] = array("i")
    offsets.frombytes(data["offsets"])  # type: ignore[arg-type]
    targets: array[int] = array("i")
    targets.frombytes(data["targets"])  # type: ignore[arg-type]
    notes: dict[int, str] = data["notes"]  # type: ignore[assignment]
    uses: dict[int, tuple[str, ...]] = data["uses"]  # type: ignore[assignment]
    plan = _plan(changed, after, all_up, all_down, start, end, noted, used, offsets, targets)
    notes, uses = _renumbered_notes(plan, notes, uses)
    offsets = _move_edges(plan, offsets, targets)
    for _e, u, d, _was, now, (note, aspects) in plan:
        if now:
            at = bisect_left(targets, d, offsets[u], offsets[u + 1])
            if note is not None:
                notes[at] = note
            if aspects is not None:
                uses[at] = aspects
    data["offsets"], data["targets"] = offsets.tobytes(), targets.tobytes()
    data["notes"], data["uses"] = notes, uses
    return True


_Step = tuple[int, int, int, bool, bool, Declaration]
"""One changed dependency: (edge position, up, down, there before, there after, its declarations merged)."""


def _plan(
    changed: list[tuple[int, int]],
    after: dict[tuple[int, int], list[Declaration]],
    all_up: array[int],
    all_down: array[int],
    start: int,
    end: int,
    noted: dict[int, str],
    used: dict[int, tuple[str, ...]],
    offsets: array[int],
    targets: array[int],
) -> list[_Step]:
    """Each changed dependency's new state, from its declarations in the other files and the new ones."""
    plan: list[_Step] = []
    for u, d in changed:
        outside_before, outside_after = _elsewhere(all_up, all_down, u, d, start, end)
        decls = (
            [(noted.get(q), used.get(q)) for q in outside_before]
            + after.get((u, d), [])
            + [(noted.get(q), used.get(q)) for q in outside_after]
        )
        row_start, row_end = offsets[u], offsets[u + 1]
        e = bisect_left(targets, d, row_start, row_end)
        was = e < row_end and targets[e] == d
        plan.append((e, u, d, was, bool(decls), merged(decls)))
    return plan


def _renumbered_notes(
    plan: list[_Step], notes: dict[int, str], uses: dict[int, tuple[str, ...]]
) -> tuple[dict[int, str], dict[int, tuple[str, ...]]]:
    """Notes and uses without the changed edges', keyed by the positions edges have once the plan is done.

    Done before the edges move, while edge positions are the old ones.
    """
    for e, _u, _d, was, _now, _merged in plan:
        if was:
            notes.pop(e, None)
            uses.pop(e, None)
    shifts: list[tuple[int, int]] = []  # (old edge position, +1 inserted before it / -1 removed at it)
    for e, _u, _d, was, now, _m in plan:
        if was and not now:
            shifts.append((e, -1))
        elif now and not was:
            shifts.append((e, +1))
    if shifts:
        notes = rekeyed(notes, shifts)
        uses = rekeyed(uses, shifts)
    return notes, uses


def _move_edges(plan: list[_Step], offsets: array[int], targets: array[int]) -> array[int]:
    """Remove or insert the plan's edges in ``targets`` (in place); the new offsets.

    Last position first, so that earlier positions hold.
    """
    row_delta: dict[int, int] = {}
    for e, u, d, was, now, _m in sorted(plan, reverse=True):
        if was and not now:
            del targets[e]
            row_delta[u] = row_delta.get(u, 0) - 1
        elif now and not was:
            targets.insert(e, d)
            row_delta[u] = row_delta.get(u, 0) + 1
    return shifted(offsets, row_delta)


def _elsewhere(ups: array[int], downs: array[int], u: int, d: int, start: int, end: int) -> tuple[list[int], list[int]]:
    """Positions outside ``start:end`` that declare ``u -> d``: those before, those after (a scan in C per match)."""
    before: list[int] = []
    after: list[int] = []
    q = 0
    n = len(ups)
    while True:
        try:
            q = ups.index(u, q, n)
        except ValueError:
            return before, after
        if downs[q] == d and not start <= q < end:
            (before if q < start else after).append(q)
        q += 1


_V = TypeVar("_V")


def rekeyed(entries: dict[int, _V], shifts: list[tuple[int, int]]) -> dict[int, _V]:
    """``entries`` keyed by edge position after edges are inserted or removed at ``shifts``' old positions.

    ``(p, +1)``: an edge inserted before the one at old position ``p``;
    ``(p, -1)``: the edge at ``p`` removed (its entry dropped beforehand).

    >>> rekeyed({0: "a", 2: "b", 5: "c"}, [(1, +1), (3, -1)])  # one edge in before 2, the one at 3 out
    {0: 'a', 3: 'b', 5: 'c'}
    """
    shifts.sort()
    at = [p for p, _ in shifts]
    running = [0]
    for _, delta in shifts:
        running.append(running[-1] + delta)
    out: dict[int, _V] = {}
    for key, value in entries.items():
        # Removals at positions < key, insertions at positions <= key, shift it.
        i = bisect_right(at, key)
        shift = running[i]
        # A removal exactly at key was dropped beforehand; an insertion at key pushes it on: counted by bisect_right.
        out[key + shift] = value
    return out


def shifted(offsets: array[int], row_delta: dict[int, int]) -> array[int]:
    """Row offsets after each row ``u`` gained ``row_delta[u]`` edges.

    >>> list(shifted(array("i", [0, 2, 3, 5]), {0: -1, 2: +2}))  # row 0 lost an edge, row 2 gained two
    [0, 1, 2, 6]
    """
    if not row_delta:
        return offsets
    out = array("i", offsets[: min(row_delta) + 1])
    running = 0
    rows = sorted(row_delta)
    for i, u in enumerate(rows):
        running += row_delta[u]
        stop = rows[i + 1] + 1 if i + 1 < len(rows) else len(offsets)
        out.extend(map(add, offsets[u + 1 : stop], repeat(running)))
    return out
