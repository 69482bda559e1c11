"""Importers on real (and realistic) exports: Salesforce source, dbt manifests, GTM containers.

Each importer's edges are compared with an independent reading of the same
files written here with the standard library only (``xml.etree``, ``json``,
``re``): a different, plainer reading that must agree with the importer.
Fixtures and their provenance: tests/fixtures/README.md.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli
from impact.load.loader import load_catalog

FIXTURES = Path(__file__).parent / "fixtures"
SF_EDA = FIXTURES / "salesforce" / "eda"
SF_SYNTH = FIXTURES / "salesforce" / "synthetic"
NS = "{http://soap.sforce.com/2006/04/metadata}"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def edges_of(catalog_dir: Path) -> set[tuple[str, str]]:
    return {(d.upstream, d.downstream) for d in load_catalog(catalog_dir).dependencies}


def imported(tmp_path: Path, *args: str) -> Path:
    code, out = run("import", *args)
    assert code == 0, out
    return tmp_path


# --- an independent reading of Salesforce source --------------------------------


def _xml(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def _plain(formula: str) -> str:
    formula = re.sub(r"/\*.*?\*/", " ", formula, flags=re.S)
    return re.sub(r'"[^"]*"|\'[^\']*\'', " ", formula)


def expected_salesforce_edges(root: Path) -> set[tuple[str, str]]:
    """Edges a person reading the files would draw, for the patterns they can read without doubt."""
    edges: set[tuple[str, str]] = set()
    lookups: dict[tuple[str, str], str] = {}
    formulas: list[tuple[str, str, str]] = []
    for path in root.rglob("*.field-meta.xml"):
        obj = path.parent.parent.name
        el = _xml(path)
        field = el.findtext(f"{NS}fullName")
        refs = [r.text for r in el.findall(f"{NS}referenceTo")]
        if len(refs) == 1 and refs[0]:
            lookups[(obj, field or "")] = refs[0]
        formula = el.findtext(f"{NS}formula")
        if formula and field:
            formulas.append((obj, field, formula))
    for obj, field, formula in formulas:
        down = f"salesforce:field/{obj}.{field}"
        text = _plain(formula)
        # Custom fields of the same object, named alone.
        for name in re.findall(r"(?<![.\w$])(\w+__c)(?![.\w(])", text):
            edges.add((f"salesforce:field/{obj}.{name}", down))
        # A chain of custom relationships: Course_Connection__r.Course_Offering__r.Course__r.Name
        for chain in re.findall(r"(?<![.\w$])((?:\w+__r\.)+\w+)(?![.\w])", text):
            parts = chain.split(".")
            current = obj
            for rel in parts[:-1]:
                lookup = rel[:-3] + "__c"
                edges.add((f"salesforce:field/{current}.{lookup}", down))
                current = lookups[(current, lookup)]
            edges.add((f"salesforce:field/{current}.{parts[-1]}", down))
    for path in root.rglob("*.validationRule-meta.xml"):
        obj = path.parent.parent.name
        el = _xml(path)
        down = f"salesforce:validation-rule/{obj}.{el.findtext(f'{NS}fullName')}"
        for name in re.findall(r"(?<![.\w$])(\w+__c)(?![.\w(])", _plain(el.findtext(f"{NS}errorConditionFormula") or "")):
            edges.add((f"salesforce:field/{obj}.{name}", down))
    for path in root.rglob("*.assignmentRules-meta.xml"):
        obj = path.name.split(".")[0]
        for rule in _xml(path).findall(f"{NS}assignmentRule"):
            rid = f"salesforce:assignment-rule/{obj}.{rule.findtext(f'{NS}fullName')}"
            for entry in rule.findall(f"{NS}ruleEntry"):
                if entry.findtext(f"{NS}assignedToType") == "Queue":
                    edges.add((rid, f"salesforce:queue/{entry.findtext(f'{NS}assignedTo')}"))
                for item in entry.findall(f"{NS}criteriaItems"):
                    parts = (item.findtext(f"{NS}field") or "").split(".")
                    if len(parts) == 2:
                        edges.add((f"salesforce:field/{parts[0]}.{parts[1]}", rid))
    for path in root.rglob("*.flow-meta.xml"):
        el = _xml(path)
        flow = f"salesforce:flow/{path.name[: -len('.flow-meta.xml')].replace('%3A', ':')}"
        obj = el.findtext(f"{NS}start/{NS}object")
        if obj:
            edges.add((f"salesforce:object/{obj}", flow))
            for assign in el.iter(f"{NS}assignToReference"):
                m = re.fullmatch(r"\$Record\.(\w+)", assign.text or "")
                if m:
                    edges.add((flow, f"salesforce:field/{obj}.{m.group(1)}"))
        for upd in el.findall(f"{NS}recordUpdates"):
            other = upd.findtext(f"{NS}object")
            for item in upd.findall(f"{NS}inputAssignments"):
                if other:
                    edges.add((flow, f"salesforce:field/{other}.{item.findtext(f'{NS}field')}"))
    for path in root.rglob("*.workflow-meta.xml"):
        obj = path.name.split(".")[0]
        el = _xml(path)
        writes = {fu.findtext(f"{NS}fullName"): fu.findtext(f"{NS}field") for fu in el.findall(f"{NS}fieldUpdates")}
        for rule in el.findall(f"{NS}rules"):
            rid = f"salesforce:workflow-rule/{obj}.{(rule.findtext(f'{NS}fullName') or '').replace('%23', '#')}"
            for action in rule.findall(f"{NS}actions"):
                if action.findtext(f"{NS}type") == "FieldUpdate":
                    edges.add((rid, f"salesforce:field/{obj}.{writes[action.findtext(f'{NS}name')]}"))
    for path in root.rglob("*.trigger"):
        m = re.search(r"^trigger\s+(\w+)\s+on\s+(\w+)", path.read_text(encoding="utf-8"), re.M)
        assert m, path
        edges.add((f"salesforce:object/{m.group(2)}", f"salesforce:apex-trigger/{m.group(1)}"))
    return edges


@pytest.mark.parametrize("source", [SF_EDA, SF_SYNTH], ids=["eda", "synthetic"])
def test_salesforce_edges_agree_with_an_independent_reading(tmp_path: Path, source: Path) -> None:
    expected = expected_salesforce_edges(source)
    assert len(expected) >= 10  # the reading found something to compare
    code, out = run("import", "salesforce", str(source), "--owner", "salesops", "-o", str(tmp_path / "c" / "sf.yaml"))
    assert code == 0, out
    assert run("validate", str(tmp_path / "c"))[0] == 0
    got = edges_of(tmp_path / "c")
    assert expected - got == set()
    # Nothing points into an object a relationship does not reach: each field edge
    # that starts on another object was walked through a lookup to that object.
    for up, down in got:
        if down.startswith("salesforce:field/") and up.startswith("salesforce:field/"):
            up_obj, down_obj = up.split("/", 1)[1].split(".")[0], down.split("/", 1)[1].split(".")[0]
            if up_obj != down_obj:
                assert any(u.startswith(f"salesforce:field/{down_obj}.") and d == down for u, d in got), (up, down)


def test_salesforce_relationship_chains_reach_the_right_objects(tmp_path: Path) -> None:
    run("import", "salesforce", str(SF_EDA), "--owner", "salesops", "-o", str(tmp_path / "sf.yaml"))
    cat = load_catalog(tmp_path)
    deps = {d.upstream for d in cat.dependencies if d.downstream == "salesforce:field/Attendance_Event__c.Course_Name__c"}
    # Course_Connection__r.Course_Offering__r.Course__r.Name, each lookup on its own object.
    assert deps == {
        "salesforce:field/Attendance_Event__c.Course_Connection__c",
        "salesforce:field/Course_Enrollment__c.Course_Offering__c",
        "salesforce:field/Course_Offering__c.Course__c",
        "salesforce:field/Course__c.Name",
    }
    # The standard relationship RecordType reaches RecordType.Name through Account.
    affiliation = {d.upstream for d in cat.dependencies if d.downstream == "salesforce:field/Affiliation__c.Affiliation_Type__c"}
    assert affiliation == {"salesforce:field/Affiliation__c.Account__c", "salesforce:field/Account.RecordTypeId", "salesforce:field/RecordType.Name"}


def test_salesforce_pitfalls_of_real_orgs(tmp_path: Path) -> None:
    code, out = run("import", "salesforce", str(SF_SYNTH), "--owner", "salesops", "-o", str(tmp_path / "sf.yaml"))
    assert code == 0, out
    cat = load_catalog(tmp_path)
    ups = {d.upstream for d in cat.dependencies if d.downstream == "salesforce:field/Lead.Routing_Key__c"}
    # Comments and strings are not read; $User/$Profile globals are not fields;
    # a hard-coded record id in a string is not a field; City belongs to Address.
    assert "salesforce:field/Lead.Owner.Division__c" not in ups and not any("User" in u or "Profile" in u or "0125e" in u for u in ups)
    assert "salesforce:field/Lead.City" in ups
    assert ("salesforce:field/Lead.Address", "salesforce:field/Lead.City") in {(d.upstream, d.downstream) for d in cat.dependencies}
    # Owner is polymorphic: Owner.Name stops at OwnerId; Owner:User.IsActive names User.
    owner = {d.upstream for d in cat.dependencies if d.downstream == "salesforce:field/Lead.Owner_Active__c"}
    assert owner == {"salesforce:field/Lead.OwnerId", "salesforce:field/User.IsActive"}
    # Inactive, draft and obsolete items are there, and say so.
    # Labels become display names.
    assert cat.assets["salesforce:field/Lead.Routing_Key__c"].name == "Routing key"
    assert cat.assets["salesforce:queue/EMEA_Inbound"].name == "EMEA Inbound"
    assert cat.assets["salesforce:flow/Lead_Before_Save_Division"].name == "Lead: before save, set division"
    descriptions = {aid: cat.assets[aid].description or "" for aid in cat.assets}
    assert descriptions["salesforce:validation-rule/Lead.Region_required_for_EMEA"].startswith("Inactive")
    assert descriptions["salesforce:flow/Draft_Screen"].startswith("Draft")
    assert descriptions["salesforce:flow/Lead:After_Save_Escalate"].startswith("Obsolete")  # %3A in the file name
    assert descriptions["salesforce:assignment-rule/Lead.Old Round Robin"].startswith("Inactive")
    assert descriptions["salesforce:apex-trigger/LeadTrigger"].startswith("Inactive")
    assert "salesforce:workflow-rule/Lead.Region from Country #1" in cat.assets  # %23 in the rule's name
    assert "salesforce:queue/APAC_Overflow" in cat.assets  # a queue named only by a rule


def test_salesforce_bad_xml_is_refused_with_its_place_and_nothing_written(tmp_path: Path) -> None:
    org = tmp_path / "org" / "objects" / "Lead" / "fields"
    org.mkdir(parents=True)
    (org / "A__c.field-meta.xml").write_text("<CustomField><fullName>A__c</fullName>\n<formula>B__c</formla></CustomField>", encoding="utf-8")
    (org / "B__c.field-meta.xml").write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aa">]><CustomField>&a;</CustomField>', encoding="utf-8")
    code, out = run("import", "salesforce", str(tmp_path / "org"), "--owner", "s", "-o", str(tmp_path / "c" / "sf.yaml"))
    assert code == 2
    assert "A__c.field-meta.xml:2:" in out and "not well-formed XML" in out
    assert "B__c.field-meta.xml: the file declares XML entities or a DTD" in out
    assert "Traceback" not in out
    assert not (tmp_path / "c").exists()
    code, out = run("import", "salesforce", str(tmp_path / "c2"), "--owner", "s", "-o", str(tmp_path / "c" / "sf.yaml"))
    assert code == 2 and "no such folder" in out


# --- dbt -------------------------------------------------------------------------


@pytest.mark.parametrize("manifest", ["jaffle_shop_duckdb.manifest.json", "revops.manifest.json"])
def test_dbt_edges_and_tests_agree_with_the_manifest(tmp_path: Path, manifest: str) -> None:
    path = FIXTURES / "dbt" / manifest
    data = json.loads(path.read_text(encoding="utf-8"))
    ids = {uid: f"dbt:{uid.split('.')[0]}/{node['name']}" for uid, node in data["nodes"].items() if node["resource_type"] in ("model", "seed", "snapshot")}
    ids.update({uid: f"dbt:source/{s['source_name']}.{s['name']}" for uid, s in data["sources"].items()})
    ids.update({uid: f"dbt:exposure/{e['name']}" for uid, e in data["exposures"].items()})
    expected = {(ids[p], ids[child]) for child, parents in data["parent_map"].items() if child in ids for p in parents if p in ids}
    code, out = run("import", "dbt", str(path), "--owner", "analytics", "-o", str(tmp_path / "dbt.yaml"))
    assert code == 0, out
    cat = load_catalog(tmp_path)
    assert edges_of(tmp_path) == expected
    assert set(cat.assets) == set(ids.values())
    tests = {uid: node for uid, node in data["nodes"].items() if node["resource_type"] == "test"}
    assert len(cat.tests) == len(tests) > 0
    for node in tests.values():
        test = cat.tests[f"dbt.{node['name']}"]
        assert test.run == f"dbt test --select {node['name']}"
        assert test.kind == "automated"
        assert set(test.covers) == {ids[p] for p in node["depends_on"]["nodes"]}


def test_dbt_link_ties_sources_to_salesforce_objects_and_fields(tmp_path: Path) -> None:
    cat = tmp_path / "catalog"
    assert run("import", "salesforce", str(SF_SYNTH), "--owner", "salesops", "-o", str(cat / "salesforce.yaml"))[0] == 0
    code, out = run("import", "dbt", str(FIXTURES / "dbt" / "revops.manifest.json"), "--link", "salesforce=salesforce", "--owner", "analytics", "-o", str(cat / "dbt.yaml"))
    assert code == 0, out
    ups = {d.upstream for d in load_catalog(cat).dependencies if d.downstream == "dbt:source/salesforce.lead"}
    # LEAD ↔ object/Lead and division__c ↔ field/Lead.Division__c: case-insensitive; a column the org lacks links nothing.
    assert ups == {"salesforce:object/Lead", "salesforce:field/Lead.Division__c", "salesforce:field/Lead.Region__c"}
    code, out = run("import", "dbt", str(FIXTURES / "dbt" / "revops.manifest.json"), "--link", "salesforce", "-o", str(cat / "dbt2.yaml"))
    assert code == 2 and "SOURCE=SYSTEM" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"nodes": {', "not valid JSON"),
        ('{"exportFormatVersion": 2, "containerVersion": {"tag": []}}', "this is a Google Tag Manager container export, not a dbt manifest: use 'impact import gtm'"),
        ('{"hello": 1}', "not a dbt manifest: it has no 'nodes'"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_dbt_bad_input_is_one_clear_message(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "m.json").write_text(content, encoding="utf-8")
    code, out = run("import", "dbt", str(tmp_path / "m.json"), "--owner", "a", "-o", str(tmp_path / "c" / "dbt.yaml"))
    assert code == 2
    assert message in out and "Traceback" not in out
    assert not (tmp_path / "c").exists()


# --- GTM -------------------------------------------------------------------------

GTM = FIXTURES / "gtm" / "GTM-TEST123_v0.json"


def test_gtm_edges_agree_with_an_independent_reading(tmp_path: Path) -> None:
    data = json.loads(GTM.read_text(encoding="utf-8"))["containerVersion"]
    names = {t["triggerId"]: t["name"] for t in data["trigger"]}
    names.update({"2147479553": "All Pages", "2147479573": "Initialization - All Pages"})
    # A built-in's internal spelling ({{_event}}) is the export's built-in of that type (EVENT → Event).
    by_type = {v["type"]: v["name"] for v in data["builtInVariable"]}

    def variable(var: str) -> str:
        return by_type.get(var[1:].upper(), var) if var.startswith("_") else var

    expected: set[tuple[str, str]] = set()
    for tag in data["tag"]:
        for tid in tag.get("firingTriggerId", []) + tag.get("blockingTriggerId", []):
            expected.add((f"gtm:trigger/{names.get(tid, f'Built-in trigger {tid}')}", f"gtm:tag/{tag['name']}"))
        for var in re.findall(r"\{\{([^}]+)\}\}", json.dumps(tag.get("parameter"))):
            expected.add((f"gtm:variable/{variable(var)}", f"gtm:tag/{tag['name']}"))
        for seq in tag.get("setupTag", []):
            expected.add((f"gtm:tag/{seq['tagName']}", f"gtm:tag/{tag['name']}"))
    for trig in data["trigger"]:  # a trigger group on the triggers it lists
        for ref in re.findall(r'"TRIGGER_REFERENCE", "value": "(\d+)"', json.dumps(trig.get("parameter"))):
            expected.add((f"gtm:trigger/{names[ref]}", f"gtm:trigger/{trig['name']}"))
    for kind, items in (("trigger", data["trigger"]), ("variable", data["variable"])):
        for item in items:
            for var in re.findall(r"\{\{([^}]+)\}\}", json.dumps([item.get(k) for k in ("filter", "autoEventFilter", "customEventFilter", "parameter")])):
                expected.add((f"gtm:variable/{variable(var)}", f"gtm:{kind}/{item['name']}"))
    code, out = run("import", "gtm", str(GTM), "--owner", "web", "-o", str(tmp_path / "gtm.yaml"))
    assert code == 0, out
    assert edges_of(tmp_path) == expected
    cat = load_catalog(tmp_path)
    assert (cat.assets["gtm:tag/Marketo - Munchkin"].description or "").startswith("Paused tag")
    assert cat.assets["gtm:trigger/All Pages"].description == "Built-in trigger"


def test_gtm_page_path_triggers_link_to_website_folders(tmp_path: Path) -> None:
    cat = tmp_path / "catalog"
    cat.mkdir()
    (cat / "website.yaml").write_text(
        "teams: {web: {name: Web}}\nsystems:\n  website:\n    name: Site\n    owner: web\n    assets:\n"
        "      /products/: {type: folder}\n      /products/analytics/: {type: folder}\n      /pricing/: {type: folder}\n      /solutions/: {type: folder}\n      /blog/: {type: folder}\n",
        encoding="utf-8",
    )
    code, out = run("import", "gtm", str(GTM), "--website", "website", "--owner", "web", "-o", str(cat / "gtm.yaml"))
    assert code == 0, out
    deps = [d for d in load_catalog(cat).dependencies if d.upstream.startswith("website:")]
    # starts with /products/; equals a page below /pricing/ (a full URL) or below
    # /products/analytics/ (each folder on the way); contains /solutions/.
    # A regular expression is not read as a folder.
    assert {(d.upstream, d.downstream) for d in deps} == {
        ("website:/products/", "gtm:trigger/Page - Products"),
        ("website:/pricing/", "gtm:trigger/Page - Pricing thank-you"),
        ("website:/solutions/", "gtm:trigger/Click - Demo button"),
        ("website:/products/", "gtm:trigger/Page - Analytics tour"),
        ("website:/products/analytics/", "gtm:trigger/Page - Analytics tour"),
    }
    # A page-path condition uses the folder's name: a rename breaks it, new content does not.
    assert {d.uses for d in deps} == {frozenset({"name"})}


def test_gtm_given_a_dbt_manifest_says_so(tmp_path: Path) -> None:
    code, out = run("import", "gtm", str(FIXTURES / "dbt" / "revops.manifest.json"), "--owner", "w", "-o", str(tmp_path / "c" / "g.yaml"))
    assert code == 2
    assert "this is a dbt manifest, not a Google Tag Manager export: use 'impact import dbt'" in out
    assert not (tmp_path / "c").exists()


# --- across tools ------------------------------------------------------------------

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.example.com/products/analytics/tour.html</loc></url>
  <url><loc>https://www.example.com/pricing/thank-you.html</loc></url>
</urlset>
"""


