"""The values Marketo and HubSpot filters compare a field with (issue #29), against independent readings of the exports.

Each reader here is written from the documented formats (``shared/formats``: smart list rules with
``conditions[] {operator, values}``; lists v3 filter branches with ``operation {operationType, operator,
value|values}``), with plain loops over the JSON, and none of the importers' code. The rule it applies, in
its own words: a filter that compares a field with literal values by an exact operator (Marketo ``is`` /
``is not``, a data value change to or from a value; HubSpot ``IS_ANY_OF``, ``IS_EQUAL_TO`` and their
negations) tests those values; anything else on the field (a partial match, emptiness, a range, a change
of any value) reads the whole value, and then the dependency lists none.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from impact.importers.hubspot import read_hubspot_export
from impact.importers.marketo import read_marketo_export
from tests.helpers import run_cli as run

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
MARKETO_EXPORTS = [
    FIXTURES / "marketo",
    FIXTURES / "marketo-values",
    ROOT / "catalogs" / "example" / "exports" / "marketo",
]
HUBSPOT_EXPORTS = [FIXTURES / "hubspot", FIXTURES / "hubspot-values"]

Tests = dict[tuple[str, str], tuple[str, ...] | None]
"""(asset id, field id) → the values tested, sorted; None: the whole value."""


def _result(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text())["result"]) if path.is_file() else []


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value).strip()


def _marketo_rules(folder: Path) -> dict[str, dict[str, Any]]:
    """Asset id → its smart list rules: each standalone list, each campaign's own list."""
    programs = {str(p["id"]): p["name"] for p in _result(folder / "programs.json")}
    out: dict[str, dict[str, Any]] = {}
    own = set()
    for c in _result(folder / "smartCampaigns.json"):
        own.add(str(c.get("smartListId")))
        pid = c.get("parentProgramId") or (c["folder"]["id"] if c["folder"]["type"] == "Program" else None)
        program = programs.get(str(pid))
        aid = f"marketo:smart-campaign/{program}/{c['name']}" if program else f"marketo:smart-campaign/{c['name']}"
        lists = _result(folder / "smartCampaigns" / str(c["id"]) / "smartList.json")
        if lists:
            out[aid] = lists[0]["rules"]
    for path in sorted((folder / "smartLists").glob("*.json")):
        sl = _result(path)[0]
        if str(sl["id"]) not in own:
            out[f"marketo:smart-list/{sl['name']}"] = sl["rules"]
    return out


def marketo_independent(folder: Path) -> Tests:
    fields = {}
    for record in _result(folder / "leadFields.json"):
        for f in record["fields"]:
            fields[f["name"].lower()] = fields[f["displayName"].lower()] = f["name"]
    found: Tests = {}
    for aid, rules in _marketo_rules(folder).items():
        literal: dict[str, set[str]] = {}
        whole: set[str] = set()
        watched: set[str] = set()
        held: set[str] = set()
        filters = rules.get("filters") or []
        every_filter = rules.get("filterMatchType") == "all" or len(filters) == 1
        for part in ("triggers", "filters"):
            for rule in rules.get(part) or []:
                conditions = rule.get("conditions") or []
                if rule["name"] in ("Data Value Changes", "Data Value Changed"):
                    name = next(c["values"][0] for c in conditions if c.get("activityAttributeName") == "Attribute")
                    field = fields.get(name.lower())
                    if field is None:
                        continue
                    literal.setdefault(field, set())
                    on_value = [c for c in conditions if c.get("activityAttributeName") in ("New Value", "Old Value")]
                    if not on_value:
                        watched.add(field)
                    for c in on_value:
                        if c["operator"] == "is" and c["values"]:
                            literal[field] |= {_text(v) for v in c["values"]}
                        else:
                            whole.add(field)
                elif rule.get("ruleType") == "Attribute":
                    for c in conditions:
                        field = fields.get(str(c.get("attributeName") or rule["name"]).lower())
                        if field is None:
                            continue
                        values = {_text(v) for v in c.get("values") or [] if _text(v)}
                        literal.setdefault(field, set())
                        if c["operator"] in ("is", "is not") and values:
                            literal[field] |= values
                            if c["operator"] == "is" and part == "filters" and every_filter:
                                held.add(field)
                        else:
                            whole.add(field)
        for field, values in literal.items():
            narrow = values and field not in whole and (field not in watched or field in held)
            found[(aid, f"marketo:field/{field}")] = tuple(sorted(values)) if narrow else None
    return found


