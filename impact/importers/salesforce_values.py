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

How: the source is read twice by the ordinary importer
(:func:`impact.importers.salesforce.read_salesforce_source`), the second time
with every comparison above taken out of the metadata. A dependency found the
first time and not the second exists only through those comparisons: it tests
the values they name. Every other dependency is left as it was, so what the
importer finds is never changed, only narrowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from impact.importers.merge import Imported
from impact.importers.salesforce import read_salesforce_source
from impact.importers.salesforce_files import api_name, children, file_kind, no_progress, text_of
from impact.importers.salesforce_formulas import _COMMENT, _STRING
from impact.importers.xmlread import local

Tests = dict[tuple[str, str], set[str]]
"""(asset key, field key), both lower case → the values compared."""

Progress = Callable[[Iterable[Path], int, str], Iterable[Path]]

_REF = r"\{!\s*[\w$.:]+\s*\}|[A-Za-z_$][\w$.:]*"
_STR = r"\"[^\"]*\"|'[^']*'"
_PICKVAL = re.compile(rf"\b(?:ISPICKVAL|INCLUDES)\s*\(\s*({_REF})\s*,\s*({_STR})\s*\)", re.I)
_TEXT_LEFT = re.compile(rf"\bTEXT\s*\(\s*({_REF})\s*\)\s*(?:==|=|<>|!=)\s*({_STR})", re.I)
_TEXT_RIGHT = re.compile(rf"({_STR})\s*(?:==|=|<>|!=)\s*TEXT\s*\(\s*({_REF})\s*\)", re.I)
_CASE = re.compile(rf"\bCASE\s*\(\s*(?:TEXT\s*\(\s*({_REF})\s*\)|({_REF}))\s*,", re.I)
_RECORD = re.compile(r"^(?:\$Record|\$Record__Prior|myVariable_current|myVariable_old)\.([A-Za-z_]\w*)$", re.I)
_FLOW_OPERATORS = {"equalto", "notequalto"}
_CRITERIA_OPERATIONS = {"equals", "notequal", "includes", "excludes"}


def read_salesforce_values(root: Path, system: str = "salesforce", owner: str | None = None, progress: Progress = no_progress) -> Imported:
    """:func:`~impact.importers.salesforce.read_salesforce_source`, with the values each dependency tests (see the module)."""
    tests: Tests = {}
    imported = read_salesforce_source(root, system, owner, progress, edit_roots=lambda roots: tests.update(tested(roots)))
    if not tests:
        return imported
    plain = read_salesforce_source(root, system, owner, no_progress, edit_roots=lambda roots: tested(roots, take_out=True))
    for sid, found in imported.systems.items():
        others = plain.systems[sid].assets
        for key, item in found.assets.items():
            kept = set(others[key].depends_on) if key in others else set()
            for dep in item.depends_on:
                values = tests.get((key.lower(), dep.partition(":")[2].lower()))
                if dep not in kept and values:
                    item.values[dep] = sorted(values)
    return imported


def tested(roots: dict[Path, Element], *, take_out: bool = False) -> Tests:
    """The values each asset compares each field of its record with; ``take_out`` removes those comparisons from ``roots``."""
    found: Tests = {}
    for path, el in roots.items():
        kind = file_kind(path)
        compared = list(_comparisons(kind, path, el))
        for key, obj, name, _where, value in compared:
            found.setdefault((key.lower(), f"field/{obj}.{name}".lower()), set()).add(value)
        for key, obj, holder in _formulas(kind, path, el):
            for name, value in _formula_values(holder, take_out):
                found.setdefault((key.lower(), f"field/{obj}.{name}".lower()), set()).add(value)
        if take_out:
            for *_, where, _value in compared:
                where.text = ""
    return found


def _comparisons(kind: str | None, path: Path, el: Element) -> Iterator[tuple[str, str, str, Element, str]]:
    """``(asset key, object, field, the element naming it, value)`` of each comparison written as metadata (not a formula)."""
    if kind == "flow":
        yield from _flow_comparisons(path, el)
    elif kind in ("workflow", "assignment-rules"):
        obj = api_name(path, ".workflow-meta.xml" if kind == "workflow" else ".assignmentRules-meta.xml")
        for rule, entries in _rules(kind, obj, el):
            for entry in entries:
                for item in children(entry, "criteriaItems"):
                    yield from ((rule, obj, name, where, v) for name, where, v in _criteria_item(obj, item))


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


def _criteria_item(obj: str, item: Element) -> Iterator[tuple[str, Element, str]]:
    """A criteria item ``Case.Status equals New,Working`` on the rule's own object: its field, the element naming it, each value."""
    where = next(iter(children(item, "field")), None)
    ref, operation, value = text_of(item, "field") or "", (text_of(item, "operation") or "").lower(), text_of(item, "value")
    first, _, rest = ref.partition(".")
    if where is None or not value or operation not in _CRITERIA_OPERATIONS or first.lower() != obj.lower() or not re.fullmatch(r"\w+", rest):
        return
    for one in value.split(","):
        if one.strip():
            yield rest, where, one.strip()


