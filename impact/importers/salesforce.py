"""Salesforce source format (SFDX) → catalog assets with canonical ids.

Reads a project folder (``force-app/...``) or any folder whose tree holds
``objects/``, ``flows/``, ``assignmentRules/``, ``queues/``, ``workflows/``,
``classes/`` and ``triggers/``, without any API or network. The canonical ids
(a public contract, see the README) are::

    object/<Object>            field/<Object>.<Field>      validation-rule/<Object>.<Rule>
    flow/<Flow>                assignment-rule/<Object>.<Rule name>      queue/<Queue>
    workflow-rule/<Object>.<Rule>      apex-class/<Name>    apex-trigger/<Name>

API names are spelled as the metadata spells them. Every dependency is
written as ``depends_on`` of the downstream asset:

- a formula field on the fields its formula reads; a validation rule on the
  fields its condition reads; a roll-up summary on the field it sums;
- a queue on each assignment rule routing into it; an assignment rule on the
  fields its criteria read;
- a record-triggered flow on its object and the fields it reads; a field a
  flow (or a workflow field update) writes on that flow (or workflow rule);
  a flow on the Apex actions and subflows it calls;
- an Apex trigger on its object and on the classes its body names.

A reference through a relationship (``Account__r.Name``, ``Owner:User.IsActive``)
reaches the related object's field when the lookup can be resolved, and only
the lookup field otherwise: never a field of the wrong object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from impact.core.errors import ImpactError, Problem, ProblemList, display_path
from impact.importers.merge import Imported, ImportedAsset
from impact.importers.salesforce_files import (
    Files,
    api_name,
    children,
    file_kind,
    mark_status,
    meta_status,
    no_progress,
    text_of,
    walk,
)
from impact.importers.salesforce_formulas import formula_references, strip_formula
from impact.importers.xmlread import local, parse_xml, read_bytes

Progress = Callable[[Iterable[Path], int, str], Iterable[Path]]

# --- what the files say ---------------------------------------------------------


@dataclass
class FieldDef:
    obj: str
    name: str
    label: str | None
    type: str | None
    description: str | None
    formula: str | None
    reference_to: list[str]
    summarized: list[str]
    path: str


@dataclass
class _Org:
    """An index of what the source defines, for resolving references case-insensitively."""

    objects: dict[str, str] = field(default_factory=dict)  # lower → spelled
    object_labels: dict[str, str] = field(default_factory=dict)
    object_descriptions: dict[str, str] = field(default_factory=dict)
    fields: dict[tuple[str, str], FieldDef] = field(default_factory=dict)  # (obj lower, field lower)
    spelled: dict[tuple[str, str], str] = field(default_factory=dict)  # fields without a file, first spelling seen


# Standard relationships: their lookup field and the object they reach.
_STANDARD_TARGETS = {
    "createdby": "User",
    "lastmodifiedby": "User",
    "manager": "User",
    "delegatedapprover": "User",
    "recordtype": "RecordType",
    "profile": "Profile",
    "userrole": "UserRole",
    "account": "Account",
    "contact": "Contact",
    "opportunity": "Opportunity",
    "lead": "Lead",
    "campaign": "Campaign",
    "contract": "Contract",
    "product2": "Product2",
    "pricebook2": "Pricebook2",
    "order": "Order",
    "asset": "Asset",
    "case": "Case",
    "convertedaccount": "Account",
    "convertedcontact": "Contact",
    "convertedopportunity": "Opportunity",
    "masterrecord": "",  # the same object
    "parent": "",  # Account.Parent, Case.Parent: the same object
}

# Compound fields: a component read by a formula belongs to the compound field.
_COMPOUND = {
    **{f"{p}{c}": f"{p}Address" for p in ("Billing", "Shipping", "Mailing", "Other") for c in ("Street", "City", "State", "PostalCode", "Country", "StateCode", "CountryCode", "Latitude", "Longitude", "GeocodeAccuracy")},
    **{c: "Address" for c in ("Street", "City", "State", "PostalCode", "Country", "StateCode", "CountryCode", "Latitude", "Longitude", "GeocodeAccuracy")},
    **{c: "Name" for c in ("FirstName", "LastName", "Salutation", "MiddleName", "Suffix")},
}


class _Builder:
    """Collects assets and edges; every id is canonical."""

    def __init__(self, system: str, org: _Org) -> None:
        self.system = system
        self.org = org
        self.assets: dict[str, ImportedAsset] = {}

    def asset(self, key: str, type_: str, name: str | None = None, description: str | None = None) -> ImportedAsset:
        item = self.assets.get(key)
        if item is None:
            item = self.assets[key] = ImportedAsset(type_, None, description, [], name)
        else:
            item.name = item.name or name
            item.description = item.description or description
        return item

    def depend(self, downstream: str, upstream: str) -> None:
        if downstream == upstream:
            return
        dep = f"{self.system}:{upstream}"
        deps = self.assets[downstream].depends_on
        if dep not in deps:
            deps.append(dep)

    def object_key(self, obj: str) -> str:
        spelled = self.org.objects.get(obj.lower(), obj)
        key = f"object/{spelled}"
        if key not in self.assets:
            self.asset(key, "object", self.org.object_labels.get(spelled.lower()), self.org.object_descriptions.get(spelled.lower()) or ("Standard object (no metadata file in the source)" if spelled.lower() not in self.org.objects else None))
        return key

    def field_key(self, obj: str, name: str) -> str:
        """``field/<Object>.<Field>`` spelled as the metadata spells it; a standard field without a file gets an asset too."""
        obj_spelled = self.org.objects.get(obj.lower(), obj)
        found = self.org.fields.get((obj_spelled.lower(), name.lower()))
        if found is not None:
            return f"field/{found.obj}.{found.name}"
        spelled = self.org.spelled.setdefault((obj_spelled.lower(), name.lower()), name)
        key = f"field/{obj_spelled}.{spelled}"
        if key not in self.assets:
            compound = _COMPOUND.get(spelled)
            note = "Field with no metadata file in the source" if spelled.lower().endswith("__c") else "Standard field (no metadata file in the source)"
            item = self.asset(key, "field", None, note)
            if compound and (obj_spelled.lower(), compound.lower()) in self.org.fields:
                item.description = f"{note}; part of the compound field {compound}"
                self.depend(key, self.field_key(obj_spelled, compound))
        return key

    def resolve(self, obj: str, path: str) -> list[str]:
        """Field keys a reference ``path`` on ``obj`` reads: each lookup it walks, then the final field when the object is known."""
        parts = [p for p in path.split(".") if p]
        keys: list[str] = []
        current: str | None = obj
        for rel in parts[:-1]:
            if current is None:
                return keys
            name, _, typed = rel.partition(":")
            low = name.lower()
            if low.endswith("__r"):
                lookup = name[:-3] + "__c"
            elif low in ("$record", "$record__prior"):
                continue
            else:
                lookup = name + "Id"
            keys.append(self.field_key(current, lookup))
            current = self._target(current, lookup, name, typed)
        if current is not None and parts:
            last = parts[-1].partition(":")[0]
            if last.lower() not in ("$record", "$record__prior"):
                keys.append(self.field_key(current, last))
        return keys

    def _target(self, obj: str, lookup: str, rel: str, typed: str) -> str | None:
        if typed:
            return typed
        found = self.org.fields.get((self.org.objects.get(obj.lower(), obj).lower(), lookup.lower()))
        if found is not None and len(found.reference_to) == 1:
            return found.reference_to[0]
        if found is not None and len(found.reference_to) > 1:
            return None  # polymorphic: which object is unknown
        standard = _STANDARD_TARGETS.get(rel.lower())
        if standard is not None:
            return standard or obj
        if rel.lower() in self.org.objects and not rel.lower().endswith("__r"):
            return self.org.objects[rel.lower()]
        return None  # Owner and other polymorphic or unknown lookups: stop at the lookup field


def read_salesforce_source(
    root: Path,
    system: str = "salesforce",
    owner: str | None = None,
    progress: Progress = no_progress,
    edit_roots: Callable[[dict[Path, Element]], object] | None = None,
) -> Imported:
    """Assets and dependencies of a Salesforce project in source format (see the module docstring).

    ``edit_roots`` sees (and may change) every parsed metadata file before it
    is read: :mod:`impact.importers.salesforce_values` uses it.
    """
    name = display_path(root)
    if not root.is_dir():
        raise ImpactError(Problem(name, 0, 0, "no such folder; give the project folder (the one with force-app/) or any folder holding objects/, flows/, ..."))
    files = Files()
    for path in walk(root):
        kind = file_kind(path)
        if kind:
            files.add(kind, path)
    if not files.count():
        raise ImpactError(Problem(name, 0, 0, "no Salesforce metadata found below this folder (no objects/*/fields/*.field-meta.xml, flows/*.flow-meta.xml, ...); is it a project in source format? Retrieve it with 'sf project retrieve start'"))
    problems = ProblemList()
    roots: dict[Path, Element] = {}
    xml_kinds = ("object", "field", "validation-rule", "flow", "assignment-rules", "queue", "workflow")
    xml_files = [p for kind in xml_kinds for p in files.get(kind)]
    for path in progress(xml_files, len(xml_files), "Reading Salesforce metadata"):
        try:
            roots[path] = parse_xml(read_bytes(path), display_path(path), "Salesforce metadata file")
        except ImpactError as exc:
            problems.items.extend(exc.problems)
    problems.raise_if_errors()
    if edit_roots is not None:
        edit_roots(roots)

    org = _Org()
    for path in files.get("object"):
        obj = api_name(path, ".object-meta.xml")
        org.objects[obj.lower()] = obj
        label = text_of(roots[path], "label")
        if label:
            org.object_labels[obj.lower()] = label
        desc = text_of(roots[path], "description")
        if desc:
            org.object_descriptions[obj.lower()] = desc
    for path in files.get("field"):
        obj = path.parent.parent.name
        org.objects.setdefault(obj.lower(), obj)
        el = roots[path]
        fname = text_of(el, "fullName") or api_name(path, ".field-meta.xml")
        refs = [t.text.strip() for t in children(el, "referenceTo") if t.text and t.text.strip()]
        summarized = [v for v in (text_of(el, "summarizedField"), text_of(el, "summaryForeignKey")) if v]
        org.fields[(obj.lower(), fname.lower())] = FieldDef(obj, fname, text_of(el, "label"), text_of(el, "type"), text_of(el, "description"), text_of(el, "formula"), refs, summarized, display_path(path))
    for kind in ("validation-rule",):
        for path in files.get(kind):
            obj = path.parent.parent.name
            org.objects.setdefault(obj.lower(), obj)

    b = _Builder(system, org)
    for key_obj in sorted(set(org.objects.values())):
        b.object_key(key_obj)
    for fd in sorted(org.fields.values(), key=lambda f: (f.obj, f.name)):
        key = f"field/{fd.obj}.{fd.name}"
        b.asset(key, "field", fd.label, fd.description)
    for fd in sorted(org.fields.values(), key=lambda f: (f.obj, f.name)):
        key = f"field/{fd.obj}.{fd.name}"
        if fd.formula:
            for ref in formula_references(fd.formula):
                for up in b.resolve(fd.obj, ref):
                    b.depend(key, up)
        for summary in fd.summarized:  # roll-up summary: "Opportunity.Amount"
            child_obj, _, child_field = summary.partition(".")
            if child_field:
                b.depend(key, b.field_key(child_obj, child_field))

    for path in files.get("validation-rule"):
        obj = org.objects[path.parent.parent.name.lower()]
        el = roots[path]
        rule = unquote(text_of(el, "fullName") or api_name(path, ".validationRule-meta.xml"))
        key = f"validation-rule/{obj}.{rule}"
        b.asset(key, "validation-rule", None, mark_status(text_of(el, "active"), "validation rule", text_of(el, "description")))
        for ref in formula_references(text_of(el, "errorConditionFormula") or ""):
            for up in b.resolve(obj, ref):
                b.depend(key, up)

    for path in files.get("queue"):
        el = roots[path]
        qname = text_of(el, "fullName") or api_name(path, ".queue-meta.xml")
        b.asset(f"queue/{qname}", "queue", text_of(el, "name"), text_of(el, "description"))

    for path in files.get("assignment-rules"):
        obj = api_name(path, ".assignmentRules-meta.xml")
        for rule_el in children(roots[path], "assignmentRule"):
            rule = unquote(text_of(rule_el, "fullName") or "")
            if not rule:
                continue
            key = f"assignment-rule/{obj}.{rule}"
            b.asset(key, "assignment-rule", rule, mark_status(text_of(rule_el, "active"), "assignment rule", None))
            for entry in children(rule_el, "ruleEntry"):
                _criteria(b, key, obj, entry)
                assignee, assignee_type = text_of(entry, "assignedTo"), text_of(entry, "assignedToType")
                if assignee and (assignee_type or "").lower() == "queue":
                    queue = f"queue/{assignee}"
                    if queue not in b.assets:
                        b.asset(queue, "queue", None, "Queue named by an assignment rule (no queue file in the source)")
                    b.depend(queue, key)

    for path in files.get("workflow"):
        obj = api_name(path, ".workflow-meta.xml")
        el = roots[path]
        updates: dict[str, list[str]] = {}  # field update name → fields it writes
        reads: dict[str, list[str]] = {}
        for fu in children(el, "fieldUpdates"):
            fu_name = text_of(fu, "fullName")
            target_field = text_of(fu, "field")
            if not fu_name or not target_field:
                continue
            target_obj = text_of(fu, "targetObject")
            if target_obj:
                dest = b._target(obj, target_obj + "Id", target_obj, "")
                updates[fu_name] = [b.field_key(dest, target_field)] if dest else []
            else:
                updates[fu_name] = [b.field_key(obj, target_field)]
            reads[fu_name] = [up for ref in formula_references(text_of(fu, "formula") or "") for up in b.resolve(obj, ref)]
        for rule_el in children(el, "rules"):
            rule = unquote(text_of(rule_el, "fullName") or "")
            if not rule:
                continue
            key = f"workflow-rule/{obj}.{rule}"
            b.asset(key, "workflow-rule", rule, mark_status(text_of(rule_el, "active"), "workflow rule", text_of(rule_el, "description")))
            _criteria(b, key, obj, rule_el)
            for action in [*children(rule_el, "actions"), *(a for t in children(rule_el, "workflowTimeActions") for a in children(t, "actions"))]:
                if (text_of(action, "type") or "") != "FieldUpdate":
                    continue
                action_name = text_of(action, "name") or ""
                for up in reads.get(action_name, []):
                    b.depend(key, up)
                for written in updates.get(action_name, []):
                    b.depend(written, key)

    for path in files.get("flow"):  # every flow first, so a subflow call finds its flow
        b.asset(f"flow/{text_of(roots[path], 'fullName') or api_name(path, '.flow-meta.xml')}", "flow")
    for path in files.get("flow"):
        _flow(b, path, roots[path])

    class_names: dict[str, str] = {}
    for path in files.get("apex-class"):
        cname = api_name(path, ".cls")
        class_names[cname.lower()] = cname
        meta = path.with_name(path.name + "-meta.xml")
        status = meta_status(meta, problems)
        b.asset(f"apex-class/{cname}", "apex-class", None, mark_status(status, "Apex class", None))
    for path in files.get("apex-trigger"):
        tname = api_name(path, ".trigger")
        key = f"apex-trigger/{tname}"
        status = meta_status(path.with_name(path.name + "-meta.xml"), problems)
        b.asset(key, "apex-trigger", None, mark_status(status, "Apex trigger", None))
        body = strip_formula(read_bytes(path).decode("utf-8", errors="replace"))
        body = re.sub(r"//[^\n]*", " ", body)
        head = re.search(r"\btrigger\s+\w+\s+on\s+(\w+)", body, re.I)
        if head:
            b.depend(key, b.object_key(head.group(1)))
        for word in sorted({w.lower() for w in re.findall(r"\b[A-Za-z_]\w*\b", body)}):
            if word in class_names:
                b.depend(key, f"apex-class/{class_names[word]}")
    problems.raise_if_errors()

    imported = Imported(name, "salesforce")
    target = imported.system(system)
    target.name, target.kind, target.owner = "Salesforce", "crm", owner
    for key in sorted(b.assets):
        item = b.assets[key]
        item.depends_on.sort()
        target.assets[key] = item
    return imported


def _criteria(b: _Builder, key: str, obj: str, el: Element) -> None:
    """Fields read by ``criteriaItems`` (``Lead.LeadSource``) and a rule's ``formula``."""
    for item in children(el, "criteriaItems"):
        ref = text_of(item, "field")
        if not ref:
            continue
        first, _, rest = ref.partition(".")
        if rest and first.lower() == obj.lower():
            paths = b.resolve(obj, rest)
        elif rest and first.lower() in b.org.objects:
            paths = b.resolve(b.org.objects[first.lower()], rest)
        elif rest:
            paths = b.resolve(obj, ref)  # a relationship from the rule's object
        else:
            paths = b.resolve(obj, ref)
        for up in paths:
            b.depend(key, up)
    for ref in formula_references(text_of(el, "formula") or ""):
        for up in b.resolve(obj, ref):
            b.depend(key, up)


