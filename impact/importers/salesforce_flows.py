"""Salesforce flows (Flow Builder and Process Builder): the fields they read and write, the flows and classes they call.

A flow names records through variables: ``$Record`` and ``$Record__Prior``
(record-triggered flows), ``myVariable_current`` and ``myVariable_old``
(Process Builder), record and record-collection variables, the records a Get
Records element stores (``Get_Opportunity.Pillar__c``) and loop variables.
:func:`flow_variables` types each one with its object; every reference
``<variable>.<path>`` in the flow's text is then a read of that object's
field (through the relationships of the path), except where it is assigned
(``assignToReference``): a write when the record is saved (``$Record`` in a
before-save flow, or a variable an Update or Create Records element saves
with ``inputReference``, itself or through a collection it is added to).

Each function reads one flow element, so other readers can reuse it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from impact.importers.salesforce_files import api_name, children, is_active, mark_status, text_of
from impact.importers.salesforce_org import WRITER_USES, Builder
from impact.importers.xmlread import local

RECORD_KINDS = ("recordLookups", "recordUpdates", "recordCreates", "recordDeletes")
_TRIGGER_WORDS = ("$record", "myvariable_current")  # the record a flow is about, saved by the trigger itself
_PRIOR_WORDS = ("$record__prior", "myvariable_old")
_PATH = r"((?:\.[A-Za-z_][\w]*(?::\w+)?)+)"


@dataclass
class FlowReading:
    """What one flow reads, writes and calls, as canonical keys."""

    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    refers: set[str] = field(default_factory=set)  # fields named without being read or saved
    calls: set[str] = field(default_factory=set)  # flow/<name>, apex-class/<name>


def flow_object(el: Element) -> str | None:
    """The object a record-triggered flow or a Process Builder process runs on."""
    start = next(iter(children(el, "start")), None)
    obj = text_of(start, "object")
    if obj is None and text_of(el, "processType") == "Workflow":  # Process Builder keeps it in metadata values
        for pmv in children(el, "processMetadataValues"):
            if text_of(pmv, "name") == "ObjectType":
                obj = text_of(next(iter(children(pmv, "value")), None), "stringValue")
    return obj


def flow_variables(el: Element, obj: str | None) -> dict[str, str]:
    """Each record variable's name (lower case) → the object its records are of."""
    names: dict[str, str] = {}
    if obj:
        names.update({word: obj for word in (*_TRIGGER_WORDS, *_PRIOR_WORDS)})
    for var in children(el, "variables"):
        name, typed = text_of(var, "name"), text_of(var, "objectType")
        if name and typed and (text_of(var, "dataType") or "SObject") == "SObject":
            names.setdefault(name.lower(), typed)
    for kind in ("recordLookups", "dynamicChoiceSets"):
        for lookup in children(el, kind):
            other, name = text_of(lookup, "object"), text_of(lookup, "name")
            if not other:
                continue
            if name and (text_of(lookup, "storeOutputAutomatically") or "").lower() == "true":
                names.setdefault(name.lower(), other)
            out = text_of(lookup, "outputReference")
            if out:
                names.setdefault(out.lower(), other)
    for _ in range(3):  # a loop over a loop's collection
        for loop in children(el, "loops"):
            name, over = text_of(loop, "name"), (text_of(loop, "collectionReference") or "").lower()
            if name and over in names:
                names.setdefault(name.lower(), names[over])
                item = text_of(loop, "assignNextValueToReference")
                if item:
                    names.setdefault(item.lower(), names[over])
    return names


def saved_variables(el: Element) -> set[str]:
    """Record variables an Update or Create Records element saves, directly or through a collection holding them."""
    saving = [e for kind in ("recordUpdates", "recordCreates") for e in children(el, kind)]
    saved = {(text_of(e, "inputReference") or "").lower() for e in saving}
    saved |= set(_TRIGGER_WORDS)
    added: list[tuple[str, str]] = []
    for assignment in children(el, "assignments"):
        for item in children(assignment, "assignmentItems"):
            if (text_of(item, "operator") or "").lower() in ("add", "assign"):
                value = next(iter(children(item, "value")), None)
                source = text_of(value, "elementReference")
                into = text_of(item, "assignToReference")
                if source and into and "." not in into:
                    added.append((into.lower(), source.lower()))
    grown = True
    while grown:
        grown = False
        for into, source in added:
            if into in saved and source not in saved:
                saved.add(source)
                grown = True
    saved.discard("")
    return saved


def _record_path(b: Builder, variables: dict[str, str], reference: str) -> tuple[str, list[str]] | None:
    """The object a reference like ``myVariable_current.Account`` names, and the lookups it walks."""
    first, _, rest = reference.partition(".")
    obj: str | None = variables.get(first.lower())
    if obj is None:
        return None
    walked: list[str] = []
    for rel in (p for p in rest.split(".") if p):
        name, _, typed = rel.partition(":")
        lookup = b.lookup_field(name)
        walked.append(b.field_key(obj, lookup))
        obj = b.target(obj, lookup, name, typed)
        if obj is None:
            return None
    return obj, walked