def test_a_chain_across_imported_tools_appears_in_check_with_its_why_path(tmp_path: Path) -> None:
    cat = tmp_path / "catalog"
    (tmp_path / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    steps = [
        ("salesforce", str(SF_SYNTH), "--owner", "salesops", "-o", str(cat / "salesforce.yaml")),
        ("dbt", str(FIXTURES / "dbt" / "revops.manifest.json"), "--link", "salesforce=salesforce", "--owner", "analytics", "-o", str(cat / "dbt.yaml")),
        ("sitemap", str(tmp_path / "sitemap.xml"), "--owner", "web", "-o", str(cat / "website.yaml")),
        ("gtm", str(GTM), "--website", "website", "--owner", "web", "-o", str(cat / "gtm.yaml")),
    ]
    for step in steps:
        code, out = run("import", *step)
        assert code == 0, out
    assert run("validate", str(cat))[0] == 0
    changes = tmp_path / "changes"
    changes.mkdir()
    (changes / "cr.yaml").write_text(
        "id: CR-1\ntitle: Rename the division field and move the products folder\ncatalog: ../catalog\nchanges:\n"
        "  - {target: 'salesforce:field/Lead.Division__c', action: rename}\n  - {target: 'website:/products/', action: rename}\n",
        encoding="utf-8",
    )
    code, out = run("check", str(changes / "cr.yaml"), "--format", "json")
    assert code in (0, 1), out
    answer = json.loads(out)
    paths = {item["asset"]: item["path"] for item in answer["impacted"]}
    assert paths["dbt:exposure/pipeline_dashboard"] == [
        "salesforce:field/Lead.Division__c",
        "dbt:source/salesforce.lead",
        "dbt:model/stg_salesforce__leads",
        "dbt:model/fct_lead_funnel",
        "dbt:exposure/pipeline_dashboard",
    ]
    tag_path = paths["gtm:tag/GA4 - Event - view_product"]
    assert tag_path in (
        ["website:/products/", "gtm:trigger/Page - Products", "gtm:tag/GA4 - Event - view_product"],
        ["website:/products/", "gtm:trigger/Page - Analytics tour", "gtm:tag/GA4 - Event - view_product"],
    )
    tests = {t["id"] for t in answer["tests"]}
    assert "dbt.not_null_stg_salesforce__leads_division" in tests
    code, text = run("check", str(changes / "cr.yaml"))
    assert "why: salesforce:field/Lead.Division__c -> dbt:source/salesforce.lead -> dbt:model/stg_salesforce__leads -> dbt:model/fct_lead_funnel -> dbt:exposure/pipeline_dashboard" in text


# --- sitemaps ----------------------------------------------------------------------

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def expected_folders(*sitemaps: Path, keep_host: bool = False) -> set[str]:
    """Folders as a person reads them: every proper parent path of a page address in <url><loc>, at most 3 deep,
    except a folder holding a single page (its own address, or pages with no deeper folder) and no sub-folder."""
    folders: set[str] = set()
    addresses: list[str] = []
    for sitemap in sitemaps:
        for loc in ET.parse(sitemap).getroot().findall(f"{SM}url/{SM}loc"):
            m = re.match(r"https?://([^/]+)(/.*)", (loc.text or "").strip())
            assert m
            host = m.group(1) if keep_host else ""
            parts = [p for p in m.group(2).split("/") if p]
            addresses.append(f"{host}/{'/'.join(parts)}/" if m.group(2).endswith("/") else f"{host}/{'/'.join(parts)}")
            for i in range(1, min(len(parts), 4)):
                folders.add(f"{host}/{'/'.join(parts[:i])}/")

    def holds(folder: str, address: str) -> bool:
        if address == folder:
            return True
        deepest = max((f for f in folders if address.startswith(f) and f != address), key=len, default=None)
        return deepest == folder

    kept = {f for f in folders if any(o != f and o.startswith(f) for o in folders) or sum(holds(f, a) for a in addresses) != 1}
    return {f"website:{f}" for f in kept}


def test_yoast_sitemap_index_reads_pages_not_images_or_leaf_pages(tmp_path: Path) -> None:
    folder = FIXTURES / "sitemap" / "yoast"
    code, out = run("import", "sitemap", str(folder / "sitemap_index.xml"), "--owner", "web", "-o", str(tmp_path / "w.yaml"))
    assert code == 0, out
    assets = set(load_catalog(tmp_path).assets)
    assert assets == expected_folders(folder / "page-sitemap.xml", folder / "post-sitemap.xml") == {"website:/blog/", "website:/solutions/"}
    assert not any("wp-content" in a for a in assets)  # <image:loc> is not a page
    code, out = run("import", "sitemap", str(folder / "sitemap_index.xml"), "--pages", "--owner", "web", "-o", str(tmp_path / "p" / "w.yaml"))
    assert code == 0, out
    pages = load_catalog(tmp_path / "p")
    assert pages.assets["website:/solutions/lead-routing/"].type == "page"
    assert pages.assets["website:/solutions/"].type == "folder"
    assert ("website:/solutions/", "website:/solutions/lead-routing/") in {(d.upstream, d.downstream) for d in pages.dependencies}


def test_sitemap_index_finds_children_by_url_path_and_keeps_hosts_apart(tmp_path: Path) -> None:
    folder = FIXTURES / "sitemap" / "multilingual"
    children = (folder / "en" / "sitemap.xml", folder / "de" / "sitemap.xml")
    code, out = run("import", "sitemap", str(folder / "sitemap.xml"), "--owner", "web", "-o", str(tmp_path / "w.yaml"))
    assert code == 0, out  # en/sitemap.xml is not the index itself, though both are named sitemap.xml
    assert set(load_catalog(tmp_path).assets) == expected_folders(*children)
    code, out = run("import", "sitemap", str(folder / "sitemap.xml"), "--keep-host", "--owner", "web", "-o", str(tmp_path / "h" / "w.yaml"))
    assert code == 0, out
    hosted = set(load_catalog(tmp_path / "h").assets)
    assert hosted == expected_folders(*children, keep_host=True)
    assert "website:blog.example.com/en/" in hosted and "website:www.example.com/en/products/" in hosted
    assert "website:blog.example.com/en/news/" not in hosted  # one page, no sub-folder: not a folder of its own
    code, out = run("import", "sitemap", str(folder / "sitemap.xml"), "--keep-host", "--pages", "--owner", "web", "-o", str(tmp_path / "p" / "w.yaml"))
    assert code == 0, out
    assert "website:blog.example.com/en/news/" in set(load_catalog(tmp_path / "p").assets)


# --- sources and refresh; hand-written content survives -----------------------------


def test_refresh_reruns_every_recorded_import_and_says_what_changed(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    manifest = json.loads((FIXTURES / "dbt" / "revops.manifest.json").read_text(encoding="utf-8"))
    (exports / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    cat = tmp_path / "catalog"
    assert run("import", "salesforce", str(SF_SYNTH), "--owner", "salesops", "-o", str(cat / "salesforce.yaml"))[0] == 0
    assert run("import", "dbt", str(exports / "manifest.json"), "--link", "salesforce=salesforce", "--owner", "analytics", "-o", str(cat / "dbt.yaml"))[0] == 0
    recorded = load_yaml_sources(cat / "dbt.yaml")
    assert recorded == [{"kind": "dbt", "path": "../exports/manifest.json", "args": ["--link", "salesforce=salesforce", "--owner", "analytics"]}]
    # A person's edits to the imported file.
    text = (cat / "dbt.yaml").read_text(encoding="utf-8")
    text = text.replace("      model/fct_lead_funnel:\n        type: model\n", "      model/fct_lead_funnel:\n        type: model\n        critical: true\n        description: Board metric, ask analytics first\n")
    text = text.replace("        - dbt:seed/division_map\n", "        - dbt:seed/division_map\n        - {asset: 'salesforce:queue/EMEA_Inbound', note: hand-added}\n", 1)
    (cat / "dbt.yaml").write_text(text, encoding="utf-8")
    # The export moves on: a new model, the exposure gone.
    manifest["nodes"]["model.revops.dim_region"] = {"name": "dim_region", "resource_type": "model", "unique_id": "model.revops.dim_region", "depends_on": {"nodes": []}}
    manifest["parent_map"]["model.revops.dim_region"] = []
    del manifest["exposures"]["exposure.revops.pipeline_dashboard"]
    del manifest["parent_map"]["exposure.revops.pipeline_dashboard"]
    (exports / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    salesforce_before = (cat / "salesforce.yaml").read_bytes()
    # The Salesforce fixture lives outside the folder holding the catalog: allowed by name.
    code, out = run("import", "refresh", str(cat), "--allow-path", str(SF_SYNTH))
    assert code == 0, out
    assert "Refreshing" in out and "1 asset(s) and 0 dependency(ies) added" in out
    # The org's export did not move: its file is not written, and the answer says so.
    assert (cat / "salesforce.yaml").read_bytes() == salesforce_before
    assert [line for line in out.splitlines() if "salesforce.yaml:" in line and line.startswith(("Unchanged", "Updated"))] == [
        f"Unchanged {cat / 'salesforce.yaml'}: nothing new in the source, the file was not written"
    ]
    assert "Kept 1 asset(s) the source no longer lists (delete them by hand if they are gone): dbt:exposure/pipeline_dashboard" in out
    after = load_catalog(cat)
    assert "dbt:model/dim_region" in after.assets
    funnel = after.assets["dbt:model/fct_lead_funnel"]
    assert (funnel.critical, funnel.description) == (True, "Board metric, ask analytics first")
    notes = {(d.upstream, d.downstream): d.note for d in after.dependencies}
    assert notes[("salesforce:queue/EMEA_Inbound", "dbt:model/fct_lead_funnel")] == "hand-added"
    assert run("validate", str(cat))[0] == 0
    # An export gone: the other sources are still refreshed, and every failure is reported at the end.
    (exports / "manifest.json").unlink()
    before = (cat / "dbt.yaml").read_bytes()
    code, out = run("import", "refresh", str(cat), "--allow-path", str(SF_SYNTH))
    assert code == 2, out
    assert out.count("Refreshing") == 2 and "1 of 2 sources refreshed; 1 could not be" in out
    assert "manifest.json" in out and (cat / "dbt.yaml").read_bytes() == before
    # Nothing to refresh is said plainly.
    (tmp_path / "empty").mkdir()
    code, out = run("import", "refresh", str(tmp_path / "empty"))
    assert code == 2 and "no file of this catalog has 'sources:'" in out


def load_yaml_sources(path: Path) -> list[dict[str, object]]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources: list[dict[str, object]] = data["sources"]
    return sources


def test_reimport_keeps_a_persons_comments_order_and_quotes(tmp_path: Path) -> None:
    cat = tmp_path / "catalog"
    first = tmp_path / "gtm-old.json"
    data = json.loads(GTM.read_text(encoding="utf-8"))
    tags = data["containerVersion"]["tag"]
    data["containerVersion"]["tag"] = [t for t in tags if t["name"] != "LinkedIn - Demo conversion"]
    first.write_text(json.dumps(data), encoding="utf-8")
    assert run("import", "gtm", str(first), "--owner", "web", "-o", str(cat / "gtm.yaml"))[0] == 0
    text = (cat / "gtm.yaml").read_text(encoding="utf-8")
    text = text.replace("  gtm:\n", "  # The tag manager: ask #web before publishing\n  gtm:\n", 1)
    text = text.replace("      tag/GA4 - Config:\n        type: tag\n", "      tag/GA4 - Config:  # fires everywhere\n        type: tag\n        critical: true\n        description: 'NO'\n", 1)
    (cat / "gtm.yaml").write_text(text, encoding="utf-8")
    code, out = run("import", "gtm", str(GTM), "--owner", "web", "-o", str(cat / "gtm.yaml"))
    assert code == 0, out
    after = (cat / "gtm.yaml").read_text(encoding="utf-8")
    assert "  # The tag manager: ask #web before publishing\n  gtm:\n" in after
    assert "      tag/GA4 - Config:  # fires everywhere\n        type: tag\n        critical: true\n        description: 'NO'\n" in after
    loaded = load_catalog(cat)
    assert "gtm:tag/LinkedIn - Demo conversion" in loaded.assets  # the addition
    assert loaded.assets["gtm:tag/GA4 - Config"].description == "NO"
    keys = [line.strip() for line in after.splitlines() if line.startswith("      tag/")]
    assert keys == sorted(keys)  # the new tag went to its place
    # The same export again: not one byte changes.
    assert run("import", "gtm", str(GTM), "--owner", "web", "-o", str(cat / "gtm.yaml"))[0] == 0
    assert (cat / "gtm.yaml").read_text(encoding="utf-8") == after


def test_imports_are_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        for kind, source in (("salesforce", SF_EDA), ("dbt", FIXTURES / "dbt" / "jaffle_shop_duckdb.manifest.json"), ("gtm", GTM)):
            code, out = run("import", kind, str(source), "--owner", "team", "-o", str(tmp_path / name / f"{kind}.yaml"))
            assert code == 0, out
    for kind in ("salesforce", "dbt", "gtm"):
        assert (tmp_path / "a" / f"{kind}.yaml").read_bytes() == (tmp_path / "b" / f"{kind}.yaml").read_bytes()


def test_dbt_link_to_another_tool_matches_the_table_name(tmp_path: Path) -> None:
    cat = tmp_path / "catalog"
    cat.mkdir()
    (cat / "marketo.yaml").write_text(
        "teams: {mops: {name: MOps}}\nsystems:\n  marketo:\n    name: Marketo\n    owner: mops\n    assets:\n      export/Activity: {type: export}\n",
        encoding="utf-8",
    )
    code, out = run("import", "dbt", str(FIXTURES / "dbt" / "revops.manifest.json"), "--link", "marketo=marketo", "--owner", "analytics", "-o", str(cat / "dbt.yaml"))
    assert code == 0, out
    ups = {d.upstream for d in load_catalog(cat).dependencies if d.downstream == "dbt:source/marketo.activity"}
    assert ups == {"marketo:export/Activity"}