_RECORD_REF = re.compile(r"(?:\$Record(?:__Prior)?|myVariable_current|myVariable_old)((?:\.[A-Za-z_][\w]*(?::\w+)?)+)", re.I)


def _flow(b: _Builder, path: Path, el: Element) -> None:
    flow = text_of(el, "fullName") or api_name(path, ".flow-meta.xml")
    key = f"flow/{flow}"
    label = text_of(el, "label")
    b.asset(key, "flow", label, mark_status(text_of(el, "status"), "flow", text_of(el, "description")))
    start = next(iter(children(el, "start")), None)
    obj = text_of(start, "object")
    if obj is None and text_of(el, "processType") == "Workflow":  # Process Builder keeps its object in metadata values
        for pmv in children(el, "processMetadataValues"):
            if text_of(pmv, "name") == "ObjectType":
                value = next(iter(children(pmv, "value")), None)
                obj = text_of(value, "stringValue")
    if obj:
        obj = b.org.objects.get(obj.lower(), obj)
        b.depend(key, b.object_key(obj))
        if start is not None:
            for flt in children(start, "filters"):
                fname = text_of(flt, "field")
                if fname:
                    for up in b.resolve(obj, fname):
                        b.depend(key, up)
        # Every $Record reference in the flow: conditions, formulas, assignments.
        written: set[str] = set()
        for node in el.iter():
            tag = local(node.tag)
            text = node.text or ""
            if "$record" not in text.lower() and "myvariable_" not in text.lower():
                continue
            for match in _RECORD_REF.finditer(text):
                refs = b.resolve(obj, match.group(1).lstrip("."))
                if tag == "assignToReference" and refs:
                    written.add(refs[-1])
                    refs = refs[:-1]
                for up in refs:
                    b.depend(key, up)
        for upd in children(el, "recordUpdates"):
            if (text_of(upd, "inputReference") or "").lower() in ("$record", "myvariable_current"):
                for assign in children(upd, "inputAssignments"):
                    fname = text_of(assign, "field")
                    if fname:
                        written.add(b.field_key(obj, fname))
        for fkey in sorted(written):
            b.depend(fkey, key)
    for kind in ("recordUpdates", "recordCreates", "recordLookups", "recordDeletes"):
        for element in children(el, kind):
            other = text_of(element, "object")
            if not other:
                continue
            other = b.org.objects.get(other.lower(), other)
            for flt in children(element, "filters"):
                fname = text_of(flt, "field")
                if fname:
                    for up in b.resolve(other, fname):
                        b.depend(key, up)
            for q in children(element, "queriedFields"):
                if q.text and q.text.strip():
                    for up in b.resolve(other, q.text.strip()):
                        b.depend(key, up)
            if kind in ("recordUpdates", "recordCreates"):
                for assign in children(element, "inputAssignments"):
                    fname = text_of(assign, "field")
                    if fname:
                        b.depend(b.field_key(other, fname), key)
    for call in children(el, "actionCalls"):
        if (text_of(call, "actionType") or "").lower() == "apex" and text_of(call, "actionName"):
            cls = (text_of(call, "actionName") or "").split(".")[0]
            b.asset(f"apex-class/{cls}", "apex-class")
            b.depend(key, f"apex-class/{cls}")
    for sub in children(el, "subflows"):
        sub_name = text_of(sub, "flowName")
        if sub_name:
            if f"flow/{sub_name}" not in b.assets:
                b.asset(f"flow/{sub_name}", "flow", None, "Flow called as a subflow (no flow file in the source)")
            b.depend(key, f"flow/{sub_name}")
