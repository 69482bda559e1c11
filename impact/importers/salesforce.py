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
  fields its criteria read (``salesforce_workflows``);
- a flow on its object, the fields it reads (through ``$Record``, Get Records
  results, loop and record variables) and the flows and Apex actions it
  calls (``salesforce_flows``);
- an Apex trigger on its object and on the classes its body names;
- an automation that writes a field (a flow, a workflow field update, an
  assignment rule setting the owner, a trigger assigning it) on the field's
  ``name``, ``schema`` and ``availability``: renaming, retyping or deleting
  the field breaks it. The field depends on its writer for everything, its
  data included (``salesforce_org.Builder.write``).

A reference through a relationship (``Account__r.Name``, ``Owner:User.IsActive``)
reaches the related object's field when the lookup can be resolved, and only
the lookup field otherwise: never a field of the wrong object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from impact.core.errors import ImpactError, Problem, ProblemList, display_path
from impact.importers.merge import Imported
from impact.importers.salesforce_files import (
    Files,
    api_name,
    mark_status,
    meta_status,
    metadata_files,
    no_progress,
    parse_file,
    read_file,
    text_of,
)
from impact.importers.salesforce_flows import add_flow, flow_key
from impact.importers.salesforce_formulas import formula_references, strip_formula
from impact.importers.salesforce_layout import read_older_layout
from impact.importers.salesforce_org import Builder, FieldDef, Org
from impact.importers.salesforce_workflows import add_assignment_rules, add_workflow
from impact.importers.xmlread import read_bytes
from impact.read.gcpause import gc_paused
from impact.read.limits import Limits

Progress = Callable[[Iterable[Path], int, str], Iterable[Path]]
XML_KINDS = ("object", "field", "validation-rule", "flow", "assignment-rules", "queue", "workflow")


def read_salesforce_source(
    root: Path,
    system: str = "salesforce",
    owner: str | None = None,
    progress: Progress = no_progress,
    edit_roots: Callable[[dict[Path, Element]], object] | None = None,
) -> Imported:
    """Assets and dependencies of a Salesforce project in source format (see the module docstring).

    Python's cyclic garbage collector is paused meanwhile: the element trees
    of a whole org are millions of objects in no cycle, and its collections
    over them took half the time of a 24,000-field org. ``edit_roots`` sees
    (and may change) every parsed metadata file before it is read.
    """
    return read_salesforce_readings(root, system, owner, progress, [edit_roots])[0]


def read_salesforce_readings(
    root: Path,
    system: str,
    owner: str | None,
    progress: Progress,
    edits: list[Callable[[dict[Path, Element]], object] | None],
) -> list[Imported]:
    """One reading of the project per item of ``edits``, each after that edit of the parsed files (parsed once).

    :mod:`impact.importers.salesforce_values` reads an org twice, the second
    time with its comparisons taken out; parsing 35,000 files twice had
    doubled the import's time.
    """
    with gc_paused():
        name, files, roots, skipped = _parse_source(root, progress)
        out = []
        for edit in edits:
            if edit is not None:
                edit(roots)
            out.append(_build_source(name, files, roots, system, owner, skipped))
        return out


def _parse_source(root: Path, progress: Progress) -> tuple[str, Files, dict[Path, Element], list[str]]:
    name = display_path(root)
    if not root.is_dir():
        hint = (
            "no such folder; give the project folder (the one with force-app/) "
            "or any folder holding objects/, flows/, ..."
        )
        raise ImpactError(Problem(name, 0, 0, hint))
    files = Files()
    skipped: list[str] = []  # links out of the export: named after the import, never read
    for kind, path in metadata_files(root, skipped):
        files.add(kind, path)
    older, older_roots = read_older_layout(root, progress)  # src/objects/*.object...: as source-format items
    if not files.count() and not older.count():
        hint = (
            "no Salesforce metadata found below this folder "
            "(no objects/*/fields/*.field-meta.xml, flows/*.flow-meta.xml, src/objects/*.object, ...); "
            "is it a Salesforce project? Retrieve it with 'sf project retrieve start'"
        )
        raise ImpactError(Problem(name, 0, 0, hint))
    roots = read_roots(files, progress)
    roots.update(older_roots)
    for kind, paths in older.by_kind.items():
        for path in paths:
            files.add(kind, path)
    return name, files, roots, skipped


def _build_source(
    name: str, files: Files, roots: dict[Path, Element], system: str, owner: str | None, skipped: list[str]
) -> Imported:
    b = Builder(system, index_org(files, roots))
    add_objects_and_fields(b)
    add_validation_rules(b, files, roots)
    for path in files.get("queue"):
        el = roots[path]
        queue = text_of(el, "fullName") or api_name(path, ".queue-meta.xml")
        b.asset(f"queue/{queue}", "queue", text_of(el, "name"), text_of(el, "description"))
    for path in files.get("assignment-rules"):
        add_assignment_rules(b, api_name(path, ".assignmentRules-meta.xml"), roots[path])
    for path in files.get("workflow"):
        add_workflow(b, api_name(path, ".workflow-meta.xml"), roots[path])
    for path in files.get("flow"):  # every flow first, so a subflow call finds its flow
        b.asset(flow_key(path, roots[path]), "flow")
    for path in files.get("flow"):
        add_flow(b, path, roots[path])
    add_apex(b, files)
    imported = Imported(name, "salesforce")
    target = imported.system(system)
    target.name, target.kind, target.owner = "Salesforce", "crm", owner
    for key in sorted(b.assets):
        item = b.assets[key]
        item.depends_on.sort()
        target.assets[key] = item
    imported.notes.extend(skipped)
    return imported


