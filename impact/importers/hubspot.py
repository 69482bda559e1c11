"""A HubSpot export folder (lists v3, workflows v4, properties; API bodies unchanged) → catalog assets.

The folder (written by ``impact import hubspot --fetch``)::

    lists/<listId>.json          GET /crm/v3/lists/{listId}?includeFilters=true
    flows/<flowId>.json          GET /automation/v4/flows/{flowId}
    properties/<objectType>.json GET /crm/v3/properties/{objectType}   (contacts, companies, deals, tickets)

Ids (system ``hubspot`` unless ``--system``): ``list/<name>``,
``workflow/<name>``, ``property/<objectType>.<name>``. A list depends on the
properties and lists its filters test and, with a website system, on the
deepest folder a ``PAGE_VIEW`` filter names (``uses: [name]``); a workflow
on what its enrollment criteria, suppression lists, branches and goal test.
A property a workflow's set-property action writes depends on the workflow
for its ``data``, and the workflow on the property's ``name``, ``schema`` and
``availability``, and on its ``values`` when it writes a literal. Filters
inside event branches test the event's properties, not the record's, and
are left out. A dependency on a property that is only compared with
literal values by exact operators (``IS_ANY_OF``, ``IS_EQUAL_TO``, their
negations), and only written as literals, lists them (``values:``, issue
#29); partial matches, ``IS_KNOWN`` and ranges read the whole value
(:mod:`impact.importers.hubspot_values`). A list id that is not in
the folder is named in a note, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from impact.core.errors import ImpactError, Problem, display_path
from impact.importers.hubspot_values import filter_values, written_value
from impact.importers.merge import Imported, ImportedAsset
from impact.importers.webpaths import deepest_folder
from impact.importers.xmlread import read_json

OBJECT_TYPES = {"0-1": "contacts", "0-2": "companies", "0-3": "deals", "0-5": "tickets"}
SET_PROPERTY = "0-5"
WRITER_USES = ["name", "schema", "availability"]
Known = Mapping[str, Mapping[str, str | None]]


def _json(path: Path) -> dict[str, Any]:
    data = read_json(path, "HubSpot API response")
    if not isinstance(data, dict):
        raise ImpactError(Problem(display_path(path), 1, 1, "not a HubSpot API response (expected an object)"))
    if data.get("status") == "error" and "message" in data:
        raise ImpactError(
            Problem(
                display_path(path),
                1,
                1,
                f"this file is a failed call ({data.get('category', 'error')}: {data['message']}); fetch it again",
            )
        )
    return data


def _files(folder: Path, sub: str) -> list[Path]:
    where = folder / sub
    return sorted(where.glob("*.json"), key=lambda p: p.name) if where.is_dir() else []


def object_type(value: Any) -> str:
    """``contacts`` for ``0-1`` (and for ``contacts``); other object types by their id."""
    text = str(value or "0-1")
    return OBJECT_TYPES.get(text, text)


def branch_filters(branch: Any, obj: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(object type, filter)`` of every filter of a filter branch, event branches left out."""
    if not isinstance(branch, dict) or branch.get("filterBranchType") == "UNIFIED_EVENTS":
        return
    if branch.get("filterBranchType") == "ASSOCIATION" and branch.get("objectTypeId"):
        obj = object_type(branch["objectTypeId"])  # its property filters are the associated object's
    for item in branch.get("filters") or []:
        if isinstance(item, dict):
            yield obj, item
    for sub in branch.get("filterBranches") or []:
        yield from branch_filters(sub, obj)


class Reader:
    def __init__(self, imported: Imported, system: str, website: str | None, known: Known) -> None:
        self.imported, self.system, self.website = imported, system, website
        self.folders = dict(known.get(website or "", {}))
        self.lists: dict[str, str] = {}  # listId -> name
        self.tested: dict[tuple[str, str], set[str] | None] = {}  # (asset, property) -> its values; None: whole

    def test(self, key: str, prop: str, values: list[str] | str | None) -> None:
        """``key`` compares (or writes) ``prop`` with ``values`` (None: it reads the whole value)."""
        at = (key, f"{self.system}:{prop}")
        before = self.tested.get(at, set())
        if before is None or values is None:
            self.tested[at] = None
        else:
            self.tested[at] = before | ({values} if isinstance(values, str) else set(values))

    def narrow(self) -> None:
        """Each dependency on a property that only compares or writes literal values lists them (issue #29)."""
        for (key, dep), values in sorted(self.tested.items()):
            item = self.assets[key]
            if not values or dep not in item.depends_on:
                continue
            item.values[dep] = sorted(values)
            if dep in item.uses and "values" not in item.uses[dep]:  # a writer's: the values it writes matter too
                item.uses[dep] = [*item.uses[dep], "values"]

    @property
    def assets(self) -> dict[str, ImportedAsset]:
        return self.imported.systems[self.system].assets

    def add(self, key: str, type_: str, name: str | None = None, description: str | None = None) -> ImportedAsset:
        item = self.assets.setdefault(key, ImportedAsset(type_, None, description, [], name))
        item.name = item.name or name
        return item

    def depend(self, key: str, upstream: str, uses: list[str] | None = None) -> None:
        item = self.assets[key]
        dep = upstream if upstream.split("/", 1)[0].count(":") else f"{self.system}:{upstream}"
        if dep != f"{self.system}:{key}" and dep not in item.depends_on:
            item.depends_on.append(dep)
            if uses:
                item.uses[dep] = uses

    def note(self, text: str) -> None:
        if text not in self.imported.notes:
            self.imported.notes.append(text)

    def property(self, obj: str, name: str) -> str:
        key = f"property/{obj}.{name}"
        self.add(key, "property")
        return key

    def list_ref(self, key: str, list_id: Any, where: str) -> None:
        name = self.lists.get(str(list_id))
        if name is not None:
            self.depend(key, f"list/{name}")
        else:
            self.note(f"Warning: {where}: list {list_id} is not in lists/ (a legacy id, or not fetched); not linked")

    def filters(self, key: str, branch: Any, obj: str, where: str) -> None:
        """``key`` depends on what the filters of ``branch`` test."""
        for fobj, item in branch_filters(branch, obj):
            kind = item.get("filterType")
            if kind == "PROPERTY" and isinstance(item.get("property"), str):
                prop = self.property(fobj, item["property"])
                self.depend(key, prop)
                self.test(key, prop, filter_values(item))
            elif kind == "IN_LIST" and item.get("listId") is not None:
                self.list_ref(key, item["listId"], where)
            elif kind == "PAGE_VIEW" and isinstance(item.get("pageUrl"), str) and self.website:
                found = deepest_folder(item["pageUrl"], self.folders)
                if found is not None:
                    self.depend(key, f"{self.website}:{found}", ["name"])
                else:
                    self.note(
                        f"Warning: {where}: page view of {item['pageUrl']!r} names no folder of {self.website!r}; "
                        "not linked"
                    )


