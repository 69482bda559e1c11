"""An independent reading of Salesforce flows and workflows, with the standard library only.

Written apart from ``impact/importers/salesforce_*.py`` and plainer: it reads
what a person reading the XML would list for each flow and workflow, for the
patterns that can be read without doubt (direct ``<variable>.<Field>``
references, record elements' fields, calls), and leaves the rest out. Tests
compare the importer's catalog with it (recall, and the ids it must never
make); ``python -m tests.sf_reading ORG CATALOG`` prints the same figures
for an org that is not a fixture.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

NS = "{http://soap.sforce.com/2006/04/metadata}"
SF = "salesforce:"


@dataclass
class Reading:
    flow_reads: set[tuple[str, str]] = field(default_factory=set)  # (flow id, field id)
    flow_writes: set[tuple[str, str]] = field(default_factory=set)
    flow_calls: set[tuple[str, str]] = field(default_factory=set)  # (calling flow id, called flow id)
    workflow_rules: set[str] = field(default_factory=set)
    workflow_writes: set[tuple[str, str]] = field(default_factory=set)  # (rule id, field id)


def _text(el: ET.Element | None, path: str) -> str:
    if el is None:
        return ""
    return (el.findtext(NS + path.replace("/", "/" + NS)) or "").strip()


def _flow_object(root: ET.Element) -> str:
    obj = _text(root, "start/object")
    if obj:
        return obj
    for pmv in root.findall(f"{NS}processMetadataValues"):
        if _text(pmv, "name") == "ObjectType":
            return _text(pmv, "value/stringValue")
    return ""


def _lookups(org: Path) -> dict[tuple[str, str], str]:
    """(object, lookup field) → the one object it references, from the field files."""
    out: dict[tuple[str, str], str] = {}
    for path in org.rglob("*.field-meta.xml"):
        el = ET.parse(path).getroot()
        refs = [r.text for r in el.findall(f"{NS}referenceTo") if r.text]
        if len(refs) == 1:
            out[(path.parent.parent.name, _text(el, "fullName"))] = refs[0]
    return out


def _variables(root: ET.Element, obj: str) -> dict[str, str]:
    names = {n: obj for n in ("$Record", "$Record__Prior", "myVariable_current", "myVariable_old")} if obj else {}
    for var in root.findall(f"{NS}variables"):
        if _text(var, "objectType") and _text(var, "dataType") == "SObject":
            names[_text(var, "name")] = _text(var, "objectType")
    for get in root.findall(f"{NS}recordLookups"):
        if _text(get, "storeOutputAutomatically") == "true":
            names[_text(get, "name")] = _text(get, "object")
        if _text(get, "outputReference"):
            names[_text(get, "outputReference")] = _text(get, "object")
    for loop in root.findall(f"{NS}loops"):
        if _text(loop, "collectionReference") in names:
            names[_text(loop, "name")] = names[_text(loop, "collectionReference")]
    return names


def read_flow(path: Path, reading: Reading) -> None:
    root = ET.parse(path).getroot()
    flow = f"{SF}flow/{unquote(path.name[: -len('.flow-meta.xml')])}"
    obj = _flow_object(root)
    names = _variables(root, obj)
    saving = root.findall(f"{NS}recordUpdates") + root.findall(f"{NS}recordCreates")
    saved = {_text(e, "inputReference") for e in saving}
    for node in root.iter():
        text = (node.text or "").strip()
        tag = node.tag.replace(NS, "")
        if tag == "inputReference":
            continue
        for var, fname in re.findall(r"(?<![\w.$])(\$?\w+)\.(\w+)(?![\w.:])", text):
            if var not in names or not names[var]:
                continue
            if fname.endswith("__r") or fname in ("Parent", "Owner", "What", "Who"):
                fname = fname[:-3] + "__c" if fname.endswith("__r") else fname + "Id"  # a related record: its lookup
            fid = f"{SF}field/{names[var]}.{fname}"
            if tag == "assignToReference" and text == f"{var}.{fname}" and fname != "Id":
                if var in ("$Record", "myVariable_current") or var in saved:
                    reading.flow_writes.add((flow, fid))
            else:
                reading.flow_reads.add((flow, fid))
    for kind in ("recordLookups", "recordUpdates", "recordCreates", "recordDeletes"):
        for element in root.findall(f"{NS}{kind}"):
            other = _text(element, "object") or names.get(_text(element, "inputReference"), "")
            if not other:
                continue
            for flt in element.findall(f"{NS}filters"):
                reading.flow_reads.add((flow, f"{SF}field/{other}.{_text(flt, 'field')}"))
            for q in element.findall(f"{NS}queriedFields"):
                reading.flow_reads.add((flow, f"{SF}field/{other}.{(q.text or '').strip()}"))
            if kind in ("recordUpdates", "recordCreates"):
                for item in element.findall(f"{NS}inputAssignments"):
                    reading.flow_writes.add((flow, f"{SF}field/{other}.{_text(item, 'field')}"))
    for call in root.findall(f"{NS}actionCalls"):
        if _text(call, "actionType") == "flow":
            reading.flow_calls.add((flow, f"{SF}flow/{_text(call, 'actionName')}"))
    for sub in root.findall(f"{NS}subflows"):
        reading.flow_calls.add((flow, f"{SF}flow/{_text(sub, 'flowName')}"))


def read_workflow(path: Path, lookups: dict[tuple[str, str], str], reading: Reading) -> None:
    root = ET.parse(path).getroot()
    obj = path.name.split(".")[0]
    standard = {("EmailMessage", "ParentId"): "Case", ("CaseComment", "ParentId"): "Case"}
    updates: dict[str, str] = {}
    for fu in root.findall(f"{NS}fieldUpdates"):
        via = _text(fu, "targetObject")
        target = obj if not via else lookups.get((obj, via)) or standard.get((obj, via), "")
        if target:
            updates[_text(fu, "fullName")] = f"{SF}field/{target}.{_text(fu, 'field')}"
    for rule in root.findall(f"{NS}rules"):
        rid = f"{SF}workflow-rule/{obj}.{unquote(_text(rule, 'fullName'))}"
        reading.workflow_rules.add(rid)
        actions = rule.findall(f"{NS}actions") + rule.findall(f"{NS}workflowTimeTriggers/{NS}actions")
        for action in actions:
            if _text(action, "type") == "FieldUpdate" and _text(action, "name") in updates:
                reading.workflow_writes.add((rid, updates[_text(action, "name")]))


def read_org(org: Path) -> Reading:
    reading = Reading()
    for path in sorted(org.rglob("*.flow-meta.xml")):
        read_flow(path, reading)
    lookups = _lookups(org)
    for path in sorted(org.rglob("*.workflow-meta.xml")):
        read_workflow(path, lookups, reading)
    return reading


def catalog_edges(catalog_file: Path) -> tuple[set[str], set[tuple[str, str]]]:
    """The assets and (upstream, downstream) dependencies of an imported catalog file, read with PyYAML."""
    import yaml

    data = yaml.safe_load(catalog_file.read_text(encoding="utf-8"))
    assets: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for sid, system in data["systems"].items():
        for key, asset in system["assets"].items():
            down = f"{sid}:{key}"
            assets.add(down)
            for dep in asset.get("depends_on", []):
                edges.add((dep if isinstance(dep, str) else dep["asset"], down))
    return assets, edges


def recall(reading: Reading, catalog_file: Path) -> dict[str, tuple[int, int]]:
    """For each kind: (found by the importer, listed by the reading)."""
    assets, edges = catalog_edges(catalog_file)
    kinds = {
        "flow reads": {(f, up) for f, up in reading.flow_reads if (up, f) in edges},
        "flow writes": {(f, fid) for f, fid in reading.flow_writes if (f, fid) in edges and (fid, f) in edges},
        "flow calls": {(f, g) for f, g in reading.flow_calls if (g, f) in edges},
        "workflow rules": {r for r in reading.workflow_rules if r in assets},
        "workflow field updates": {(r, f) for r, f in reading.workflow_writes if (r, f) in edges and (f, r) in edges},
    }
    listed = {
        "flow reads": reading.flow_reads,
        "flow writes": reading.flow_writes,
        "flow calls": reading.flow_calls,
        "workflow rules": reading.workflow_rules,
        "workflow field updates": reading.workflow_writes,
    }
    return {kind: (len(kinds[kind]), len(listed[kind])) for kind in kinds}


if __name__ == "__main__":
    org_dir, catalog = Path(sys.argv[1]), Path(sys.argv[2])
    result = recall(read_org(org_dir), catalog)
    for kind, (found, listed) in result.items():
        print(f"{kind}: {found}/{listed} = {found / listed:.1%}" if listed else f"{kind}: none listed")
    if "-v" in sys.argv:
        reading = read_org(org_dir)
        _, edges = catalog_edges(catalog)
        for f, up in sorted(reading.flow_reads):
            if (up, f) not in edges:
                print("missed read", f, up)
        for f, up in sorted(reading.flow_writes):
            if (f, up) not in edges or (up, f) not in edges:
                print("missed write", f, up)
