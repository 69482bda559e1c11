"""Salesforce metadata (source format or the older Metadata API layout) as a snapshot for ``impact changes``.

Ids are those ``impact import salesforce`` writes (``object/Lead``,
``field/Lead.Status``, ``validation-rule/Lead.Rule``, ``flow/Name``,
``workflow-rule/Lead.Rule``, ``assignment-rule/Lead.Rule``, ``queue/Name``,
``apex-class/Name``, ``apex-trigger/Name``); both layouts go through
:func:`impact.importers.salesforce_layout.split`, as the importer's do. What
each part of an element touches is in
:mod:`impact.importers.changes.salesforce_facets`.

With ``only`` (the paths that changed), only those files are read; a changed
``.object`` file of the older layout is read whole, and a changed
``X.cls-meta.xml`` reads its class too.

Examples
--------
>>> from impact.importers.changes.model import FolderTree
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "objects" / "Lead" / "fields").mkdir(parents=True)
>>> xml = "<CustomField><label>Tier</label><type>Text</type></CustomField>"
>>> _ = (root / "objects/Lead/fields/Tier__c.field-meta.xml").write_text(xml)
>>> sorted(snapshot(FolderTree(root)))
['salesforce:field/Lead.Tier__c']
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from impact.importers.changes.model import AssetState, Facet, Snapshot, Tree
from impact.importers.changes.salesforce_facets import (
    CANVAS,
    canon,
    child_text,
    field_facets,
    flow_facets,
    fold,
    local,
    rule_facets,
    status_word,
)
from impact.importers.salesforce_formulas import strip_formula
from impact.importers.salesforce_layout import Item, kind_of, split
from impact.importers.xmlread import parse_xml

KIND = "salesforce"
_NAMELESS = CANVAS | {"fullName"}


def _api(path: PurePosixPath, suffix: str) -> str:
    return unquote(path.name[: -len(suffix)])


def _object(item: Item) -> str:
    return item.path.parent.parent.name


def _state(aid: str, facets: dict[str, Facet], body: str = "") -> AssetState:
    return AssetState(aid, facets, body)


def _object_state(item: Item, el: Element) -> Iterator[tuple[str, dict[str, Facet], str]]:
    facets: dict[str, Facet] = {}
    for tag, key, aspect, label in (
        ("label", "label", "name", "label"),
        ("pluralLabel", "plural", "name", "plural label"),
        ("description", "description", "content", "description"),
        ("deploymentStatus", "deployment", "availability", "deployment status"),
        ("sharingModel", "sharing", "logic", "sharing model"),
        ("visibility", "visibility", "availability", "visibility"),
    ):
        if child_text(el, tag):
            facets[key] = Facet(aspect, child_text(el, tag), label)
    name_field = next((c for c in el if local(c.tag) == "nameField"), None)
    if name_field is not None:
        facets["name-field"] = Facet("schema", canon(name_field), "name field")
    yield f"object/{_api(item.path, '.object-meta.xml')}", facets, ""


def _rules(
    el: Element, tag: str, prefix: str, obj: str, logic: tuple[str, ...], content: tuple[str, ...]
) -> Iterator[tuple[str, dict[str, Facet], str]]:
    for rule in el:
        if local(rule.tag) != tag or not child_text(rule, "fullName"):
            continue
        name = unquote(child_text(rule, "fullName"))
        yield f"{prefix}/{obj}.{name}", rule_facets(rule, logic, content), canon(rule, _NAMELESS)


def _workflow(item: Item, el: Element) -> Iterator[tuple[str, dict[str, Facet], str]]:
    """Workflow rules; an action's own definition (a field update's formula, say) counts as the rule's logic."""
    obj = _api(item.path, ".workflow-meta.xml")
    actions = {child_text(a, "fullName"): canon(a) for a in el if local(a.tag) != "rules" and child_text(a, "fullName")}
    for aid, facets, body in _rules(
        el,
        "rules",
        "workflow-rule",
        obj,
        ("criteriaItems", "booleanFilter", "formula", "triggerType", "actions", "workflowTimeActions"),
        ("description",),
    ):
        rule = next(
            r
            for r in el
            if local(r.tag) == "rules" and f"workflow-rule/{obj}.{unquote(child_text(r, 'fullName'))}" == aid
        )
        used = sorted({child_text(a, "name") for a in rule.iter() if local(a.tag) == "actions"})
        defined = "".join(actions.get(name, "") for name in used)
        if defined:
            facets["action-definitions"] = Facet("logic", defined, "actions' definitions")
        yield aid, facets, body