def imported_tests(assets: dict[str, Any], system: str, kinds: tuple[str, ...], upstream: str) -> Tests:
    """What the importer recorded: every dependency of ``kinds`` on ``upstream`` ids, with its values."""
    return {
        (f"{system}:{key}", dep): (tuple(item.values[dep]) if dep in item.values else None)
        for key, item in assets.items()
        if key.startswith(kinds)
        for dep in item.depends_on
        if dep.startswith(upstream)
    }


@pytest.mark.parametrize("folder", MARKETO_EXPORTS, ids=lambda p: p.parent.name + "/" + p.name)
def test_marketo_values_as_an_independent_reader_finds_them(folder: Path) -> None:
    expected = marketo_independent(folder)
    imported = read_marketo_export(folder, "marketo", "mops")
    got = imported_tests(
        imported.systems["marketo"].assets, "marketo", ("smart-list/", "smart-campaign/"), "marketo:field/"
    )
    assert got == expected
    assert any(v is not None for v in expected.values())


def test_the_marketo_values_fixture_covers_each_case() -> None:
    expected = marketo_independent(FIXTURES / "marketo-values")
    status = {aid.split("/", 1)[1]: v for (aid, dep), v in expected.items() if dep == "marketo:field/leadStatus"}
    assert status == {
        "Open Leads outside the US": ("Open",),  # is
        "Tech Industries": None,  # starts with
        "Status Known": None,  # is not empty
        "Working Leads": ("Nurturing", "Working"),  # a condition without attributeName: the rule names the field
        "MQL Alert": ("MQL",),  # New Value is
        "Status Changed - Any Filter": None,  # any change; the is filter need not hold
        "Status Changed - Recycled": ("Recycled",),  # any change, held to Recycled by an is filter of 'all'
        "Left New": None,  # New Value is not
        "Status Changed - Not Recycled": None,  # any change, is not holds it to nothing
    }
    assert expected[("marketo:smart-list/Open Leads outside the US", "marketo:field/country")] == ("United States",)
    assert expected[("marketo:smart-list/Working Leads", "marketo:field/unsubscribed")] == ("false",)


def _filters(node: Any, obj: str, out: list[tuple[str, dict[str, Any]]]) -> None:
    """Every property filter below ``node`` with its object type; event branches left out, associations switch it."""
    if isinstance(node, list):
        for item in node:
            _filters(item, obj, out)
    elif isinstance(node, dict):
        if node.get("filterBranchType") == "UNIFIED_EVENTS":
            return
        if node.get("filterBranchType") == "ASSOCIATION":
            obj = {"0-1": "contacts", "0-2": "companies", "0-3": "deals"}[node["objectTypeId"]]
        if node.get("filterType") == "PROPERTY":
            out.append((obj, node))
        for value in node.values():
            _filters(value, obj, out)


EXACT = {
    "ENUMERATION": {"IS_ANY_OF", "IS_NONE_OF", "IS_EXACTLY", "IS_NOT_EXACTLY", "HAS_NEVER_BEEN_ANY_OF"},
    "STRING": {"IS_EQUAL_TO", "IS_NOT_EQUAL_TO"},
    "BOOL": {"IS_EQUAL_TO", "IS_NOT_EQUAL_TO"},
    None: {"IS_EQUAL_TO", "IS_NOT_EQUAL_TO", "IS_ANY_OF"},  # an operator beside the property, no operationType
}


