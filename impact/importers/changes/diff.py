"""Two snapshots to change items: what was created, modified, renamed or deleted, and what about it.

The rule, the same for every kind of export:

- an id in both snapshots whose facets differ is a ``modify``; its aspects
  are those of the facets that differ, its note names each in plain words
  ("picklist values added: Recycled", "status: Active → Draft",
  "formula changed");
- an id only in the old snapshot and one only in the new, of the same kind,
  with the same non-empty ``body`` (the content with the name taken out), are
  a ``rename`` with ``to:`` the new id: renames are found from contents,
  never from file names;
- failing that, when exactly one asset of a group (a kind, and what holds
  it: a field's object) is gone and exactly one is new, and their bodies are
  near-copies (a name and a few words changed), they are a ``rename`` too,
  with the aspects of what else changed;
- any other id only in the old snapshot is a ``delete`` (aspect
  ``availability``), only in the new one a ``create`` (aspect
  ``availability``).

Items come sorted by target, then action: the same snapshots give the same
items.

Examples
--------
>>> old = {"s:f/A": AssetState("s:f/A", {"label": Facet("name", "Stage", "label")}, body="x")}
>>> new = {"s:f/B": AssetState("s:f/B", {"label": Facet("name", "Stage", "label")}, body="x")}
>>> [(i.target, i.action, i.to) for i in diff_snapshots(old, new)]
[('s:f/A', 'rename', 's:f/B')]
>>> a = {"s:f/A": AssetState("s:f/A", {"v": Facet("values", ("New", "Open"), "picklist values")})}
>>> b = {"s:f/A": AssetState("s:f/A", {"v": Facet("values", ("New", "Recycled"), "picklist values")})}
>>> diff_snapshots(a, b)[0].note
'picklist values added: Recycled; removed: Open'
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

from impact.core.vocabulary import ASPECTS
from impact.importers.changes.model import AssetState, Facet, Snapshot

SHORT = 60
"""Longest scalar a note quotes (old → new); a longer or multi-line value is only said to have changed."""

NEAR = 0.85
"""How alike (difflib's ratio of the bodies) the one asset gone and the one new of a group must be to be a rename."""

MAX_NOTE_PARTS = 6
"""A note names at most this many facets, then says how many more changed."""


@dataclass(frozen=True)
class DerivedItem:
    """One change item of a derived change request."""

    target: str
    action: str
    aspects: tuple[str, ...]
    note: str
    to: str | None = None
    values: tuple[str, ...] = ()
    """The allowed values added, removed or renamed (facets of aspect ``values`` holding sets)."""

    def as_dict(self) -> dict[str, object]:
        """The item as change-file keys, in the file's order; empty keys left out."""
        out: dict[str, object] = {"target": self.target, "action": self.action}
        if self.to:
            out["to"] = self.to
        if self.aspects:
            out["aspects"] = list(self.aspects)
        if self.values:
            out["values"] = list(self.values)
        out["note"] = self.note
        return out


def _kind(state: AssetState) -> str:
    if state.kind:
        return state.kind
    key = state.id.partition(":")[2]
    return key.partition("/")[0]


def _ordered(aspects: set[str]) -> tuple[str, ...]:
    return tuple(a for a in ASPECTS if a in aspects)


def _empty(value: str | tuple[str, ...]) -> bool:
    return not value


def _scalar_note(label: str, old: str, new: str) -> str:
    # A canonical element ("<rules>...") is no words to quote: it is only said to have changed.
    short = all(len(v) <= SHORT and "\n" not in v and not v.startswith("<") for v in (old, new))
    head = f"{label}: " if label else ""
    if not old:
        return f"{label} added: {new}" if short and label else f"{label or 'value'} added"
    if not new:
        return f"{label} removed" if label else "value removed"
    if not short and new.startswith("<"):
        return f"{label or 'value'} changed"
    if short:
        return f"{head}{old} → {new}"
    return f"{label or 'value'} changed"


def _set_note(label: str, old: tuple[str, ...], new: tuple[str, ...]) -> str:
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    parts = []
    if added:
        parts.append(f"{label} added: {', '.join(added)}")
    if removed:
        parts.append(("removed: " if added else f"{label} removed: ") + ", ".join(removed))
    return "; ".join(parts) if parts else f"{label} changed"


def _as_tuple(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else ((value,) if value else ())


def facet_note(old: Facet | None, new: Facet | None) -> str:
    """The plain words for one facet that differs (either side may be missing)."""
    facet = new or old
    assert facet is not None
    before: str | tuple[str, ...] = old.value if old else ()
    after: str | tuple[str, ...] = new.value if new else ()
    if (isinstance(before, tuple) and isinstance(after, tuple)) or isinstance(facet.value, tuple):
        return _set_note(facet.label, _as_tuple(before), _as_tuple(after))
    return _scalar_note(facet.label, before if isinstance(before, str) else "", after if isinstance(after, str) else "")


def compare(old: AssetState, new: AssetState) -> tuple[set[str], list[str], set[str]]:
    """What differs between two states of an asset: aspects, note parts (in facet order), set values that moved."""
    aspects: set[str] = set()
    notes: list[str] = []
    values: set[str] = set()
    for key in sorted(set(old.facets) | set(new.facets)):
        before, after = old.facets.get(key), new.facets.get(key)
        if before is not None and after is not None and before.value == after.value:
            continue
        if (before is None and after is not None and _empty(after.value)) or (
            after is None and before is not None and _empty(before.value)
        ):
            continue
        facet = after or before
        assert facet is not None
        aspects.add(facet.aspect)
        notes.append(facet_note(before, after))
        if facet.aspect == "values":
            old_set = set(before.value) if before and isinstance(before.value, tuple) else set()
            new_set = set(after.value) if after and isinstance(after.value, tuple) else set()
            values |= old_set ^ new_set
    return aspects, notes, values


def _joined(notes: list[str]) -> str:
    if len(notes) > MAX_NOTE_PARTS:
        return "; ".join(notes[:MAX_NOTE_PARTS]) + f"; and {len(notes) - MAX_NOTE_PARTS} more"
    return "; ".join(notes)


def _renames(gone: list[AssetState], new_ones: list[AssetState]) -> list[tuple[AssetState, AssetState]]:
    """Pairs (old, new) of the same kind and the same non-empty body; closest names first when several match."""
    by_body: dict[tuple[str, str], list[AssetState]] = defaultdict(list)
    for state in new_ones:
        if state.body:
            by_body[(_kind(state), state.body)].append(state)
    pairs: list[tuple[AssetState, AssetState]] = []
    taken: set[str] = set()
    for state in sorted(gone, key=lambda s: s.id):
        if not state.body:
            continue
        candidates = [c for c in by_body.get((_kind(state), state.body), []) if c.id not in taken]
        if not candidates:
            continue
        best = max(
            sorted(candidates, key=lambda c: c.id), key=lambda c: difflib.SequenceMatcher(None, state.id, c.id).ratio()
        )
        taken.add(best.id)
        pairs.append((state, best))
    return pairs


def _group(state: AssetState) -> tuple[str, str]:
    """The kind, and what holds the asset (a field's object): a near-copy is a rename only inside one group."""
    key = state.id.partition(":")[2].partition("/")[2]
    return _kind(state), key.rpartition(".")[0]


def _near_renames(gone: list[AssetState], new_ones: list[AssetState]) -> list[tuple[AssetState, AssetState]]:
    """The one asset gone and the one new of a group, when their bodies are near-copies (a name, a few words)."""
    olds: dict[tuple[str, str], list[AssetState]] = defaultdict(list)
    news: dict[tuple[str, str], list[AssetState]] = defaultdict(list)
    for state in gone:
        olds[_group(state)].append(state)
    for state in new_ones:
        news[_group(state)].append(state)
    pairs = []
    for group in sorted(olds.keys() & news.keys()):
        if len(olds[group]) == 1 and len(news[group]) == 1:
            before, after = olds[group][0], news[group][0]
            if before.body and after.body and difflib.SequenceMatcher(None, before.body, after.body).ratio() >= NEAR:
                pairs.append((before, after))
    return pairs


def diff_snapshots(old: Snapshot, new: Snapshot) -> list[DerivedItem]:
    """The change items that take ``old`` to ``new`` (see the module docstring)."""
    items: list[DerivedItem] = []
    for aid in sorted(old.keys() & new.keys()):
        aspects, notes, values = compare(old[aid], new[aid])
        if aspects:
            items.append(DerivedItem(aid, "modify", _ordered(aspects), _joined(notes), values=tuple(sorted(values))))
    gone = [old[a] for a in sorted(old.keys() - new.keys()) if not old[a].permanent]
    added = [new[a] for a in sorted(new.keys() - old.keys()) if not new[a].permanent]
    renamed = _renames(gone, added)
    paired_old = {o.id for o, _ in renamed}
    paired_new = {n.id for _, n in renamed}
    renamed += _near_renames([s for s in gone if s.id not in paired_old], [s for s in added if s.id not in paired_new])
    paired_old = {o.id for o, _ in renamed}
    paired_new = {n.id for _, n in renamed}
    for before, after in renamed:
        aspects, notes, values = compare(before, after)
        aspects.add("name")
        note = _joined([f"renamed to {after.id.partition(':')[2]}", *notes])
        items.append(
            DerivedItem(before.id, "rename", _ordered(aspects), note, to=after.id, values=tuple(sorted(values)))
        )
    for state in gone:
        if state.id not in paired_old:
            items.append(DerivedItem(state.id, "delete", ("availability",), "no longer in the export"))
    for state in added:
        if state.id not in paired_new:
            items.append(DerivedItem(state.id, "create", ("availability",), "new in the export"))
    return sorted(items, key=lambda i: (i.target, i.action, i.to or ""))