def _queue(item: Item, el: Element) -> Iterator[tuple[str, dict[str, Facet], str]]:
    facets: dict[str, Facet] = {}
    name = child_text(el, "fullName") or _api(item.path, ".queue-meta.xml")
    for tag, key, aspect, label in (
        ("name", "label", "name", "label"),
        ("description", "description", "content", "description"),
        ("email", "email", "content", "email"),
    ):
        if child_text(el, tag):
            facets[key] = Facet(aspect, child_text(el, tag), label)
    for tag, key, aspect, label in (
        ("queueMembers", "members", "data", "members"),
        ("queueSobject", "objects", "schema", "objects"),
    ):
        parts = tuple(sorted(canon(c) for c in el if local(c.tag) == tag))
        if parts:
            facets[key] = Facet(aspect, "".join(parts), label)
    rest = "".join(
        sorted(
            canon(c)
            for c in el
            if local(c.tag) not in ("name", "description", "email", "queueMembers", "queueSobject", "fullName")
        )
    )
    if rest:
        facets["settings"] = Facet("logic", rest, "queue settings")
    yield f"queue/{name}", facets, canon(el, _NAMELESS | {"name"})


def _element_states(item: Item) -> Iterator[tuple[str, dict[str, Facet], str]]:
    el = item.element
    assert el is not None
    if item.kind == "object":
        yield from _object_state(item, el)
    elif item.kind == "field":
        name = child_text(el, "fullName") or _api(item.path, ".field-meta.xml")
        yield f"field/{_object(item)}.{name}", field_facets(el), canon(el, _NAMELESS)
    elif item.kind == "validation-rule":
        name = unquote(child_text(el, "fullName") or _api(item.path, ".validationRule-meta.xml"))
        facets = rule_facets(el, ("errorConditionFormula",), ("description", "errorMessage", "errorDisplayField"))
        yield f"validation-rule/{_object(item)}.{name}", facets, canon(el, _NAMELESS)
    elif item.kind == "flow":
        name = child_text(el, "fullName") or _api(item.path, ".flow-meta.xml")
        facets = flow_facets(el)
        body = "".join(f"{k}={f.value}" for k, f in sorted(facets.items()) if k != "status")
        yield f"flow/{name}", facets, body
    elif item.kind == "assignment-rules":
        obj = _api(item.path, ".assignmentRules-meta.xml")
        yield from _rules(el, "assignmentRule", "assignment-rule", obj, ("ruleEntry",), ())
    elif item.kind == "workflow":
        yield from _workflow(item, el)
    elif item.kind == "queue":
        yield from _queue(item, el)


def _code_state(tree: Tree, item: Item, raw: bytes) -> tuple[str, dict[str, Facet], str]:
    """An Apex class or trigger: its code (comments and whitespace aside) and the status of its ``-meta.xml``."""
    suffix = ".cls" if item.kind == "apex-class" else ".trigger"
    name = _api(item.path, suffix)
    code = fold(re.sub(r"//[^\n]*", " ", strip_formula(raw.decode("utf-8", "replace"))))
    facets = {"code": Facet("logic", code, "code")} if code else {}
    try:
        meta = parse_xml(
            tree.read(item.source.as_posix() + "-meta.xml"),
            item.source.as_posix() + "-meta.xml",
            "Salesforce metadata file",
        )
    except KeyError:
        meta = None
    status = child_text(meta, "status") if meta is not None else ""
    if status:
        facets["status"] = Facet("availability", status_word(status), "status")
    body = re.sub(rf"\b{re.escape(name)}\b", "", code, flags=re.I) if code else ""
    return f"{item.kind}/{name}", facets, body


def _wanted(tree: Tree, only: set[str] | None) -> list[str]:
    if only is None:
        return tree.files()
    paths = set(only)
    for path in only:
        if path.endswith((".cls-meta.xml", ".trigger-meta.xml")):
            paths.add(path[: -len("-meta.xml")])
    return sorted(paths)


def snapshot(
    tree: Tree, system: str = "salesforce", only: set[str] | None = None, options: Mapping[str, object] | None = None
) -> Snapshot:
    """Every asset of the metadata files in ``tree`` (or of the ``only`` ones), by canonical id."""
    out: Snapshot = {}
    for path in _wanted(tree, only):
        if kind_of(path) is None:  # list views, layouts, translations...: not read at all
            continue
        at = PurePosixPath(path)
        try:
            raw = tree.read(path)
        except KeyError:  # not in this version of the export
            continue
        for item in split(at, raw, path):
            states = [_code_state(tree, item, raw)] if item.element is None else list(_element_states(item))
            for key, facets, body in states:
                aid = f"{system}:{key}"
                standard = item.kind == "object" and "__" not in key  # Account, Lead...: no org can delete them
                out[aid] = AssetState(aid, facets, body, item.kind, permanent=standard)
    return out
