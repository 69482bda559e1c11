"""``impact import hubspot`` against an independent reading of the export folder (json, a recursive walk)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from impact.importers.hubspot import read_hubspot_export

FIXTURE = Path(__file__).parent / "fixtures" / "hubspot"
OBJECTS = {"0-1": "contacts", "0-3": "deals"}
WEBSITE = {"/products/": None, "/products/analytics/": None}


def _walk(node: Any, obj: str, out: set[tuple[str, str]]) -> None:
    """(kind, reference) of every filter below ``node``; event branches skipped, association branches switch the object."""
    if isinstance(node, list):
        for item in node:
            _walk(item, obj, out)
        return
    if not isinstance(node, dict) or node.get("filterBranchType") == "UNIFIED_EVENTS":
        return
    if node.get("filterBranchType") == "ASSOCIATION":
        obj = OBJECTS[node["objectTypeId"]]
    if node.get("filterType") == "PROPERTY":
        out.add(("property", f"{obj}.{node['property']}"))
    elif node.get("filterType") == "IN_LIST":
        out.add(("list", str(node["listId"])))
    elif node.get("filterType") == "PAGE_VIEW":
        out.add(("page", node["pageUrl"]))
    for key, value in node.items():
        if key != "actions":
            _walk(value, obj, out)


def independent() -> tuple[set[tuple[str, str]], set[str]]:
    lists = {p.stem: json.loads(p.read_text())["list"] for p in (FIXTURE / "lists").glob("*.json")}
    names = {lid: body["name"] for lid, body in lists.items()}
    pairs: set[tuple[str, str]] = set()
    unresolved: set[str] = set()

    def add(aid: str, refs: set[tuple[str, str]]) -> None:
        for kind, ref in refs:
            if kind == "property":
                pairs.add((aid, f"hubspot:property/{ref}"))
            elif kind == "list" and ref in names:
                pairs.add((aid, f"hubspot:list/{names[ref]}"))
            elif kind == "page" and "/products/analytics/" in ref:
                pairs.add((aid, "website:/products/analytics/"))
            else:
                unresolved.add(ref)

    for body in lists.values():
        found: set[tuple[str, str]] = set()
        _walk(body.get("filterBranch"), OBJECTS[body["objectTypeId"]], found)
        add(f"hubspot:list/{body['name']}", found)
    for path in (FIXTURE / "flows").glob("*.json"):
        flow = json.loads(path.read_text())
        aid = f"hubspot:workflow/{flow['name']}"
        found = set()
        _walk(flow.get("enrollmentCriteria"), OBJECTS[flow["objectTypeId"]], found)
        found |= {("list", str(i)) for i in flow.get("suppressionListIds", [])}
        add(aid, found)
        for action in flow["actions"]:
            if action.get("actionTypeId") == "0-5":
                prop = f"hubspot:property/{OBJECTS[flow['objectTypeId']]}.{action['fields']['property_name']}"
                pairs |= {(prop, aid), (aid, prop)}
    return pairs, unresolved


def test_the_importer_finds_what_an_independent_reader_finds() -> None:
    expected, unresolved = independent()
    imported = read_hubspot_export(FIXTURE, "hubspot", "mops", "website", {"website": WEBSITE})
    assets = imported.systems["hubspot"].assets
    got = {(f"hubspot:{key}", dep) for key, item in assets.items() for dep in item.depends_on}
    assert len(expected) >= 12
    assert len(expected & got) / len(expected) >= 0.9, sorted(expected - got)
    assert not {d for _a, d in got if any(u in d for u in unresolved)}
    # Beyond enrollment criteria the importer reads branches (what a workflow's path tests): properties only.
    assert all(d.startswith("hubspot:property/") for _a, d in got - expected), sorted(got - expected)
    assert any("9999" in note for note in imported.notes)


def test_writers_as_salesforce_writers() -> None:
    assets = read_hubspot_export(FIXTURE).systems["hubspot"].assets
    prop = assets["property/contacts.product_interest"]
    assert prop.uses["hubspot:workflow/Set Product Interest"] == ["data"]
    assert assets["workflow/Set Product Interest"].uses["hubspot:property/contacts.product_interest"] == [
        "name",
        "schema",
        "availability",
        "values",  # it writes a literal: renaming that option breaks it (issue #29)
    ]
    assert assets["workflow/Set Product Interest"].values["hubspot:property/contacts.product_interest"] == ["analytics"]
    assert (assets["workflow/Form fill - Region"].description or "").startswith("Inactive workflow")
    assert "property/contacts.hs_form_id" not in assets  # an event property, not the contact's
    assert "property/deals.hs_is_closed_won" in assets["list/EMEA Won Customers"].depends_on[-1]
