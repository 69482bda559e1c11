"""A Google Tag Manager container's snapshot: what ``impact changes gtm`` compares of tags, triggers and variables.

The pinned rules (issue #22):

- assets are matched by name (``tag/<name>``, as ``impact import gtm``
  writes them): GTM renumbers ids between exports, so ids, fingerprints,
  timestamps, account and container ids, folders and the order of lists are
  never compared; a trigger is named by its name wherever a tag or a group
  refers to it by id, and a built-in variable by its one name
  (``{{_event}}`` is ``{{Event}}``, see :mod:`impact.importers.gtm_builtins`);
- a tag's type and parameters, its firing and blocking triggers, and a
  trigger's type, filters and parameters → ``logic``: one facet per
  parameter and per variable a filter tests, so a note reads
  ``Page Path filter: equals → contains``;
- a tag's ``paused`` → ``availability`` (``status: active → paused``);
- notes → ``content``;
- a rename keeps the same body (everything but the name) under a new name.

Examples
--------
>>> import json, tempfile, pathlib
>>> export = {"containerVersion": {"tag": [{"name": "GA4", "tagId": "7", "type": "gaawe", "paused": True,
...     "firingTriggerId": ["2147479553"]}], "trigger": [], "variable": []}}
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "GTM-1.json").write_text(json.dumps(export))
>>> state = snapshot(FolderTree(folder), "gtm")["gtm:tag/GA4"]
>>> state.facets["paused"].value, state.facets["firing"].value
('paused', ('All Pages',))
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from impact.core.errors import ImpactError, Problem
from impact.importers.changes.model import AssetState, Facet, FolderTree, Snapshot, Tree
from impact.importers.gtm import BUILT_IN_TRIGGERS, _container
from impact.importers.gtm_builtins import builtin_names, resolve

__all__ = ["FolderTree", "condition_words", "snapshot"]

_VAR = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_NOISE_KEYS = {"uniqueTriggerId"}  # parameters GTM numbers itself
_ORDERED_VARIABLES = {"remm", "smm"}  # regex and lookup tables: the first match wins
_OPERATORS = {
    "EQUALS": "equals",
    "CONTAINS": "contains",
    "STARTS_WITH": "starts with",
    "ENDS_WITH": "ends with",
    "MATCH_REGEX": "matches RegEx",
    "CSS_SELECTOR": "matches CSS selector",
    "GREATER": "greater than",
    "GREATER_OR_EQUALS": "greater than or equal to",
    "LESS": "less than",
    "LESS_OR_EQUALS": "less than or equal to",
}
_NEGATED = {
    "EQUALS": "does not equal",
    "CONTAINS": "does not contain",
    "STARTS_WITH": "does not start with",
    "ENDS_WITH": "does not end with",
    "MATCH_REGEX": "does not match RegEx",
    "CSS_SELECTOR": "does not match CSS selector",
}


class _Names:
    """How one export names what it refers to by id or by a variant spelling."""

    def __init__(self, container: dict[str, Any]) -> None:
        triggers = [t for t in container.get("trigger") or [] if isinstance(t, dict)]
        self.triggers = {str(t.get("triggerId")): str(t.get("name")) for t in triggers}
        self.defined = {str(v.get("name")) for v in container.get("variable") or [] if isinstance(v, dict)}
        self.builtins = builtin_names(container.get("builtInVariable") or [])

    def trigger(self, tid: Any) -> str:
        return self.triggers.get(str(tid)) or BUILT_IN_TRIGGERS.get(str(tid)) or f"Built-in trigger {tid}"

    def template(self, text: str) -> str:
        """A template with each ``{{variable}}`` spelt by its one name."""
        return _VAR.sub(lambda m: "{{" + resolve(m.group(1), self.defined, self.builtins) + "}}", text)


def _canonical(value: Any, names: _Names, ordered: bool = False) -> Any:
    """A parameter value with ids named, variables spelt one way and unordered lists sorted."""
    if isinstance(value, dict):
        if value.get("type") == "TRIGGER_REFERENCE" and "value" in value:
            return {"type": "TRIGGER_REFERENCE", "value": names.trigger(value["value"])}
        return {k: _canonical(v, names, ordered) for k, v in sorted(value.items()) if k not in ("parameterId",)}
    if isinstance(value, list):
        items = [_canonical(v, names, ordered) for v in value]
        return items if ordered else sorted(items, key=lambda i: json.dumps(i, sort_keys=True))
    if isinstance(value, str):
        return names.template(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, dict) and set(value) <= {"type", "key", "value"} and isinstance(value.get("value"), str):
        return str(value["value"])  # a plain template: its text reads best
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _parameters(params: Any, names: _Names, ordered: bool = False) -> dict[str, Facet]:
    facets: dict[str, Facet] = {}
    for param in params if isinstance(params, list) else []:
        if not isinstance(param, dict) or not isinstance(param.get("key"), str) or param["key"] in _NOISE_KEYS:
            continue
        value = _canonical({k: v for k, v in param.items() if k != "key"}, names, ordered)
        facets[f"param:{param['key']}"] = Facet("logic", _text(value), param["key"])
    return facets


def condition_words(condition: dict[str, Any], names: _Names) -> tuple[str, str, str]:
    """A filter condition as (variable, operator, value): ``('Page Path', 'equals', '/pricing')``."""
    params = {p.get("key"): p.get("value") for p in condition.get("parameter") or [] if isinstance(p, dict)}
    arg0, arg1 = str(params.get("arg0") or ""), names.template(str(params.get("arg1") or ""))
    match = _VAR.fullmatch(arg0.strip())
    variable = resolve(match.group(1), names.defined, names.builtins) if match else names.template(arg0)
    kind = str(condition.get("type", ""))
    words = _OPERATORS.get(kind, kind.lower().replace("_", " "))
    if str(params.get("negate")).lower() == "true":
        words = _NEGATED.get(kind, f"not {words}")
    if str(params.get("ignore_case")).lower() == "true":
        words += " (ignore case)"
    return variable, words, arg1


def _filters(trigger: dict[str, Any], names: _Names) -> dict[str, Facet]:
    """One facet per variable a trigger's conditions test: its operators, and its values."""
    tested: dict[str, list[tuple[str, str]]] = {}
    for key in ("filter", "autoEventFilter", "customEventFilter"):
        for cond in trigger.get(key) or []:
            if isinstance(cond, dict):
                variable, words, value = condition_words(cond, names)
                tested.setdefault(variable, []).append((words, value))
    facets: dict[str, Facet] = {}
    for variable, pairs in sorted(tested.items()):
        pairs.sort()
        facets[f"filter:{variable}"] = Facet("logic", " & ".join(w for w, _ in pairs), f"{variable} filter")
        facets[f"value:{variable}"] = Facet("logic", " & ".join(v for _, v in pairs), f"{variable} filter value")
    return facets


