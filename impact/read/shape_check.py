"""Checking the shape of a parsed file against its model: the spec, or problems a person can act on.

pydantic's errors are turned into messages a marketer can act on, each at
``file:line:col``, root causes first (a slipped key explains what follows from
it: :mod:`impact.read.slips`). A catalog file that fails keeps its valid
entries (:func:`salvage_catalog_file`), so the loader can still check the
links of everything else in it.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from impact.core.errors import Problem
from impact.read.gcpause import gc_paused
from impact.read.schema import AssetSpec, CatalogFileSpec, SystemSpec, TeamSpec, TestSpec
from impact.read.slips import field_names as _field_names
from impact.read.slips import find_slips, misspelled, slipped_ids, unwrap, with_required

if TYPE_CHECKING:
    from impact.read.yamlio import YamlDoc

_SpecT = TypeVar("_SpecT", bound=BaseModel)

_KINDS: dict[type, str] = {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}


def _kind_of(value: Any) -> str:
    for kind, name in _KINDS.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that owns the last step of ``loc``, to list its keys for 'did you mean'."""
    current: Any = model
    for step in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next((f for n, f in current.model_fields.items() if step in (n, f.alias)), None)
            if field is None:
                return None
            current = unwrap(field.annotation)
        else:  # list[X] or dict[K, X]: the step is an index or a key
            args = get_args(current)
            if not args:
                return None
            current = unwrap(args[-1])
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _message(err: ErrorDetails, model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = err["type"]
    value = err.get("input")
    name = str(loc[-1]) if loc else "file"
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        allowed = _field_names(owner) if owner else []
        hint = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        text = f"unknown key {name!r}"
        if hint:
            return f"{text}; did you mean {hint[0]!r}?"
        return f"{text}; allowed here: {', '.join(allowed)}" if allowed else text
    if kind == "missing":
        return f"missing required key {name!r}"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        words = re.findall(r"'([^']*)'", expected)
        where = name if not isinstance(loc[-1], int) or len(loc) < 2 else str(loc[-2])
        # The same word in another case ('Rename') gets a suggestion; so does a near miss of an
        # aspect word, new to everyone ('remove' is not a near miss of 'rename': it means 'delete').
        same = [w for w in words if isinstance(value, str) and w.casefold() == value.casefold()]
        close = where in ("uses", "aspects") and isinstance(value, str)
        hint = same or (difflib.get_close_matches(str(value), words, n=1, cutoff=0.6) if close else [])
        return f"{where}: {value!r} is not one of {expected}" + (f"; did you mean {hint[0]!r}?" if hint else "")
    if kind == "string_pattern_mismatch":
        if "A-Za-z0-9_" in err.get("ctx", {}).get("pattern", ""):
            return (
                f"{value!r} is not a valid id: use letters, digits, '-', '_' and '.', starting with a letter or digit"
            )
        return (
            f"{value!r} is not valid here: no control characters, no leading spaces, no tabs or line breaks at the end"
        )
    if kind == "string_too_short":
        where = name if not isinstance(loc[-1], int) or len(loc) < 2 else str(loc[-2])
        return f"{where}: an empty text is not allowed here; remove it or write the value"
    if kind == "string_too_long":
        return f"{name}: text is too long ({len(value or '')} characters; at most {err['ctx']['max_length']})"
    if kind == "too_short":
        return f"{name}: must list at least one item"
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        want = {"string_type": "text", "list_type": "a list", "dict_type": "a mapping"}.get(kind, "a mapping")
        return f"{name}: expected {want}, found {_kind_of(value)}"
    if kind == "value_error":
        return f"{name}: {err['msg'].removeprefix('Value error, ')}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{name}: {err['msg'].lower()}"
    return f"{name}: {err['msg']}"


def validate(model: type[_SpecT], doc: YamlDoc) -> tuple[_SpecT | None, list[Problem]]:
    """Validate a parsed file against ``model``; every problem located in the file."""
    try:
        with gc_paused():  # a large file builds ~100,000 models: see gc_paused
            return model.model_validate(doc.data), []
    except ValidationError as exc:
        return None, _problems(model, doc, exc.errors(include_url=False))


def _problems(model: type[BaseModel], doc: YamlDoc, errors: list[ErrorDetails]) -> list[Problem]:
    """pydantic's errors as problems, root causes first: a slipped key explains what follows from it."""
    found = []
    for err in errors:
        loc = tuple(err["loc"])
        is_key = bool(loc) and loc[-1] == "[key]"
        found.append((loc[:-1] if is_key else loc, is_key, err))
    unknown = [loc for loc, _, err in found if err["type"] == "extra_forbidden"]
    slips = find_slips(model, doc.data, [loc for loc, _, _ in found], unknown)
    explained = [loc for slip in slips for loc in slip.explains]
    problems = [Problem(doc.file, s.line, s.col, s.message) for s in slips]
    messages = {loc: _message(err, model, loc) for loc, _, err in found}
    for loc, is_key, err in found:
        if any(loc[: len(e)] == e for e in explained) or (err["type"] == "missing" and misspelled(loc, messages)):
            continue
        message = with_required(loc, messages) if err["type"] == "extra_forbidden" else messages[loc]
        problems.append(doc.problem(loc, message, key=is_key or err["type"] == "extra_forbidden"))
    return sorted(set(problems))


def _valid(model: type[BaseModel], value: Any) -> bool:
    try:
        model.model_validate(value)
    except ValidationError:
        return False
    return True


def _drop(dropped: set[str], ident: str) -> bool:
    """Remember an entry left out; False, so a filter leaves it out."""
    dropped.add(ident)
    return False


def salvage_catalog_file(data: Any) -> tuple[CatalogFileSpec, set[str]]:
    """The valid entries of a file that failed validation, and the ids of the dropped ones.

    Problems were already reported by :func:`validate`; salvaging lets the
    loader still check the links of everything else in the file, so one typo
    does not hide the next problem. The dropped ids (``'team:x'``,
    ``'asset:s:k'``, ``'test:t'``) are known to exist, so references to them
    are not reported again as dangling.
    """
    dropped: set[str] = set()
    out: dict[str, Any] = {}
    if not isinstance(data, dict):
        return CatalogFileSpec(), dropped
    for section, kind, model in (("teams", "team", TeamSpec), ("tests", "test", TestSpec)):
        entries = data.get(section)
        if isinstance(entries, dict):
            out[section] = {k: v for k, v in entries.items() if _valid(model, v) or _drop(dropped, f"{kind}:{k}")}
    systems = data.get("systems")
    if isinstance(systems, dict):
        kept = {}
        for sid, system in systems.items():
            if not isinstance(system, dict):
                continue
            assets = system.get("assets")
            assets = assets if isinstance(assets, dict) else {}
            good = {k: a for k, a in assets.items() if _valid(AssetSpec, a) or _drop(dropped, f"asset:{sid}:{k}")}
            # An asset id slipped into the keys of the asset above it exists too (see impact.read.slips).
            fields = set(_field_names(AssetSpec))
            slipped = (f"asset:{sid}:{s}" for k, a in assets.items() if k not in good for s in slipped_ids(a, fields))
            dropped.update(slipped)
            candidate = {**system, "assets": good}
            if _valid(SystemSpec, candidate):
                kept[sid] = candidate
            else:
                dropped.update(f"asset:{sid}:{k}" for k in assets)
        out["systems"] = kept
    try:
        return CatalogFileSpec.model_validate(out), dropped
    except ValidationError:  # e.g. an id that is not a valid id: nothing to salvage
        return CatalogFileSpec(), dropped | {f"file:{id(data)}"}
