"""Which picklist values a Salesforce automation tests: ``values:`` on its dependencies (issue #29).

A dependency lists values when everything the downstream asset does with
the field is compare it with literal values; anything else (copy it, pass it
on, compare it with another field, test it for a change) reads the whole
value and lists none. The comparisons read:

- formulas (formula fields, validation rules, workflow and assignment rule
  formulas, flow formulas): ``ISPICKVAL(Status, 'x')``, ``INCLUDES(f, 'x')``,
  ``TEXT(Status) = 'x'`` (or ``<>``, either side), ``CASE(Status, 'x', ...)``
  and ``CASE(TEXT(Status), 'x', ...)``;
- workflow and assignment rule ``criteriaItems``: ``equals``, ``notEqual``,
  ``includes`` and ``excludes`` with a ``value`` (comma-separated values);
- flows: decision, wait and other ``conditions`` of ``$Record.Field`` (or
  ``$Record__Prior``, Process Builder's ``myVariable_current``) against a
  ``stringValue``; ``filters`` of the start (record-triggered flows) and of
  record lookups, updates and deletes on a field against a ``stringValue``.

Only a field of the record itself counts (``Status``, ``$Record.Status``);
a reference through a lookup (``Account.Type``) reads the whole value.

How: the source is parsed once and read twice by the ordinary importer
(:func:`impact.importers.salesforce.read_salesforce_readings`), the second
time with every comparison above taken out of the metadata. A dependency found the
first time and not the second exists only through those comparisons: it tests
the values they name. Every other dependency is left as it was, so what the
importer finds is never changed, only narrowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from impact.core.vocabulary import ASPECTS
from impact.importers.merge import Imported, ImportedAsset
from impact.importers.salesforce import read_salesforce_readings
from impact.importers.salesforce_files import api_name, children, file_kind, no_progress, text_of
from impact.importers.salesforce_formulas import _COMMENT, _STRING
from impact.importers.xmlread import local

Tests = dict[tuple[str, str], set[str]]
"""(asset key, field key), both lower case → the values compared."""

Progress = Callable[[Iterable[Path], int, str], Iterable[Path]]

_NAME = r"\{!\s*[\w$.:]+\s*\}|[A-Za-z_$][\w$.:]*"
_REF = rf"PRIORVALUE\s*\(\s*(?:{_NAME})\s*\)|{_NAME}"
_STR = r"\"[^\"]*\"|'[^']*'"
_PICKVAL = re.compile(rf"\b(?:ISPICKVAL|INCLUDES)\s*\(\s*({_REF})\s*,\s*({_STR})\s*\)", re.I)
_TEXT_LEFT = re.compile(rf"\bTEXT\s*\(\s*({_REF})\s*\)\s*(?:==|=|<>|!=)\s*({_STR})", re.I)
_TEXT_RIGHT = re.compile(rf"({_STR})\s*(?:==|=|<>|!=)\s*TEXT\s*\(\s*({_REF})\s*\)", re.I)
_NEUTRAL = re.compile(rf"\b(?:ISCHANGED|ISBLANK|ISNULL)\s*\(\s*(?:TEXT\s*\(\s*({_REF})\s*\)|({_REF}))\s*\)", re.I)
_CASE = re.compile(rf"\bCASE\s*\(\s*(?:TEXT\s*\(\s*({_REF})\s*\)|({_REF}))\s*,", re.I)
_RECORD = re.compile(r"^(?:\$Record|\$Record__Prior|myVariable_current|myVariable_old)((?:\.[A-Za-z_]\w*)+)$", re.I)
MAX_VALUE = 255
"""Salesforce's longest picklist value: a longer literal is text, not a value (the whole value is read)."""

_FLOW_OPERATORS = {"equalto", "notequalto"}
_FLOW_NEUTRAL = {"ischanged", "isnull", "isblank"}
_VARIABLE_FIELD = re.compile(r"^\$?\w+(?:\.\w+)*\.(\w+)$")
_CRITERIA_OPERATIONS = {"equals", "notequal", "includes", "excludes"}