def _common(item: dict[str, Any], names: _Names) -> dict[str, Facet]:
    facets = {"type": Facet("logic", str(item.get("type", "")), "type")}
    if item.get("notes"):
        facets["notes"] = Facet("content", " ".join(str(item["notes"]).split()), "notes")
    return facets


def _tag(tag: dict[str, Any], names: _Names) -> dict[str, Facet]:
    facets = _common(tag, names) | _parameters(tag.get("parameter"), names)
    facets["paused"] = Facet("availability", "paused" if tag.get("paused") is True else "active", "status")
    for key, label in (("firingTriggerId", "firing triggers"), ("blockingTriggerId", "blocking triggers")):
        facets[key.removesuffix("TriggerId")] = Facet(
            "logic", tuple(sorted({names.trigger(t) for t in tag.get(key) or []})), label
        )
    for key, label in (("setupTag", "setup tag"), ("teardownTag", "cleanup tag")):
        sequenced = sorted(str(s.get("tagName")) for s in tag.get(key) or [] if isinstance(s, dict))
        if sequenced:
            facets[key] = Facet("logic", tuple(sequenced), label)
    for key, label in (
        ("tagFiringOption", "firing option"),
        ("priority", "priority"),
        ("liveOnly", "live only"),
        ("scheduleStartMs", "schedule start"),
        ("scheduleEndMs", "schedule end"),
        ("consentSettings", "consent settings"),
    ):
        if tag.get(key) not in (None, "", {}):
            facets[key] = Facet("logic", _text(_canonical(tag[key], names)), label)
    return facets


def _trigger(trigger: dict[str, Any], names: _Names) -> dict[str, Facet]:
    facets = _common(trigger, names) | _filters(trigger, names) | _parameters(trigger.get("parameter"), names)
    for key in (
        "waitForTags",
        "checkValidation",
        "waitForTagsTimeout",
        "eventName",
        "interval",
        "limit",
        "selector",
        "verticalScrollPercentageList",
    ):
        if trigger.get(key) not in (None, ""):
            facets[key] = Facet("logic", _text(_canonical(trigger[key], names)), key)
    return facets


def _variable(variable: dict[str, Any], names: _Names) -> dict[str, Facet]:
    ordered = variable.get("type") in _ORDERED_VARIABLES
    facets = _common(variable, names) | _parameters(variable.get("parameter"), names, ordered)
    if variable.get("formatValue"):
        facets["formatValue"] = Facet("logic", _text(_canonical(variable["formatValue"], names)), "format value")
    return facets


def _states(container: dict[str, Any], system: str) -> Snapshot:
    names = _Names(container)
    out: Snapshot = {}
    for kind, key, read in (
        ("tag", "tag", _tag),
        ("trigger", "trigger", _trigger),
        ("variable", "variable", _variable),
    ):
        for item in container.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                facets = read(item, names)
                body = json.dumps({k: (f.aspect, f.value) for k, f in sorted(facets.items())}, ensure_ascii=False)
                aid = f"{system}:{kind}/{item['name']}"
                out[aid] = AssetState(aid, facets, body)
    return out  # built-in variables are GTM's, not the container's: switching one on is no change to an asset


def _read(tree: Tree, path: str) -> dict[str, Any]:
    raw = tree.read(path)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImpactError(
            Problem(path, 0, 0, "this file is not UTF-8 text; is it really a Google Tag Manager export?")
        ) from None
    except json.JSONDecodeError as exc:
        raise ImpactError(
            Problem(path, exc.lineno, exc.colno, f"not valid JSON ({exc.msg}); export the container again")
        ) from None
    return _container(data, path)


def snapshot(
    tree: Tree, system: str = "gtm", only: set[str] | None = None, options: Mapping[str, object] | None = None
) -> Snapshot:
    """Every tag, trigger and variable of the container export(s) in ``tree``, by name."""
    out: Snapshot = {}
    for path in tree.files():
        if path.endswith(".json") and (only is None or path in only or len(tree.files()) == 1):
            out.update(_states(_read(tree, path), system))
    return out
