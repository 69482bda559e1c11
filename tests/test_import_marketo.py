"""``impact import marketo`` against an independent reading of the export folder (json, a walk over every value)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from impact.importers.marketo import read_marketo_export
from tests.helpers import run_cli as run

FIXTURE = Path(__file__).parent / "fixtures" / "marketo"
WEBSITE = {"/products/": None, "/products/analytics/": None}
SALESFORCE = {"field/Lead.Division__c": None, "field/Lead.Country": None}


def _result(rel: str) -> list[dict[str, Any]]:
    body = json.loads((FIXTURE / rel).read_text())
    assert body["success"] is True
    return list(body.get("result") or [])


def _strings(value: Any) -> Iterator[tuple[str, str]]:
    """(key, string) of every string under ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            else:
                for k, s in _strings(item):
                    yield (key if k == "values" else k), s
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield "values", item
            else:
                yield from _strings(item)


def independent() -> tuple[dict[str, set[str]], set[str]]:
    """Every dependency a plain reading of the folder finds (asset id -> upstream ids), and the names it could not resolve."""
    fields = {f["displayName"].lower(): f["name"] for r in _result("leadFields.json") for f in r["fields"]}
    fields.update({f["name"].lower(): f["name"] for r in _result("leadFields.json") for f in r["fields"]})
    programs = {str(p["id"]): p["name"] for p in _result("programs.json")}
    forms = {f["name"] for f in _result("forms.json")}
    campaigns = _result("smartCampaigns.json")
    own = {str(c["smartListId"]) for c in campaigns}
    lists = {path.stem: _result(f"smartLists/{path.name}")[0] for path in (FIXTURE / "smartLists").glob("*.json")}
    standalone = {sl["name"] for sid, sl in lists.items() if sid not in own}
    deps: dict[str, set[str]] = {}
    unresolved: set[str] = set()

    def resolve(aid: str, rules: dict[str, Any]) -> None:
        found = deps.setdefault(aid, set())
        for rule in rules.get("filters", []) + rules.get("triggers", []):
            for key, value in [("name", rule["name"]), *_strings(rule.get("conditions"))]:
                if key in ("operator", "activityAttributeName"):
                    continue
                low = value.lower()
                url = re.match(r"(?:https?://)?[\w.-]+\.\w+(/.*)", value)
                if url:
                    path = url.group(1).split("*")[0].split("?")[0]
                    path = path[: path.rfind("/") + 1]
                    while path and path not in WEBSITE:
                        path = path[: path[:-1].rfind("/") + 1]
                    if path:
                        found.add("website:" + path)
                elif low in fields and (key != "name" or rule.get("ruleType") == "Attribute"):
                    found.add("marketo:field/" + fields[low])
                elif value in standalone:
                    found.add("marketo:smart-list/" + value)
                elif value in programs.values() and rule["name"] == "Member of Program":
                    found.add("marketo:program/" + value)
                elif value in forms or value.split(".", 1)[-1] in forms:
                    found.add("marketo:form/" + value.split(".", 1)[-1])
                elif key == "values" or key == "attributeName":
                    unresolved.add(value)

    for name in standalone:
        sl = next(s for s in lists.values() if s["name"] == name)
        resolve(f"marketo:smart-list/{name}", sl["rules"])
    for c in campaigns:
        program = programs.get(str(c.get("parentProgramId"))) or (
            programs.get(str(c["folder"]["id"])) if c["folder"]["type"] == "Program" else None
        )
        aid = f"marketo:smart-campaign/{program}/{c['name']}" if program else f"marketo:smart-campaign/{c['name']}"
        resolve(aid, _result(f"smartCampaigns/{c['id']}/smartList.json")[0]["rules"])
    for form in _result("forms.json"):
        ids = {f["id"].lower() for f in _result(f"forms/{form['id']}/fields.json") if f.get("dataType") != "profiling"}
        deps[f"marketo:form/{form['name']}"] = {"marketo:field/" + fields[i] for i in ids if i in fields}
        unresolved |= {i for i in ids if i not in fields}
    return deps, unresolved