def read_salesforce_values(
    root: Path, system: str = "salesforce", owner: str | None = None, progress: Progress = no_progress
) -> Imported:
    """:func:`~impact.importers.salesforce.read_salesforce_source`, with the values each dependency tests."""
    tests: Tests = {}
    writes: Tests = {}

    def collect(roots: dict[Path, Element]) -> None:
        tests.update(compared_values(roots))
        writes.update(written_values(roots))

    def take_out(roots: dict[Path, Element]) -> None:
        if tests or writes:
            compared_values(roots, take_out=True)

    imported, plain = read_salesforce_readings(root, system, owner, progress, [collect, take_out])
    if not tests and not writes:
        return imported
    for sid, found in imported.systems.items():
        others = plain.systems[sid].assets
        for key, item in found.assets.items():
            _narrow(key, item, others.get(key), tests, writes)
        _writers(sid, found.assets, writes)
    return imported


def _narrow(key: str, item: ImportedAsset, plain: ImportedAsset | None, tests: Tests, writes: Tests) -> None:
    """The values (or no value) each dependency of ``item`` on a field uses, from the two readings.

    A dependency the plain reading (comparisons taken out) still finds on
    every aspect reads the whole value and is left alone; one it finds no
    more, or only as a writer's (on the field's name, schema and
    availability), exists through the comparisons and the writes alone.
    """
    for dep in item.depends_on:
        if not dep.partition(":")[2].startswith("field/"):
            continue
        if plain is not None and dep in plain.depends_on and plain.uses.get(dep) is None:
            continue  # read whole without the comparisons too
        at = (key.lower(), dep.rpartition(".")[2].lower())
        values = tests.get(at, set()) | writes.get(at, set())
        said = item.uses.get(dep)
        if values:
            item.values[dep] = sorted(values)
            if said is not None:  # a writer's dependency: its literal values matter too
                item.uses[dep] = sorted({*said, "values"})
        elif at in tests and said is None:  # only tested for a change or for blank: no value matters to it
            item.uses[dep] = [a for a in ASPECTS if a != "values"]


def _writers(sid: str, assets: dict[str, ImportedAsset], writes: Tests) -> None:
    """An automation that writes a literal value into a field it does not read depends on that value (uses: values)."""
    for key, item in assets.items():
        if not key.startswith("field/"):
            continue
        for writer in item.depends_on:
            wkey = writer.partition(":")[2]
            values = writes.get((wkey.lower(), key.rpartition(".")[2].lower()))
            if not values or wkey not in assets:
                continue
            target, dep = assets[wkey], f"{sid}:{key}"
            if dep not in target.depends_on:
                target.depends_on.append(dep)
                target.depends_on.sort()
                target.uses[dep], target.values[dep] = ["values"], sorted(values)


def compared_values(roots: dict[Path, Element], *, take_out: bool = False) -> Tests:
    """The values each asset compares each field with, by (asset key, field name); ``take_out`` removes the comparisons.

    A comparison that names no value (``ISCHANGED(Status)``, a flow's
    ``IsNull``) is taken out too, and adds no value: its key has no values.
    """
    found: Tests = {}
    for path, el in roots.items():
        kind = file_kind(path)
        compared = list(_comparisons(kind, path, el))
        for key, holder, flow in _formulas(kind, path, el):
            compared += _formula_comparisons(key, holder, flow)
        for key, name, _where, value in compared:
            values = found.setdefault((key.lower(), name.lower()), set())
            if value is not None:
                values.add(value)
        if take_out:
            for *_, where, _value in compared:
                where()
    return found


def written_values(roots: dict[Path, Element]) -> Tests:
    """The literal values each flow or workflow rule writes into a field, by (asset key, field name).

    A flow assigns ``$Record.Status = 'Assigned'`` or creates and updates
    records with ``stringValue`` field values; a workflow rule runs field
    updates with a ``literalValue``. Renaming the value breaks the writer.
    """
    found: Tests = {}
    for path, el in roots.items():
        kind = file_kind(path)
        if kind == "flow":
            _flow_writes(f"flow/{text_of(el, 'fullName') or api_name(path, '.flow-meta.xml')}", el, found)
        elif kind == "workflow":
            _workflow_writes(api_name(path, ".workflow-meta.xml"), el, found)
    return found


