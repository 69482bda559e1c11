"""Salesforce workflow rules and assignment rules: the fields their criteria read, the fields they write.

A criteria item names its field as ``<Object>.<Field>``: the rule's own
object, a related object (``Case.Status`` in a rule on EmailMessage), or the
running user (``User.UserType``), which is the User object's field, never a
field of the record. A field update writes its field on the rule's object,
or, with ``targetObject`` (the lookup field, ``ParentId``), on the object
that lookup reaches. Actions fire at once or from a time trigger
(``workflowTimeTriggers``). An assignment rule sets the record's owner.

Each function reads one element, so other readers can reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from impact.importers.salesforce_files import children, is_active, mark_status, text_of
from impact.importers.salesforce_formulas import formula_references
from impact.importers.salesforce_org import INACTIVE_WRITER_USES, Builder


def criteria_item_fields(b: Builder, obj: str, ref: str) -> list[str]:
    """Field keys a criteria item's ``field`` (``Lead.LeadSource``, ``User.UserType``) reads."""
    first, _, rest = ref.partition(".")
    if not rest:
        return b.resolve(obj, ref)
    if first.startswith("$"):
        return []  # $Setup, $Label, ...: settings, not a field
    if first.lower() == obj.lower():
        return b.resolve(obj, rest)
    return b.resolve(b.object_name(first), rest)  # a related object, or User (the running user), by its name


def criteria_fields(b: Builder, obj: str, el: Element) -> list[str]:
    """Fields read by an element's ``criteriaItems`` and its ``formula``."""
    out: list[str] = []
    for item in children(el, "criteriaItems"):
        out.extend(criteria_item_fields(b, obj, text_of(item, "field") or ""))
    for ref in formula_references(text_of(el, "formula") or ""):
        out.extend(b.resolve(obj, ref))
    return out


def add_assignment_rules(b: Builder, obj: str, root: Element) -> None:
    """Each assignment rule: the fields its entries read, the queues it routes into, and the owner it sets."""
    for rule_el in children(root, "assignmentRule"):
        rule = unquote(text_of(rule_el, "fullName") or "")
        if not rule:
            continue
        key = f"assignment-rule/{obj}.{rule}"
        active = is_active(text_of(rule_el, "active"))
        b.asset(key, "assignment-rule", rule, mark_status(text_of(rule_el, "active"), "assignment rule", None))
        entries = children(rule_el, "ruleEntry")
        for entry in entries:
            for up in criteria_fields(b, obj, entry):
                b.depend(key, up)
            assignee, assignee_type = text_of(entry, "assignedTo"), text_of(entry, "assignedToType")
            if assignee and (assignee_type or "").lower() == "queue":
                queue = f"queue/{assignee}"
                if queue not in b.assets:
                    b.asset(queue, "queue", None, "Queue named by an assignment rule (no queue file in the source)")
                b.depend(queue, key, None if active else INACTIVE_WRITER_USES)  # an inactive rule routes nothing
        if any(text_of(entry, "assignedTo") for entry in entries):
            b.write(key, b.field_key(obj, "OwnerId"), active)


@dataclass
class FieldUpdate:
    writes: list[str] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)


def field_updates(b: Builder, obj: str, root: Element) -> dict[str, FieldUpdate]:
    """Each field update by name: the field it writes (on the target object) and the fields its formula reads."""
    out: dict[str, FieldUpdate] = {}
    for fu in children(root, "fieldUpdates"):
        name, target_field = text_of(fu, "fullName"), text_of(fu, "field")
        if not name or not target_field:
            continue
        update = out[name] = FieldUpdate()
        via = text_of(fu, "targetObject")
        dest: str | None = obj
        if via:
            update.reads.append(b.field_key(obj, via if via.lower().endswith(("id", "__c")) else b.lookup_field(via)))
            dest = b.lookup_target(obj, via)
        if dest:
            update.writes.append(b.field_key(dest, target_field))
        for ref in formula_references(text_of(fu, "formula") or ""):
            update.reads.extend(b.resolve(obj, ref))
    return out


def rule_actions(rule: Element) -> list[Element]:
    """A workflow rule's actions, immediate and time-dependent."""
    timed = (a for t in children(rule, "workflowTimeTriggers") for a in children(t, "actions"))
    return [*children(rule, "actions"), *timed]


def add_workflow(b: Builder, obj: str, root: Element) -> None:
    """Each workflow rule: the fields its criteria and field updates read, and the fields it writes."""
    updates = field_updates(b, obj, root)
    for rule_el in children(root, "rules"):
        rule = unquote(text_of(rule_el, "fullName") or "")
        if not rule:
            continue
        key = f"workflow-rule/{obj}.{rule}"
        active = text_of(rule_el, "active")
        b.asset(key, "workflow-rule", rule, mark_status(active, "workflow rule", text_of(rule_el, "description")))
        for up in criteria_fields(b, obj, rule_el):
            b.depend(key, up)
        for action in rule_actions(rule_el):
            if (text_of(action, "type") or "") != "FieldUpdate":
                continue
            update = updates.get(text_of(action, "name") or "", FieldUpdate())
            for up in update.reads:
                b.depend(key, up)
            for written in update.writes:
                b.write(key, written, is_active(active))
