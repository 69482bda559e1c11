"""The shapes of the JSON exports the importers read, checked at the reading edge.

An export is untrusted: a field that should be a list may hold a number, a
name may be an object. Each importer checks the parsed JSON against the model
of the fields it reads (pydantic, every other field allowed and ignored)
before it walks it, so a wrong shape is one ``file: where: what`` line and exit
2, never a crash deep in the importer (exit 3 stays for impact's own bugs).
The models describe only what impact reads; they are not the tools' schemas.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, ValidationError

from impact.core.errors import ImpactError, Problem

Text = StrictStr | None
Ident = StrictStr | StrictInt


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Param(_Shape):
    key: Text = None


class _Condition(_Shape):
    type: Text = None
    parameter: list[_Param] | None = None


class _Named(_Shape):
    name: StrictStr
    notes: Text = None


class _Tag(_Named):
    firingTriggerId: list[Ident] | None = None
    blockingTriggerId: list[Ident] | None = None
    setupTag: list[Any] | None = None
    teardownTag: list[Any] | None = None
    paused: StrictBool | None = None


class _Trigger(_Named):
    triggerId: Ident | None = None
    type: Text = None
    filter: list[_Condition] | None = None
    autoEventFilter: list[_Condition] | None = None
    customEventFilter: list[_Condition] | None = None


class GtmContainer(_Shape):
    """What ``impact import gtm`` reads of a container (``containerVersion``, or a workspace's top level)."""

    tag: list[_Tag] | None = None
    trigger: list[_Trigger] | None = None
    variable: list[_Named] | None = None
    builtInVariable: list[_Named] | None = None


class _DependsOn(_Shape):
    nodes: list[StrictStr] | None = None


class _Node(_Shape):
    name: Text = None
    resource_type: Text = None
    description: Text = None
    label: Text = None
    attached_node: Text = None
    column_name: Text = None
    source_name: Text = None
    identifier: Text = None
    depends_on: _DependsOn | None = None
    test_metadata: dict[str, Any] | None = None
    columns: dict[str, Any] | None = None


class DbtManifest(_Shape):
    """What ``impact import dbt`` reads of ``manifest.json``."""

    nodes: dict[str, _Node]
    sources: dict[str, _Node] | None = None
    exposures: dict[str, _Node] | None = None
    unit_tests: dict[str, _Node] | None = None
    parent_map: dict[str, list[StrictStr]] | None = None


def check_shape(model: type[BaseModel], data: Any, name: str, what: str, at: str = "") -> None:
    """Refuse ``data`` with one ``name: where: what`` line when it is not of ``model``'s shape."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        errors = [(_where(at, e["loc"]), e) for e in exc.errors(include_url=False)]
        where = min(place for place, _ in errors)
        here = [e for place, e in errors if place == where]
        if any(e["type"] == "missing" for e in here):
            message = f"{where}: missing"
        else:
            expected = sorted({_expected(str(e["type"])) for e in here if e["type"] != "none_required"})
            message = f"{where}: expected {' or '.join(expected)}, found {_describe(here[0].get('input'))}"
        raise ImpactError(Problem(name, 0, 0, f"{message}; is it really a {what}? Export it again")) from None


def _where(at: str, loc: tuple[Any, ...]) -> str:
    out = at
    for item in loc:
        if isinstance(item, int):
            out += f"[{item}]"
        elif _is_branch(str(item)):
            continue
        elif _PLAIN.fullmatch(str(item)):
            out += f".{item}" if out else str(item)
        else:
            out += f"[{json.dumps(str(item))}]"
    return out or "the top level"


def _is_branch(part: str) -> bool:
    """pydantic's names of a union's branches in an error's place (``list[_Tag]``, ``str``), not keys of the file."""
    return part.startswith("_") or "[" in part or part in ("str", "int", "bool", "none", "dict", "list")


def _expected(kind: str) -> str:
    for word, said in (
        ("list", "a list"),
        ("dict", "an object"),
        ("model", "an object"),
        ("str", "text"),
        ("int", "a whole number"),
        ("bool", "true or false"),
    ):
        if word in kind:
            return said
    return kind.replace("_", " ")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