def _flow_writes(key: str, el: Element, found: Tests) -> None:
    """Literal values a flow writes; a field it writes from a variable in a flow with screen choices may get any of them
    (or any literal its conditions compare with)."""
    through: set[str] = set()
    for node in el.iter():
        tag = local(node.tag)
        if tag == "assignmentItems":  # $Record.Status, or a record variable (Lead_Loop.Status) saved later
            match = _VARIABLE_FIELD.match(text_of(node, "assignToReference") or "")
            if not match or (text_of(node, "operator") or "") != "Assign":
                continue
            name, value = match.group(1).lower(), _string(node, "value")
        elif tag == "inputAssignments":
            name, value = (text_of(node, "field") or "").lower(), _string(node, "value")
        else:
            continue
        if value is not None:
            found.setdefault((key.lower(), name), set()).add(value)
        elif name:
            through.add(name)
    choices = {v for n in el.iter() if local(n.tag) == "choices" for v in [_string(n, "value")] if v}
    if through and choices:  # a screen's choices: the flow writes one of them, and may compare with any of its literals
        literals = choices | {
            v for n in el.iter() if local(n.tag) == "conditions" for v in [_string(n, "rightValue")] if v
        }
        for name in through if literals else ():
            found.setdefault((key.lower(), name), set()).update(literals)


def _workflow_writes(obj: str, el: Element, found: Tests) -> None:
    literal = {
        text_of(fu, "fullName"): (text_of(fu, "field"), text_of(fu, "literalValue"))
        for fu in children(el, "fieldUpdates")
        if text_of(fu, "literalValue") and text_of(fu, "field")
    }
    for rule, (rule_el,) in _rules("workflow", obj, el):
        for action in [
            *children(rule_el, "actions"),
            *(a for t in children(rule_el, "workflowTimeActions") for a in children(t, "actions")),
        ]:
            name, value = literal.get(text_of(action, "name"), (None, None))
            if name and value:
                found.setdefault((rule.lower(), name.lower()), set()).add(value)


Comparison = tuple[str, str, Callable[[], None], str | None]
"""``(asset key, field name, what takes it out, value)``; no value: it tests for a change or for blank."""


def _blank(*elements: Element) -> Callable[[], None]:
    def take_out() -> None:
        for element in elements:
            element.text = ""

    return take_out


def _comparisons(kind: str | None, path: Path, el: Element) -> Iterator[Comparison]:
    """Each comparison written as metadata (not in a formula)."""
    if kind == "flow":
        yield from _flow_comparisons(path, el)
    elif kind in ("workflow", "assignment-rules"):
        obj = api_name(path, ".workflow-meta.xml" if kind == "workflow" else ".assignmentRules-meta.xml")
        for rule, entries in _rules(kind, obj, el):
            for entry in entries:
                for item in children(entry, "criteriaItems"):
                    yield from ((rule, *found) for found in _criteria_item(item))


def _rules(kind: str, obj: str, el: Element) -> Iterator[tuple[str, list[Element]]]:
    """Each rule's key and the elements holding its criteria."""
    if kind == "workflow":
        for rule_el in children(el, "rules"):
            name = unquote(text_of(rule_el, "fullName") or "")
            if name:
                yield f"workflow-rule/{obj}.{name}", [rule_el]
    else:
        for rule_el in children(el, "assignmentRule"):
            name = unquote(text_of(rule_el, "fullName") or "")
            if name:
                yield f"assignment-rule/{obj}.{name}", children(rule_el, "ruleEntry")


def _criteria_item(item: Element) -> Iterator[tuple[str, Callable[[], None], str | None]]:
    """A criteria item ``Case.Status equals New,Working`` (on any object the rule reaches): the field and values."""
    where = next(iter(children(item, "field")), None)
    ref, operation, value = (
        text_of(item, "field") or "",
        (text_of(item, "operation") or "").lower(),
        text_of(item, "value"),
    )
    values = [one.strip() for one in (value or "").split(",") if one.strip()]
    if where is None or not values or any(len(v) > MAX_VALUE for v in values) or operation not in _CRITERIA_OPERATIONS:
        return
    if not re.fullmatch(r"\w+(?:\.\w+)+", ref):  # Case.Status, EmailMessage's Case.Status, Lead.Partner__r.Tier__c
        return
    for one in values:
        yield ref.rpartition(".")[2], _blank(where), one


