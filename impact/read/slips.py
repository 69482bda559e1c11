"""Root causes of shape mistakes: a key that slipped to the wrong level of indentation.

A key written two spaces too far left (``depends_on:`` under ``assets:``
instead of under its asset) is, for YAML, an asset named ``depends_on``;
pydantic then reports the consequence ("expected a mapping, found a list").
This module reads the parsed file with the models' own field names and says
what happened instead: which known key stands where an id is expected (or
which id stands among an entry's keys), and the column it belongs at, with
the line of the entry it belongs to. The consequences are left out.

The file's marks are read from the parsed mappings (``line``, ``col``,
``key_marks``: see :class:`impact.read.yamlio.YMap`), so nothing here
imports the YAML reader.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

Loc = tuple[Any, ...]


def unwrap(tp: Any) -> Any:
    """Strip ``Annotated[...]`` and ``X | None`` down to the type inside."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, UnionType):
            tp = next(a for a in get_args(tp) if a is not type(None))
        else:
            return tp


def field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


@dataclass(frozen=True)
class Node:
    """A mapping of the file that a model reads: an entry (``level`` False) or a mapping of ids to entries."""

    path: Loc
    model: type[BaseModel]
    data: Any
    level: bool


def _nodes(model: type[BaseModel], data: Any, path: Loc) -> list[Node]:
    """Every mapping of ``data`` that ``model`` (or a model inside it) reads, in file order."""
    if not isinstance(data, dict) or not hasattr(data, "key_marks"):
        return []
    found = [Node(path, model, data, False)]
    for name, info in model.model_fields.items():
        key = info.alias or name
        value = data.get(key)
        tp = unwrap(info.annotation)
        origin, args = get_origin(tp), get_args(tp)
        inner: Any = unwrap(args[-1]) if args else None
        if _is_model(tp):
            found += _nodes(tp, value, (*path, key))
        elif origin is dict and _is_model(inner) and isinstance(value, dict) and hasattr(value, "key_marks"):
            found.append(Node((*path, key), inner, value, True))
            for ident, entry in value.items():
                found += _nodes(inner, entry, (*path, key, ident))
        elif origin is list and _is_model(inner) and isinstance(value, list):
            for i, item in enumerate(value):
                found += _nodes(inner, item, (*path, key, i))
    return found


@functools.cache
def _tree(root: type[BaseModel]) -> tuple[dict[type[BaseModel], str], frozenset[type[BaseModel]]]:
    """Each model of the tree with what a person calls it ("change item"), and the entries (list items, mapping values).
    """
    found: dict[type[BaseModel], str] = {}
    entries: set[type[BaseModel]] = set()
    todo = [root]
    while todo:
        model = todo.pop()
        if model in found:
            continue
        found[model] = re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__.removesuffix("Spec")).lower()
        for info in model.model_fields.values():
            tp = unwrap(info.annotation)
            args = get_args(tp)
            inner: Any = unwrap(args[-1]) if args else None
            if _is_model(inner) and get_origin(tp) in (list, dict):
                entries.add(inner)
            todo += [m for m in (tp, inner) if _is_model(m)]
    return found, frozenset(entries)


def _kinds(root: type[BaseModel]) -> dict[type[BaseModel], str]:
    return _tree(root)[0]


@functools.cache
def known_keys(*roots: type[BaseModel]) -> frozenset[str]:
    """Every key of the formats read by these models and the models inside them: what tells a slipped key from an id."""
    return frozenset(key for root in roots for model in _kinds(root) for key in field_names(model))