def _flow_comparisons(path: Path, el: Element) -> Iterator[tuple[str, str, str, Element, str]]:
    key = f"flow/{text_of(el, 'fullName') or api_name(path, '.flow-meta.xml')}"
    start = next(iter(children(el, "start")), None)
    obj = text_of(start, "object") or _process_object(el)
    for node in el.iter():
        tag = local(node.tag)
        if tag == "conditions" and obj:
            left = next(iter(children(node, "leftValueReference")), None)
            match = _RECORD.match((left.text or "").strip()) if left is not None else None
            value = _string(node, "rightValue")
            if match and value is not None and (text_of(node, "operator") or "").lower() in _FLOW_OPERATORS:
                assert left is not None
                yield key, obj, match.group(1), left, value
        elif tag in ("start", "recordLookups", "recordUpdates", "recordDeletes"):
            other = obj if tag == "start" else text_of(node, "object")
            for flt in children(node, "filters"):
                where = next(iter(children(flt, "field")), None)
                value = _string(flt, "value")
                if other and where is not None and value is not None and (text_of(flt, "operator") or "").lower() in _FLOW_OPERATORS:
                    if re.fullmatch(r"\w+", (where.text or "").strip()):
                        yield key, other, (where.text or "").strip(), where, value


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
    return literal.text if literal is not None and literal.text else None


def _formulas(kind: str | None, path: Path, el: Element) -> Iterator[tuple[str, str, Element]]:
    """``(asset key, object, the element holding the formula)`` of each formula the importer reads fields from."""
    if kind == "field":
        obj = path.parent.parent.name
        holder = next(iter(children(el, "formula")), None)
        if holder is not None:
            yield f"field/{obj}.{text_of(el, 'fullName') or api_name(path, '.field-meta.xml')}", obj, holder
    elif kind == "validation-rule":
        obj = path.parent.parent.name
        holder = next(iter(children(el, "errorConditionFormula")), None)
        if holder is not None:
            yield f"validation-rule/{obj}.{unquote(text_of(el, 'fullName') or api_name(path, '.validationRule-meta.xml'))}", obj, holder
    elif kind in ("workflow", "assignment-rules"):
        obj = api_name(path, ".workflow-meta.xml" if kind == "workflow" else ".assignmentRules-meta.xml")
        for rule, entries in _rules(kind, obj, el):
            yield from ((rule, obj, h) for entry in entries for h in children(entry, "formula"))
    elif kind == "flow":
        start = next(iter(children(el, "start")), None)
        obj = text_of(start, "object") or _process_object(el)
        if obj:
            key = f"flow/{text_of(el, 'fullName') or api_name(path, '.flow-meta.xml')}"
            yield from ((key, obj, h) for f in children(el, "formulas") for h in children(f, "expression"))


def _formula_values(holder: Element, take_out: bool) -> list[tuple[str, str]]:
    """``(field, value)`` of each comparison in a formula with a field of the record; ``take_out`` blanks those references."""
    text = holder.text or ""
    found = formula_tests(text)
    out: list[tuple[str, str]] = []
    spans = []
    for start, end, ref, value in found:
        name = _field_name(ref)
        if name and value.strip():  # a test for blank (ISPICKVAL(Status, "")) reads no value: left whole
            out.append((name, value))
            spans.append((start, end))
    if take_out and spans:
        chars = list(text)
        for start, end in spans:
            chars[start:end] = " " * (end - start)
        holder.text = "".join(chars)
    return out


def _field_name(ref: str) -> str | None:
    """The field of the record a reference names (``Status``, ``{!$Record.Status}``), None for anything else."""
    bare = ref.strip()
    if bare.startswith("{!"):
        bare = bare[2:-1].strip()
    match = _RECORD.match(bare)
    if match:
        return match.group(1)
    return bare if re.fullmatch(r"[A-Za-z_]\w*", bare) else None


def formula_tests(text: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, reference, value)`` of each comparison of a reference with a literal value in a formula.

    >>> [(ref, value) for _, _, ref, value in formula_tests('ISPICKVAL(Status, "Closed") && TEXT(Type) <> \\'Bug\\'')]
    [('Status', 'Closed'), ('Type', 'Bug')]
    >>> [(ref, value) for _, _, ref, value in formula_tests("CASE(Priority, 'High', 1, 'Low', 3, 2) /* ISPICKVAL(X, 'y') */")]
    [('Priority', 'High'), ('Priority', 'Low')]
    >>> formula_tests("CASE(Priority, Other__c, 1, 2)")  # compared with another field: the whole value
    []
    """
    shape = _COMMENT.sub(lambda m: " " * len(m.group(0)), text)
    shape = _STRING.sub(lambda m: m.group(0)[0] + "x" * (len(m.group(0)) - 2) + m.group(0)[-1], shape)
    out: list[tuple[int, int, str, str]] = []
    for pattern, ref_at, value_at in ((_PICKVAL, 1, 2), (_TEXT_LEFT, 1, 2), (_TEXT_RIGHT, 2, 1)):
        for m in pattern.finditer(shape):
            out.append((m.start(ref_at), m.end(ref_at), text[m.start(ref_at) : m.end(ref_at)], _unquote(text[m.start(value_at) : m.end(value_at)])))
    for m in _CASE.finditer(shape):
        at = 1 if m.group(1) is not None else 2
        args = _arguments(shape, m.end())
        pairs = args[: len(args) - (len(args) % 2)]  # value, result, ...; a last odd one is the default
        values = [text[s:e].strip() for s, e in pairs[0::2]]
        if values and all(re.fullmatch(_STR, v, re.S) for v in values):
            ref = text[m.start(at) : m.end(at)]
            out += [(m.start(at), m.end(at), ref, _unquote(v)) for v in values]
    return sorted(out)


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