def read_record_elements(b: Builder, el: Element, variables: dict[str, str], reading: FlowReading) -> None:
    """Get, Update, Create and Delete Records (and choice sets): fields filtered, queried, assigned, written."""
    for kind in (*RECORD_KINDS, "dynamicChoiceSets"):
        for element in children(el, kind):
            other = text_of(element, "object")
            target: tuple[str, list[str]] | None = None
            if other:
                target = (b.object_name(other), [])
            elif text_of(element, "inputReference"):
                target = _record_path(b, variables, text_of(element, "inputReference") or "")
            if target is None:
                continue
            obj, walked = target
            reading.reads.update(walked)
            for flt in children(element, "filters"):
                reading.reads.update(b.resolve(obj, text_of(flt, "field") or ""))
            for tag in ("queriedFields", "displayField", "valueField", "sortField"):
                for q in children(element, tag):
                    reading.reads.update(b.resolve(obj, (q.text or "").strip()))
            for out in children(element, "outputAssignments"):
                reading.reads.update(b.resolve(obj, text_of(out, "field") or ""))
            if kind in ("recordUpdates", "recordCreates"):
                for assign in children(element, "inputAssignments"):
                    fname = text_of(assign, "field")
                    if fname:
                        reading.writes.add(b.field_key(obj, fname))


def read_references(b: Builder, el: Element, variables: dict[str, str], saved: set[str], reading: FlowReading) -> None:
    """Every ``<variable>.<path>`` in the flow's text: a read, or a write where it is assigned and saved."""
    if not variables:
        return
    names = "|".join(re.escape(name) for name in sorted(variables, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.$])({names}){_PATH}", re.I)
    for node in el.iter():
        text = node.text
        if not text or "." not in text or local(node.tag) == "inputReference":
            continue  # the record an Update or Create Records element saves: read_record_elements
        assigned = local(node.tag) == "assignToReference"
        for match in pattern.finditer(text):
            var = match.group(1).lower()
            path = match.group(2).lstrip(".")
            if "." not in path and b.is_relationship(variables[var], path):  # $Record.Parent: the related record
                reading.reads.add(b.field_key(variables[var], b.lookup_field(path.partition(":")[0])))
                continue
            refs = b.resolve(variables[var], path)
            if assigned and refs and "." not in path and match.group(0) == text.strip():  # var.Field = ...
                last = refs.pop()
                if var in saved and var not in _PRIOR_WORDS:
                    reading.writes.add(last)
                else:
                    reading.refers.add(last)
            reading.reads.update(refs)


def read_calls(el: Element, reading: FlowReading) -> None:
    """Apex actions, flows called as actions (Process Builder) and subflows."""
    for call in children(el, "actionCalls"):
        kind, name = (text_of(call, "actionType") or "").lower(), text_of(call, "actionName")
        if not name:
            continue
        if kind == "apex":
            reading.calls.add(f"apex-class/{name.split('.')[0]}")
        elif kind == "flow":
            reading.calls.add(f"flow/{name}")
    for sub in children(el, "subflows"):
        name = text_of(sub, "flowName")
        if name:
            reading.calls.add(f"flow/{name}")


def read_flow(el: Element, b: Builder, obj: str | None) -> FlowReading:
    """What a flow reads, writes and calls."""
    reading = FlowReading()
    variables = flow_variables(el, obj)
    start = next(iter(children(el, "start")), None)
    if obj and start is not None:
        for flt in children(start, "filters"):
            reading.reads.update(b.resolve(obj, text_of(flt, "field") or ""))
    read_record_elements(b, el, variables, reading)
    read_references(b, el, variables, saved_variables(el), reading)
    read_calls(el, reading)
    return reading


def flow_key(path: Path, el: Element) -> str:
    return f"flow/{text_of(el, 'fullName') or api_name(path, '.flow-meta.xml')}"


def add_flow(b: Builder, path: Path, el: Element) -> None:
    """A flow's asset and dependencies: on its object, the fields it reads, what it calls, and as writer of fields."""
    key = flow_key(path, el)
    status = text_of(el, "status")
    b.asset(key, "flow", text_of(el, "label"), mark_status(status, "flow", text_of(el, "description")))
    obj = flow_object(el)
    if obj:
        obj = b.object_name(obj)
        b.depend(key, b.object_key(obj))
    reading = read_flow(el, b, obj)
    for up in sorted(reading.reads):
        b.depend(key, up)
    for written in sorted(reading.writes):
        b.write(key, written, is_active(status))
    for named in sorted(reading.refers - reading.writes - reading.reads):
        b.depend(key, named, WRITER_USES)
    for called in sorted(reading.calls):
        if called not in b.assets:
            kind = called.partition("/")[0]
            note = "Flow called by another flow (no flow file in the source)" if kind == "flow" else None
            b.asset(called, "flow" if kind == "flow" else "apex-class", None, note)
        b.depend(key, called)