def hubspot_independent(folder: Path) -> Tests:
    bodies = [json.loads(p.read_text()) for p in sorted((folder / "lists").glob("*.json"))]
    assets = [(f"hubspot:list/{b['list']['name']}", b["list"]) for b in bodies]
    assets += [
        (f"hubspot:workflow/{f['name']}", f)
        for f in (json.loads(p.read_text()) for p in (folder / "flows").glob("*.json"))
    ]
    found: dict[tuple[str, str], set[str] | None] = {}

    def add(at: tuple[str, str], values: set[str] | None) -> None:
        before = found.get(at, set())
        found[at] = None if before is None or not values else before | values

    for aid, body in assets:
        filters: list[tuple[str, dict[str, Any]]] = []
        _filters(body, "contacts", filters)
        for obj, item in filters:
            op = item.get("operation") or item
            raw = op["values"] if "values" in op else [op.get("value")]
            values = {_text(v) for v in raw if v is not None and _text(v)}
            exact = op["operator"] in EXACT.get(op.get("operationType"), set())
            add((aid, f"hubspot:property/{obj}.{item['property']}"), values if exact else None)
        for action in body.get("actions") or []:
            if action.get("actionTypeId") == "0-5":
                value = action["fields"]["value"]
                static = {value["staticValue"]} if value.get("type") == "STATIC_VALUE" else None
                add((aid, f"hubspot:property/contacts.{action['fields']['property_name']}"), static)
    return {at: (tuple(sorted(v)) if v else None) for at, v in found.items()}


@pytest.mark.parametrize("folder", HUBSPOT_EXPORTS, ids=lambda p: p.name)
def test_hubspot_values_as_an_independent_reader_finds_them(folder: Path) -> None:
    expected = hubspot_independent(folder)
    assets = read_hubspot_export(folder).systems["hubspot"].assets
    assert imported_tests(assets, "hubspot", ("list/", "workflow/"), "hubspot:property/") == expected
    assert any(v is not None for v in expected.values()) and any(v is None for v in expected.values())
    for key, item in assets.items():  # a writer's dependency (on name, schema, availability) uses its values too
        for dep, uses in item.uses.items():
            if key.startswith("workflow/") and dep in item.values:
                assert "values" in uses, (key, dep)


def test_the_hubspot_values_fixture_covers_each_case() -> None:
    expected = hubspot_independent(FIXTURES / "hubspot-values")
    status = {aid.split("/", 1)[1]: v for (aid, dep), v in expected.items() if dep.endswith(".hs_lead_status")}
    assert status == {
        "Status Known": None,  # IS_KNOWN (with a stray values list), and IS_ANY_OF OPEN in another branch
        "New Leads": ("NEW",),  # operator and value beside the property
        "Open Leads": ("IN_PROGRESS", "OPEN"),
        "Qualify Open Leads": ("CONNECTED", "IN_PROGRESS", "OPEN"),  # enrolls on two, writes one
    }
    assert expected[("hubspot:list/Tech Contacts", "hubspot:property/contacts.industry")] is None  # CONTAINS
    assert expected[("hubspot:workflow/Copy Industry", "hubspot:property/contacts.industry")] is None  # copies a value
    assert expected[("hubspot:list/Not Customers", "hubspot:property/contacts.lifecyclestage")] == ("customer",)


def _impacted(change: Path) -> set[str]:
    code, out, err = run("check", str(change), "--format", "json")
    assert code in (0, 1), err
    return {item["asset"] for item in json.loads(out)["impacted"]}