def read_roots(files: Files, progress: Progress) -> dict[Path, Element]:
    """Every metadata file's root element; the problems of all the broken ones at once."""
    problems = ProblemList()
    roots: dict[Path, Element] = {}
    xml_files = [p for kind in XML_KINDS for p in files.get(kind)]
    limit = Limits.from_env().max_file_bytes
    for path in progress(xml_files, len(xml_files), "Reading Salesforce metadata"):
        try:
            raw = read_file(path, limit)
            roots[path] = parse_file(path, raw if raw is not None else read_bytes(path))
        except ImpactError as exc:
            problems.items.extend(exc.problems)
    problems.raise_if_errors()
    return roots


def index_org(files: Files, roots: dict[Path, Element]) -> Org:
    """The objects and fields the source defines."""
    org = Org()
    for path in files.get("object"):
        obj = api_name(path, ".object-meta.xml")
        org.objects[obj.lower()] = obj
        label, desc = text_of(roots[path], "label"), text_of(roots[path], "description")
        if label:
            org.object_labels[obj.lower()] = label
        if desc:
            org.object_descriptions[obj.lower()] = desc
    for path in files.get("field"):
        found = read_field(path, roots[path])
        org.objects.setdefault(found.obj.lower(), found.obj)
        org.fields[(found.obj.lower(), found.name.lower())] = found
    for path in files.get("validation-rule"):
        obj = path.parent.parent.name
        org.objects.setdefault(obj.lower(), obj)
    return org


def read_field(path: Path, el: Element) -> FieldDef:
    """A field file (``objects/<Object>/fields/<Field>.field-meta.xml``): what the importer needs of it, in one pass."""
    text: dict[str, str | None] = {}
    refs: list[str] = []
    for child in el:
        tag = child.tag.rpartition("}")[2]
        value = (child.text or "").strip() or None
        if tag == "referenceTo":
            if value:
                refs.append(value)
        elif tag not in text:
            text[tag] = value
    obj = path.parts[-3]
    fname = text.get("fullName") or api_name(path, ".field-meta.xml")
    summarized = [v for v in (text.get("summarizedField"), text.get("summaryForeignKey")) if v]
    label, type_, description, formula = (text.get(tag) for tag in ("label", "type", "description", "formula"))
    return FieldDef(obj, fname, label, type_, description, formula, refs, summarized, path)


def add_objects_and_fields(b: Builder) -> None:
    """Every object and field; a formula field on the fields it reads, a roll-up summary on the field it sums."""
    for key_obj in sorted(set(b.org.objects.values())):
        b.object_key(key_obj)
    defined = sorted(b.org.fields.values(), key=lambda f: (f.obj, f.name))
    for fd in defined:
        b.asset(f"field/{fd.obj}.{fd.name}", "field", fd.label, fd.description)
    for fd in defined:
        key = f"field/{fd.obj}.{fd.name}"
        if fd.formula:
            for ref in formula_references(fd.formula):
                for up in b.resolve(fd.obj, ref):
                    b.depend(key, up)
        for summary in fd.summarized:  # roll-up summary: "Opportunity.Amount"
            child_obj, _, child_field = summary.partition(".")
            if child_field:
                b.depend(key, b.field_key(child_obj, child_field))


def add_validation_rules(b: Builder, files: Files, roots: dict[Path, Element]) -> None:
    for path in files.get("validation-rule"):
        obj = b.org.objects[path.parent.parent.name.lower()]
        el = roots[path]
        rule = unquote(text_of(el, "fullName") or api_name(path, ".validationRule-meta.xml"))
        key = f"validation-rule/{obj}.{rule}"
        status = mark_status(text_of(el, "active"), "validation rule", text_of(el, "description"))
        b.asset(key, "validation-rule", None, status)
        for ref in formula_references(text_of(el, "errorConditionFormula") or ""):
            for up in b.resolve(obj, ref):
                b.depend(key, up)


def add_apex(b: Builder, files: Files) -> None:
    """Apex classes, and each trigger on its object, the classes its body names and the fields it assigns."""
    problems = ProblemList()
    limit = Limits.from_env().max_file_bytes
    class_names: dict[str, str] = {}
    for path in files.get("apex-class"):
        cname = api_name(path, ".cls")
        class_names[cname.lower()] = cname
        status = meta_status(path.with_name(path.name + "-meta.xml"), problems, limit)
        b.asset(f"apex-class/{cname}", "apex-class", None, mark_status(status, "Apex class", None))
    for path in files.get("apex-trigger"):
        key = f"apex-trigger/{api_name(path, '.trigger')}"
        status = meta_status(path.with_name(path.name + "-meta.xml"), problems, limit)
        b.asset(key, "apex-trigger", None, mark_status(status, "Apex trigger", None))
        body = strip_formula(read_bytes(path).decode("utf-8", errors="replace"))
        body = re.sub(r"//[^\n]*", " ", body)
        head = re.search(r"\btrigger\s+\w+\s+on\s+(\w+)", body, re.I)
        if head:
            b.depend(key, b.object_key(head.group(1)))
            for written in _trigger_writes(b, head.group(1), body):
                b.write(key, written)
        for word in sorted({w.lower() for w in re.findall(r"\b[A-Za-z_]\w*\b", body)}):
            if word in class_names:
                b.depend(key, f"apex-class/{class_names[word]}")
    problems.raise_if_errors()


_FIELD_ASSIGNED = re.compile(r"\.\s*([A-Za-z_]\w*)\s*=(?!=)")


def _trigger_writes(b: Builder, obj: str, body: str) -> list[str]:
    """Fields of the trigger's object its body assigns (``acc.Rating__c = ...``), where the source defines the field."""
    low = b.object_name(obj).lower()
    found = {match.group(1).lower() for match in _FIELD_ASSIGNED.finditer(body)}
    return sorted(b.field_key(obj, name) for name in found if (low, name) in b.org.fields)