def _flow_comparisons(path: Path, el: Element) -> Iterator[Comparison]:
    key = f"flow/{text_of(el, 'fullName') or api_name(path, '.flow-meta.xml')}"
    for node in el.iter():
        tag = local(node.tag)
        if tag == "conditions":
            yield from _condition(key, node)
        elif tag in ("start", "recordLookups", "recordUpdates", "recordDeletes"):
            for flt in children(node, "filters"):
                where = next(iter(children(flt, "field")), None)
                name = (where.text or "").strip() if where is not None else ""
                operator, value = (text_of(flt, "operator") or "").lower(), _string(flt, "value")
                usable = operator in _FLOW_NEUTRAL or (operator in _FLOW_OPERATORS and value is not None)
                if where is not None and re.fullmatch(r"\w+", name) and usable:
                    yield key, name, _blank(where), value if operator in _FLOW_OPERATORS else None


def _condition(key: str, node: Element) -> Iterator[Comparison]:
    """A flow condition on a field of the record: against a ``stringValue``, for a change, or for null."""
    left = next(iter(children(node, "leftValueReference")), None)
    match = _RECORD.match((left.text or "").strip()) if left is not None else None
    if left is None or match is None:
        return
    name, operator = match.group(1).rpartition(".")[2], (text_of(node, "operator") or "").lower()
    value = _string(node, "rightValue")
    if operator in _FLOW_OPERATORS and value is not None:
        yield key, name, _blank(left), value
    elif operator in _FLOW_NEUTRAL:
        yield key, name, _blank(left), None
    elif operator == "notequalto":  # myVariable_old.Status <> myVariable_current.Status: Process Builder's "is changed"
        right = next((r for v in children(node, "rightValue") for r in children(v, "elementReference")), None)
        other = _RECORD.match((right.text or "").strip()) if right is not None else None
        if right is not None and other is not None and other.group(1).lower() == match.group(1).lower():
            yield key, name, _blank(left, right), None


def _process_object(el: Element) -> str | None:
    """The object of a Process Builder flow, kept in its metadata values."""
    if text_of(el, "processType") != "Workflow":
        return None
    for pmv in children(el, "processMetadataValues"):
        if text_of(pmv, "name") == "ObjectType":
            return text_of(next(iter(children(pmv, "value")), None), "stringValue")
    return None


def _string(el: Element, holder: str) -> str | None:
    """The ``stringValue`` of ``el``'s ``holder`` child, as written (None: it compares with something else)."""
    value = next(iter(children(el, holder)), None)
    if value is None:
        return None
    literal = next(iter(children(value, "stringValue")), None)
    text = literal.text if literal is not None else None
    return text if text and text.strip() and len(text) <= MAX_VALUE else None


def _formulas(kind: str | None, path: Path, el: Element) -> Iterator[tuple[str, Element, bool]]:
    """``(asset key, the element holding a formula, whether it is a flow's)`` of each formula the importer reads."""
    if kind == "field":
        obj = path.parent.parent.name
        for holder in children(el, "formula"):
            yield f"field/{obj}.{text_of(el, 'fullName') or api_name(path, '.field-meta.xml')}", holder, False
    elif kind == "validation-rule":
        obj = path.parent.parent.name
        for holder in children(el, "errorConditionFormula"):
            yield (
                "validation-rule/"
                f"{obj}.{unquote(text_of(el, 'fullName') or api_name(path, '.validationRule-meta.xml'))}",
                holder,
                False,
            )
    elif kind in ("workflow", "assignment-rules"):
        obj = api_name(path, ".workflow-meta.xml" if kind == "workflow" else ".assignmentRules-meta.xml")
        for rule, entries in _rules(kind, obj, el):
            yield from ((rule, h, False) for entry in entries for h in children(entry, "formula"))
    elif kind == "flow":
        key = f"flow/{text_of(el, 'fullName') or api_name(path, '.flow-meta.xml')}"
        yield from ((key, h, True) for h in el.iter() if local(h.tag) in ("expression", "filterFormula"))


def _formula_comparisons(key: str, holder: Element, flow: bool) -> list[Comparison]:
    """The comparisons in one formula with fields; taking one out blanks its reference in the formula."""
    out: list[Comparison] = []
    for start, end, ref, value in formula_tests(holder.text or ""):
        name = _field_name(ref, flow)
        if name:
            out.append((key, name, partial(_blank_span, holder, start, end), value))
    return out