def _found() -> dict[str, set[str]]:
    imported = read_marketo_export(
        FIXTURE, "marketo", "mops", "website", "salesforce", {"website": WEBSITE, "salesforce": SALESFORCE}
    )
    return {f"marketo:{key}": set(a.depends_on) for key, a in imported.systems["marketo"].assets.items()}


def test_the_importer_finds_what_an_independent_reader_finds() -> None:
    expected, unresolved = independent()
    found = _found()
    pairs = {(a, d) for a, ds in expected.items() for d in ds}
    got = {(a, d) for a, ds in found.items() for d in ds}
    assert len(pairs) >= 15
    assert len(pairs & got) / len(pairs) >= 0.9, sorted(pairs - got)
    named = {d.split("/", 1)[-1] for _a, d in got}
    assert not unresolved & named, "a reference the reader could not resolve was linked"
    # What the importer adds beyond rule references is structural: segments, CRM fields.
    extra = got - pairs
    assert all(d.startswith(("marketo:segment/", "salesforce:field/Lead.")) for _a, d in extra), sorted(extra)


def test_ids_as_pinned() -> None:
    found = _found()
    assert (
        "marketo:smart-campaign/OPS - Data Management/OPS - Set Region" in found
    )  # program from parentProgramId (folder is a Folder)
    assert "marketo:smart-campaign/Demo Request/Form Fill - Add to Program" in found  # program from the folder
    assert "marketo:smart-campaign/Weekly Score Decay" in found  # outside programs
    assert "marketo:smart-list/OPS - Set Division from Product Interest" not in found  # a campaign's own list
    assert found["marketo:field/Division__c"] == {"salesforce:field/Lead.Division__c"}
    assert "marketo:segment/Product Interest/Analytics" in found


def test_inactive_campaigns_say_so_and_unresolved_names_are_warned() -> None:
    imported = read_marketo_export(FIXTURE, "marketo", "mops")
    assets = imported.systems["marketo"].assets
    assert (assets["smart-campaign/Weekly Score Decay"].description or "").startswith("Inactive smart campaign")
    assert not (assets["smart-campaign/OPS - Data Management/OPS - Set Region"].description or "").startswith(
        "Inactive"
    )
    assert any("Competitors (Do Not Market)" in note for note in imported.notes)


def test_a_failed_call_saved_as_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "programs.json").write_text(
        json.dumps({"success": False, "errors": [{"code": "601", "message": "Access token invalid"}]})
    )
    code, _out, err = run(
        "import", "marketo", str(tmp_path), "--owner", "mops", "-o", str(tmp_path / "out" / "marketo.yaml")
    )
    assert code == 2
    assert "programs.json:1:1: this response is a failed call (success: false: 601 Access token invalid)" in err
    assert not (tmp_path / "out" / "marketo.yaml").exists()


@pytest.mark.usefixtures("cache_home")
def test_import_links_and_check(tmp_path: Path, write: Callable[..., Path]) -> None:
    """A link between two imported assets survives a re-import and is followed by check."""
    write("catalog/teams.yaml", "teams:\n  mops: {name: MOps}\n")
    target = tmp_path / "catalog" / "marketo.yaml"
    export = tmp_path / "export"  # beside the catalog: a refresh reads only there (sources are confined)
    shutil.copytree(FIXTURE, export)
    assert run("import", "marketo", str(export), "--owner", "mops", "-o", str(target))[0] == 0
    link = '- {asset: "marketo:segment/Product Interest/Analytics", depends_on: "marketo:field/lastProductPage", uses: [values], note: segment rule}\n'
    target.write_text(target.read_text() + "links:\n" + link)
    assert run("import", "refresh", str(tmp_path / "catalog"))[0] == 0
    assert link.strip() in target.read_text()
    write(
        "cr.yaml",
        "id: CR-9\ntitle: t\ncatalog: catalog\nchanges:\n  - {target: 'marketo:field/lastProductPage', action: modify, aspects: [values]}\n",
    )
    _code, out, _err = run("check", str(tmp_path / "cr.yaml"), "--format", "json")
    impacted = {item["asset"]: item for item in json.loads(out)["impacted"]}
    assert impacted["marketo:segment/Product Interest/Analytics"]["notes"] == ["segment rule"]
    assert "marketo:segmentation/Product Interest" in impacted