@pytest.mark.usefixtures("cache_home")
def test_check_a_marketo_value_reaches_the_filters_naming_it(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "teams.yaml").write_text("teams:\n  mops: {name: MOps}\n")
    export = tmp_path / "export"
    shutil.copytree(FIXTURES / "marketo-values", export)
    target = tmp_path / "catalog" / "marketo.yaml"
    assert run("import", "marketo", str(export), "--owner", "mops", "-o", str(target))[0] == 0
    written = yaml.safe_load(target.read_text())["systems"]["marketo"]["assets"]
    held = written["smart-campaign/Status Changed - Recycled"]["depends_on"]
    assert {"asset": "marketo:field/leadStatus", "values": ["Recycled"]} in held
    answers = {}
    for value in ("Recycled", "Open"):
        change = tmp_path / f"cr-{value}.yaml"
        change.write_text(
            f"id: CR-{value}\ntitle: rename {value}\ncatalog: catalog\n"
            f"changes:\n  - {{target: 'marketo:field/leadStatus', action: modify, values: [{value}]}}\n"
        )
        answers[value] = _impacted(change)
    whole = {"smart-list/Tech Industries", "smart-list/Status Known", "smart-campaign/Status Changed - Any Filter"}
    whole = {f"marketo:{w}" for w in whole}
    assert whole <= answers["Recycled"] and whole <= answers["Open"]
    assert "marketo:smart-campaign/Status Changed - Recycled" in answers["Recycled"] - answers["Open"]
    assert "marketo:smart-list/Open Leads outside the US" in answers["Open"] - answers["Recycled"]
    assert "marketo:smart-campaign/MQL Alert" not in answers["Open"] | answers["Recycled"]
    text = run("check", str(tmp_path / "cr-Recycled.yaml"))[1]
    assert "(tests 'Recycled')" in text


@pytest.mark.usefixtures("cache_home")
def test_changes_then_check_a_hubspot_option_renamed(tmp_path: Path) -> None:
    """``impact changes hubspot`` names the options a diff renames; ``impact check`` reaches only their readers."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURES / "hubspot-values", old)
    shutil.copytree(old, new)
    props = new / "properties" / "contacts.json"
    props.write_text(props.read_text().replace('"value": "OPEN"', '"value": "OPEN_DEAL"'))
    change = tmp_path / "change.yaml"
    code, _out, err = run("changes", "hubspot", str(old), str(new), "--id", "CR-7", "-o", str(change))
    assert code == 0, err
    items = yaml.safe_load(change.read_text())["changes"]
    assert [(i["target"], i["values"]) for i in items] == [
        ("hubspot:property/contacts.hs_lead_status", ["OPEN", "OPEN_DEAL"])
    ]
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "teams.yaml").write_text("teams:\n  mops: {name: MOps}\n")
    assert (
        run("import", "hubspot", str(old), "--owner", "mops", "-o", str(tmp_path / "catalog" / "hubspot.yaml"))[0] == 0
    )
    change.write_text(change.read_text() + "catalog: catalog\n")
    impacted = _impacted(change)
    assert {"hubspot:list/Open Leads", "hubspot:list/Status Known", "hubspot:workflow/Qualify Open Leads"} <= impacted
    assert "hubspot:list/New Leads" not in impacted  # tests NEW only


def test_the_example_catalog_holds_the_values_its_marketo_export_gives() -> None:
    """catalogs/example/catalog/marketo.yaml was imported from exports/marketo: its values are the importer's."""
    written = yaml.safe_load((ROOT / "catalogs" / "example" / "catalog" / "marketo.yaml").read_text())
    found: Tests = {}
    for key, asset in written["systems"]["marketo"]["assets"].items():
        for dep in asset.get("depends_on") or []:
            dep_id = dep if isinstance(dep, str) else dep["asset"]
            if key.startswith(("smart-list/", "smart-campaign/")) and dep_id.startswith("marketo:field/"):
                values = None if isinstance(dep, str) else dep.get("values")
                found[(f"marketo:{key}", dep_id)] = tuple(values) if values else None
    expected = marketo_independent(ROOT / "catalogs" / "example" / "exports" / "marketo")
    assert {at: v for at, v in found.items() if at in expected} == expected
    assert expected[("marketo:smart-list/MQL Ready", "marketo:field/leadStatus")] == ("Open", "Recycled")