def _blank_span(holder: Element, start: int, end: int) -> None:
    text = holder.text or ""
    holder.text = text[:start] + " " * (end - start) + text[end:]


def _field_name(ref: str, flow: bool) -> str | None:
    """The field a reference ends on (``Status``, ``Case__r.Status``, ``{!$Record.Status}``); None for anything else."""
    bare = ref.strip()
    inner = re.fullmatch(r"PRIORVALUE\s*\(\s*(.*?)\s*\)", bare, re.I | re.S)
    bare = inner.group(1) if inner else bare
    if bare.startswith("{!"):
        bare = bare[2:-1].strip()
    match = _RECORD.match(bare)
    if match:
        return match.group(1).rpartition(".")[2]
    if flow or not re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", bare):
        return None  # a flow's other variables, globals ($User), polymorphic paths: not fields the importer links
    return bare.rpartition(".")[2]


def formula_tests(text: str) -> list[tuple[int, int, str, str | None]]:
    """``(start, end, reference, value)`` of each comparison of a reference with a literal value in a formula.

    A test for a change or for blank (``ISCHANGED``, ``ISBLANK``, ``ISNULL``) has no value.

    >>> [(ref, value) for _, _, ref, value in formula_tests("ISPICKVAL(Status, 'Closed') && TEXT(Type) <> 'Bug'")]
    [('Status', 'Closed'), ('Type', 'Bug')]
    >>> pairs = lambda text: [(ref, value) for _, _, ref, value in formula_tests(text)]
    >>> pairs("CASE(Priority, 'High', 1, 'Low', 3, 2) /* ISPICKVAL(X, 'y') */")
    [('Priority', 'High'), ('Priority', 'Low')]
    >>> pairs("ISCHANGED(Status) && ISPICKVAL(PRIORVALUE(Status), 'New')")
    [('Status', None), ('PRIORVALUE(Status)', 'New')]
    >>> formula_tests("CASE(Priority, Other__c, 1, 2) & ISPICKVAL(Stage, '')")  # another field, a blank: whole value
    []
    """
    shape = _COMMENT.sub(lambda m: " " * len(m.group(0)), text)
    shape = _STRING.sub(lambda m: m.group(0)[0] + "x" * (len(m.group(0)) - 2) + m.group(0)[-1], shape)
    out: list[tuple[int, int, str, str | None]] = []
    for pattern, ref_at, value_at in ((_PICKVAL, 1, 2), (_TEXT_LEFT, 1, 2), (_TEXT_RIGHT, 2, 1)):
        for m in pattern.finditer(shape):
            value = _unquote(text[m.start(value_at) : m.end(value_at)])
            if value.strip() and len(value) <= MAX_VALUE:
                out.append((m.start(ref_at), m.end(ref_at), text[m.start(ref_at) : m.end(ref_at)], value))
    for m in _NEUTRAL.finditer(shape):
        at = 1 if m.group(1) is not None else 2
        out.append((m.start(at), m.end(at), text[m.start(at) : m.end(at)], None))
    for m in _CASE.finditer(shape):
        at = 1 if m.group(1) is not None else 2
        args = _arguments(shape, m.end())
        pairs = args[: len(args) - (len(args) % 2)]  # value, result, ...; a last odd one is the default
        values = [_unquote(text[s:e]) if re.fullmatch(_STR, text[s:e].strip(), re.S) else "" for s, e in pairs[0::2]]
        if values and all(v.strip() and len(v) <= MAX_VALUE for v in values):
            out += [(m.start(at), m.end(at), text[m.start(at) : m.end(at)], v) for v in values]
    return sorted(out, key=lambda t: (t[0], t[1], t[3] or ""))


def _arguments(shape: str, at: int) -> list[tuple[int, int]]:
    """The spans of a call's arguments from ``at`` (after its first comma) to its closing parenthesis."""
    spans, depth, start = [], 0, at
    for i in range(at, len(shape)):
        char = shape[i]
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char in ",)" and not depth:
            spans.append((start, i))
            start = i + 1
            if char == ")":
                return spans
    return []


def _unquote(literal: str) -> str:
    r"""A string literal's value: ``'It\'s'`` → ``It's``."""
    body = literal.strip()[1:-1]
    return re.sub(r"\\(.)", r"\1", body)