def read_hubspot_export(
    folder: Path,
    system: str = "hubspot",
    owner: str | None = None,
    website: str | None = None,
    known: Known | None = None,
) -> Imported:
    """The assets of a HubSpot export folder (see the module docstring)."""
    if not folder.is_dir():
        raise ImpactError(
            Problem(display_path(folder), 0, 0, "no such folder; give the folder 'impact import hubspot --fetch' wrote")
        )
    lists = [_json(p) for p in _files(folder, "lists")]
    flows = [_json(p) for p in _files(folder, "flows")]
    props = {p.stem: _json(p) for p in _files(folder, "properties")}
    if not (lists or flows or props):
        raise ImpactError(
            Problem(
                display_path(folder),
                0,
                0,
                "no HubSpot export here (no lists/, flows/ or properties/); write it with 'impact import hubspot "
                "--fetch'",
            )
        )
    imported = Imported(display_path(folder), "hubspot")
    target = imported.system(system)
    target.name, target.kind, target.owner = "HubSpot", "marketing-automation", owner
    reader = Reader(imported, system, website, known or {})
    for obj, body in sorted(props.items()):
        for prop in body.get("results") or []:
            if isinstance(prop, dict) and isinstance(prop.get("name"), str):
                reader.add(
                    f"property/{obj}.{prop['name']}",
                    "property",
                    prop.get("label") or None,
                    prop.get("description") or None,
                )
    records = [body.get("list", body) for body in lists]
    reader.lists = {str(r.get("listId")): str(r["name"]) for r in records if isinstance(r, dict) and r.get("name")}
    for record in records:
        if isinstance(record, dict) and record.get("name"):
            key = f"list/{record['name']}"
            reader.add(
                key, "list", description=f"{str(record.get('processingType', '')).capitalize()} list".strip() or None
            )
            reader.filters(
                key, record.get("filterBranch"), object_type(record.get("objectTypeId")), f"list {record['name']!r}"
            )
    for flow in flows:
        _flow(reader, flow)
    reader.narrow()
    for item in target.assets.values():
        item.depends_on.sort()
    imported.notes.sort()
    return imported


def _flow(reader: Reader, flow: dict[str, Any]) -> None:
    name = flow.get("name") or f"Workflow {flow.get('id')}"
    key = f"workflow/{name}"
    where = f"workflow {name!r}"
    obj = object_type(flow.get("objectTypeId"))
    text = str(flow.get("description") or "") or None
    reader.add(
        key,
        "workflow",
        description=f"Inactive workflow{': ' + text if text else ''}" if flow.get("isEnabled") is False else text,
    )
    criteria = flow.get("enrollmentCriteria") or {}
    branches = [criteria.get("listFilterBranch"), *(criteria.get("reEnrollmentTriggersFilterBranches") or [])]
    branches += [
        *(criteria.get("listMembershipFilterBranches") or []),
        flow.get("goalFilterBranch"),
        flow.get("suppressionFilterBranch"),
    ]
    for action in flow.get("actions") or []:
        if isinstance(action, dict):
            branches += [b.get("filterBranch") for b in action.get("listBranches") or [] if isinstance(b, dict)]
    for branch in branches:
        reader.filters(key, branch, obj, where)
    for list_id in flow.get("suppressionListIds") or []:
        reader.list_ref(key, list_id, where)
    for action in flow.get("actions") or []:
        fields = action.get("fields") if isinstance(action, dict) else None
        if (
            action.get("actionTypeId") == SET_PROPERTY
            and isinstance(fields, dict)
            and isinstance(fields.get("property_name"), str)
        ):
            prop = reader.property(obj, fields["property_name"])
            reader.depend(prop, key, ["data"])  # the workflow writes it
            reader.depend(key, prop, WRITER_USES)
            reader.test(key, prop, written_value(fields))