def _a(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


@dataclass(frozen=True)
class Slip:
    """A root cause found: its place (the key), its message, and the errors it explains."""

    line: int
    col: int
    message: str
    explains: tuple[Loc, ...]


def _owner_of(
    key: str, kinds: dict[type[BaseModel], str], entries: frozenset[type[BaseModel]]
) -> list[type[BaseModel]]:
    return [m for m in kinds if key in field_names(m) and m in entries]


def _home(models: list[type[BaseModel]], nodes: list[Node], line: int) -> Node | None:
    """The nearest entry above ``line`` of one of ``models``: where a slipped key most likely belongs."""
    above = [n for n in nodes if not n.level and n.model in models and 0 < n.data.line < line]
    return max(above, key=lambda n: n.data.line) if above else None


def _where(home: Node | None, kinds: dict[type[BaseModel], str], by_path: dict[Loc, Node]) -> str:
    if home is None:
        return "; move it under the entry it belongs to"
    kind, name, line = kinds[home.model], "", home.data.line
    level = by_path.get(home.path[:-1])
    if level is not None and level.level:
        name = f" {home.path[-1]!r}"
        line = level.data.key_marks[home.path[-1]][0]
    return f"; indent it to column {home.data.col}, under the {kind}{name} (line {line})"


def _empty_before(level: Node, key: str) -> str | None:
    """The id just before ``key`` in a mapping of ids, when nothing is written under it."""
    keys = list(level.data)
    at = keys.index(key)
    before = keys[at - 1] if at > 0 else None
    return before if before is not None and level.data[before] is None else None


def find_slips(root: type[BaseModel], data: Any, errors: list[Loc], unknown: list[Loc]) -> list[Slip]:
    """The slipped keys behind ``errors`` (the locs pydantic found wrong); ``unknown``: the locs of unknown keys."""
    kinds, entries = _tree(root)
    nodes = _nodes(root, data, ())
    by_path = {n.path: n for n in nodes}
    slips: list[Slip] = []
    for node in nodes:
        if not node.level:
            continue
        kind = kinds[node.model]
        for key in node.data:
            loc = (*node.path, key)
            if not any(e[: len(loc)] == loc for e in errors) or not isinstance(key, str):
                continue
            owners = _owner_of(key, kinds, entries)
            if not owners:
                continue
            line, col = node.data.key_marks[key]
            parent = by_path.get(node.path[:-1])
            if parent is not None and parent.model in owners and (*parent.path, key) in errors:
                owners = [parent.model]  # the entry around these ids misses this very key: it slipped out of it
            elif node.model in owners:
                owners = [node.model]
            what = " or ".join(_a(kinds[m]) for m in owners)
            message = f"{key!r} is a key of {what}, found where {_a(kind)} id is expected"
            empty = _empty_before(node, key)
            if empty is not None and node.model in owners:  # the entry just above has nothing under it: this is its key
                eline, ecol = node.data.key_marks[empty]
                where = f"; indent it to column {ecol + 2}, under the {kind} {empty!r} (line {eline})"
                slips.append(Slip(line, col, message + where, (loc, (*node.path, empty))))
                continue
            home = parent if parent is not None and owners == [parent.model] else _home(owners, nodes, line)
            explains = (loc, (*home.path, key)) if home else (loc,)
            slips.append(Slip(line, col, message + _where(home, kinds, by_path), explains))
    for loc in unknown:
        parent, key = by_path.get(loc[:-1]), loc[-1]
        if parent is None or parent.level or not isinstance(key, str):
            continue
        line, col = parent.data.key_marks.get(key, (0, 0))
        owners = [m for m in _owner_of(key, kinds, entries) if m is not parent.model]
        value = parent.data.get(key)
        fields = set(field_names(parent.model))
        level = by_path.get(loc[:-2])
        if owners:
            home = _home(owners, nodes, line)
            what = " or ".join(_a(kinds[m]) for m in owners)
            message = f"{key!r} is a key of {what}, not of {_a(kinds[parent.model])}{_where(home, kinds, by_path)}"
            slips.append(Slip(line, col, message, (loc,)))
        elif level is not None and level.level and isinstance(value, dict) and value and set(value) <= fields:
            kind = kinds[parent.model]
            first = next(iter(level.data))
            fline, fcol = level.data.key_marks[first]
            message = (
                f"{key!r} looks like {_a(kind)} id, found among the keys of the {kind} {loc[-2]!r}; "
                f"indent it to column {fcol}, like {first!r} (line {fline})"
            )
            slips.append(Slip(line, col, message, (loc,)))
    return slips


def _hinted(message: str) -> str:
    """The key a 'did you mean' message suggests ('' if none)."""
    found = re.search(r"did you mean '([^']*)'\?$", message)
    return found.group(1) if found else ""


def misspelled(loc: Loc, messages: dict[Loc, str]) -> bool:
    """Whether the key missing at ``loc`` follows from a misspelled one beside it ('change:' for 'changes:')."""
    return any(
        other[:-1] == loc[:-1] and text.startswith("unknown key") and _hinted(text) == loc[-1]
        for other, text in messages.items()
    )


def with_required(loc: Loc, messages: dict[Loc, str]) -> str:
    """The message of the unknown key at ``loc``; it says the key it suggests is required when that one is missing."""
    message = messages[loc]
    meant = _hinted(message)
    if meant and messages.get((*loc[:-1], meant)) == f"missing required key {meant!r}":
        return f"{message.removesuffix('?')} (required)?"
    return message


def slipped_ids(entry: Any, fields: set[str]) -> list[str]:
    """Keys of an entry that look like ids slipped into it: their value is a mapping of the entry's own keys.

    >>> slipped_ids({"type": "page", "/pricing/": {"type": "page"}}, {"type", "name"})
    ['/pricing/']
    """
    if not isinstance(entry, dict):
        return []
    return [k for k, v in entry.items() if k not in fields and isinstance(v, dict) and v and set(v) <= fields]
