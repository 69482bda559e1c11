"""What a Salesforce metadata element holds, as facets: the pinned rules of what each part touches.

- ``label`` → ``name``; ``description``, ``inlineHelpText``, error messages → ``content``;
- picklist values (``valueSet``/``valueSetDefinition``, the older ``picklist``) → ``values``;
- a formula, lookup filter, roll-up, validation condition, workflow or
  assignment criteria, flow elements and record-trigger conditions, Apex code → ``logic``;
- ``type``, ``length``, ``precision``, ``scale``, ``referenceTo``,
  ``externalId``, ``unique``, ``required`` → ``schema``;
- a rule's ``active``, a flow's or a class's ``status`` → ``availability``.

Values are canonical: whitespace folded, elements in a canonical order (a
re-indented or re-ordered file is the same), flow canvas positions and the
builder's own bookkeeping left out. Anything a field holds that no rule names
is compared as its ``settings`` (``schema``); tracking flags and governance
tags are left out.

Examples
--------
>>> from xml.etree.ElementTree import fromstring
>>> el = fromstring("<CustomField><fullName>S</fullName><label>Stage</label><length> 80 </length></CustomField>")
>>> sorted((k, f.aspect, f.value) for k, f in field_facets(el).items())
[('label', 'name', 'Stage'), ('length', 'schema', '80')]
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from impact.importers.changes.model import Facet

CANVAS = frozenset({"locationX", "locationY"})
"""Where an element sits on the flow canvas: moving it is not a change."""

RETRIEVE_NOISE = frozenset({"nameSegment", "offset", "versionSegment", "areMetricsLoggedToDataCloud"})
"""What a retrieve with a newer API version writes into an unchanged flow (an action's name again, defaults)."""

_BUILDER_KEYS = frozenset({"BuilderType", "CanvasMode", "OriginBuilderType"})

# A field's parts: tag → (facet key, aspect, label). Tags not listed and not ignored fall into "settings".
_FIELD = {
    "label": ("label", "name", "label"),
    "description": ("description", "content", "description"),
    "inlineHelpText": ("help", "content", "help text"),
    "formula": ("formula", "logic", "formula"),
    "formulaTreatBlanksAs": ("formula-blanks", "logic", "formula blanks"),
    "lookupFilter": ("lookup-filter", "logic", "lookup filter"),
    "defaultValue": ("default", "logic", "default value"),
    "summaryFilterItems": ("rollup", "logic", "roll-up summary"),
    "summaryOperation": ("rollup", "logic", "roll-up summary"),
    "summarizedField": ("rollup", "logic", "roll-up summary"),
    "summaryForeignKey": ("rollup", "logic", "roll-up summary"),
    "type": ("type", "schema", "type"),
    "length": ("length", "schema", "length"),
    "precision": ("precision", "schema", "precision"),
    "scale": ("scale", "schema", "scale"),
    "referenceTo": ("reference-to", "schema", "references"),
    "externalId": ("external-id", "schema", "external id"),
    "unique": ("unique", "schema", "unique"),
    "required": ("required", "schema", "required"),
}
_FIELD_IGNORED = frozenset(
    {
        "fullName", "trackHistory", "trackFeedHistory", "trackTrending", "fieldManageability",
        "securityClassification", "complianceGroup", "businessStatus", "businessOwnerGroup",
        "businessOwnerUser", "externalDeveloperName", "valueSet", "picklist", "dataSensitivity",
    }
)  # fmt: skip


_TAGS: dict[str, str] = {}


def local(tag: str) -> str:
    """An element's tag without its namespace (remembered: a whole org repeats a few hundred tags millions of times)."""
    found = _TAGS.get(tag)
    if found is None:
        found = _TAGS[tag] = tag.rsplit("}", 1)[-1]
    return found


def fold(text: str | None) -> str:
    """Text with its whitespace folded: re-indenting changes nothing."""
    return " ".join((text or "").split())


def canon(el: Element, drop: frozenset[str] = CANVAS) -> str:
    """An element as one canonical string: folded text, children in sorted order, ``drop`` tags left out."""
    kids = sorted(canon(child, drop) for child in el if local(child.tag) not in drop)
    tag = local(el.tag)
    return f"<{tag}>{fold(el.text)}{''.join(kids)}</{tag}>"


def child_text(el: Element, tag: str) -> str:
    for child in el:
        if local(child.tag) == tag:
            return fold(child.text)
    return ""


DEFAULT_FALSE = frozenset(
    {"external-id", "unique", "required", "caseSensitive", "writeRequiresMasterRead", "reparentableMasterDetail"}
)
"""Flags that are ``false`` when a file leaves them out: writing ``false`` is no change."""


def _add(facets: dict[str, Facet], key: str, aspect: str, label: str, value: str | tuple[str, ...]) -> None:
    if key in DEFAULT_FALSE and value == "false":
        return
    if value:
        facets[key] = Facet(aspect, value, label)


def field_facets(el: Element) -> dict[str, Facet]:
    """The facets of a field (``CustomField``, or a ``<fields>`` element of an ``.object`` file)."""
    facets: dict[str, Facet] = {}
    grouped: dict[str, list[str]] = {}
    settings: list[str] = []
    for child in el:
        tag = local(child.tag)
        if tag in _FIELD:
            key, _, _ = _FIELD[tag]
            grouped.setdefault(key, []).append(canon(child) if len(child) else fold(child.text))
        elif tag in ("valueSet", "picklist"):
            facets.update(picklist_facets(child))
        elif tag not in _FIELD_IGNORED and not (tag in DEFAULT_FALSE and fold(child.text) == "false"):
            settings.append(canon(child))
    for key, aspect, label in _FIELD.values():
        if key in grouped and key not in facets:
            parts = grouped[key]
            _add(facets, key, aspect, label, tuple(sorted(parts)) if key == "reference-to" else "".join(sorted(parts)))
    _add(facets, "settings", "schema", "field settings", "".join(sorted(settings)))
    return facets


def _values(el: Element) -> Iterable[Element]:
    for child in el.iter():
        if local(child.tag) in ("value", "picklistValues", "customValue") and child_text(child, "fullName"):
            yield child


def picklist_facets(el: Element) -> dict[str, Facet]:
    """A picklist's values (active and inactive apart), labels, default and dependencies: all ``values``."""
    active: list[str] = []
    inactive: list[str] = []
    labels: list[str] = []
    default = ""
    for value in _values(el):
        name = unquote(child_text(value, "fullName"))
        (inactive if child_text(value, "isActive") == "false" else active).append(name)
        label = child_text(value, "label")
        if label and label != name:
            labels.append(f"{name} = {label}")
        if child_text(value, "default") == "true":
            default = name
    facets: dict[str, Facet] = {}
    _add(facets, "values", "values", "picklist values", tuple(sorted(active)))
    _add(facets, "values-inactive", "values", "inactive picklist values", tuple(sorted(inactive)))
    _add(facets, "value-labels", "values", "picklist value labels", "; ".join(sorted(labels)))  # text: not values
    _add(facets, "value-default", "values", "picklist default", default)
    rest = [canon(c) for c in el if local(c.tag) in ("controllingField", "valueSettings", "valueSetName", "restricted")]
    _add(facets, "value-rules", "values", "picklist settings", "".join(sorted(rest)))
    return facets


def status_word(value: str) -> str:
    """``true``/``false`` as ``active``/``inactive``; other statuses as written."""
    return {"true": "active", "false": "inactive"}.get(value.lower(), value)


def rule_facets(el: Element, logic: Iterable[str], content: Iterable[str] = ("description",)) -> dict[str, Facet]:
    """A validation, workflow or assignment rule: ``active``, its content tags, and its logic tags (one facet each)."""
    facets: dict[str, Facet] = {}
    active = child_text(el, "active")
    _add(facets, "active", "availability", "", status_word(active) if active else "")
    for tag in content:
        _add(facets, tag, "content", _words(tag), child_text(el, tag))
    for tag in logic:
        parts = sorted(canon(c) if len(c) else fold(c.text) for c in el if local(c.tag) == tag)
        _add(facets, tag, "logic", _words(tag), "".join(parts))
    return facets


def _words(tag: str) -> str:
    """``errorConditionFormula`` → ``error condition formula``."""
    out = "".join(f" {c.lower()}" if c.isupper() else c for c in tag)
    return out.strip()


_FLOW_DROP = CANVAS | RETRIEVE_NOISE


def flow_facets(el: Element) -> dict[str, Facet]:
    """A flow: label, description, status, record-trigger conditions, each element by its name, and its settings."""
    facets: dict[str, Facet] = {}
    _add(facets, "label", "name", "label", child_text(el, "label"))
    _add(facets, "description", "content", "description", child_text(el, "description"))
    _add(facets, "status", "availability", "status", child_text(el, "status"))
    settings: list[str] = []
    for child in el:
        tag = local(child.tag)
        if tag in ("label", "description", "status", "fullName", "apiVersion", "interviewLabel") or tag in _FLOW_DROP:
            continue
        if tag == "processMetadataValues" and child_text(child, "name") in _BUILDER_KEYS:
            continue
        if tag == "start":
            start = [c for c in child if local(c.tag) not in ("connector", *CANVAS)]
            _add(
                facets,
                "start",
                "logic",
                "record-trigger conditions",
                "".join(sorted(canon(c, _FLOW_DROP) for c in start)),
            )
            nexts = [canon(c, _FLOW_DROP) for c in child if local(c.tag) == "connector"]
            _add(facets, "start-next", "logic", "first flow element", "".join(nexts))
        elif child_text(child, "name"):
            name = child_text(child, "name")
            facets[f"element:{tag}:{name}"] = Facet("logic", canon(child, _FLOW_DROP), f"flow element {name}")
        else:
            settings.append(canon(child, _FLOW_DROP))
    _add(facets, "settings", "logic", "flow settings", "".join(sorted(settings)))
    return facets
