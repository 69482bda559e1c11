"""Importers: CSV inventory, sitemap (and sitemap index), Salesforce dependencies; re-import keeps hand edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli
from impact.load.loader import load_catalog

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.example.com/</loc></url>
  <url><loc>https://www.example.com/products/analytics/tour.html</loc></url>
  <url><loc>https://www.example.com/products/analytics/pricing.html</loc></url>
  <url><loc>https://www.example.com/products/automation/</loc></url>
  <url><loc>https://www.example.com/pricing</loc></url>
  <url><loc>https://www.example.com/NO/caf%C3%A9/</loc></url>
  <url><loc>https://www.example.com/NO/kontakt/</loc></url>
</urlset>
"""

INVENTORY = """\
system,key,type,owner,depends_on
marketo,list/visitors,smart-list,mops,website:/products/
marketo,segmentation/interest,segmentation,mops,list/visitors
salesforce,queue/emea,queue,salesops,marketo:segmentation/interest; marketo:list/visitors
salesforce,field/zip,010,salesops,
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_sitemap_and_csv_build_a_catalog_that_validates(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    (tmp_path / "inventory.csv").write_text(INVENTORY, encoding="utf-8")
    cat = tmp_path / "catalog"
    code, out = run("import", "sitemap", str(tmp_path / "sitemap.xml"), "--system", "website", "--owner", "web", "-o", str(cat / "website.yaml"))
    assert code == 0, out
    code, out = run("import", "csv", str(tmp_path / "inventory.csv"), "-o", str(cat / "inventory.yaml"))
    assert code == 0, out
    assert "4 asset(s) and 4 dependency(ies) added" in out
    catalog = load_catalog(cat)
    # Folders hold pages (two or more, or a sub-folder); a page's own address with a trailing slash
    # (/products/automation/) is a page.
    assert sorted(catalog.systems["website"].assets) == ["website:/NO/", "website:/products/", "website:/products/analytics/"]
    deps = {(d.upstream, d.downstream) for d in catalog.dependencies}
    assert ("website:/products/", "website:/products/analytics/") in deps
    assert ("website:/products/", "marketo:list/visitors") in deps
    assert ("marketo:list/visitors", "marketo:segmentation/interest") in deps  # a bare key is the same system
    assert ("marketo:list/visitors", "salesforce:queue/emea") in deps
    # Text YAML 1.1 would misread stays text: 'NO' is Norway, '010' a type name.
    assert catalog.assets["salesforce:field/zip"].type == "010"
    assert "'010'" in (cat / "inventory.yaml").read_text(encoding="utf-8")
    assert sorted(catalog.teams) == ["mops", "salesops", "web"]
    code, out = run("validate", str(cat))
    assert code == 0, out


def test_reimport_keeps_hand_written_fields_and_adds_new_things(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    target = tmp_path / "catalog" / "website.yaml"
    assert run("import", "sitemap", str(tmp_path / "sitemap.xml"), "--pages", "--owner", "web", "-o", str(target))[0] == 0
    text = target.read_text(encoding="utf-8")
    text = text.replace("name: Website", "name: Corporate site").replace(
        "      /products/:\n        type: folder\n",
        "      /products/:\n        type: folder\n        owner: mops\n        critical: true\n        description: Lists key on this path\n        consulted: [mops]\n",
    )
    text = text.replace("        - website:/products/\n", "        - {asset: website:/products/, note: hand note}\n        - website:/NO/\n", 1)
    text = text.replace("teams:\n", "teams:\n  mops:\n    name: Marketing Ops\n")
    target.write_text(text, encoding="utf-8")
    before = load_catalog(target.parent)
    (tmp_path / "sitemap.xml").write_text(SITEMAP.replace("/products/automation/", "/solutions/automation/"), encoding="utf-8")

    code, out = run("import", "sitemap", str(tmp_path / "sitemap.xml"), "--pages", "-o", str(target))
    assert code == 0, out
    assert "Kept 1 asset(s) the source no longer lists (delete them by hand if they are gone): website:/products/automation/" in out
    after = load_catalog(target.parent)
    products = after.assets["website:/products/"]
    assert (products.owner, products.critical, products.description, products.consulted) == ("mops", True, "Lists key on this path", ("mops",))
    assert after.systems["website"].name == "Corporate site"
    assert after.teams["mops"].name == "Marketing Ops"
    notes = {(d.upstream, d.downstream): d.note for d in after.dependencies}
    assert notes[("website:/products/", "website:/products/analytics/")] == "hand note"
    assert ("website:/NO/", "website:/products/analytics/") in notes
    assert set(before.assets) < set(after.assets)
    assert "website:/solutions/automation/" in after.assets

    # Importing the same source again changes nothing: same bytes.
    first = target.read_bytes()
    assert run("import", "sitemap", str(tmp_path / "sitemap.xml"), "--pages", "-o", str(target))[0] == 0
    assert target.read_bytes() == first


def test_sitemap_index_reads_the_sitemaps_saved_beside_it(tmp_path: Path) -> None:
    (tmp_path / "pages.xml").write_text(SITEMAP, encoding="utf-8")
    (tmp_path / "index.xml").write_text(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://www.example.com/pages.xml</loc></sitemap></sitemapindex>",
        encoding="utf-8",
    )
    code, out = run("import", "sitemap", str(tmp_path / "index.xml"), "--owner", "web", "-o", str(tmp_path / "c" / "web.yaml"))
    assert code == 0, out
    assert "website:/products/analytics/" in load_catalog(tmp_path / "c").assets
    (tmp_path / "index.xml").write_text((tmp_path / "index.xml").read_text().replace("pages.xml", "missing.xml"), encoding="utf-8")
    code, out = run("import", "sitemap", str(tmp_path / "index.xml"), "--owner", "web", "-o", str(tmp_path / "c2" / "web.yaml"))
    assert code == 2
    assert "the index lists https://www.example.com/missing.xml; download it into" in out


def test_sitemap_with_an_entity_bomb_is_refused(tmp_path: Path) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><urlset><url><loc>&lol2;</loc></url></urlset>'
    (tmp_path / "s.xml").write_text(bomb, encoding="utf-8")
    code, out = run("import", "sitemap", str(tmp_path / "s.xml"), "--owner", "web", "-o", str(tmp_path / "c" / "w.yaml"))
    assert code == 2
    assert "declares XML entities or a DTD, which impact refuses" in out
    assert not (tmp_path / "c" / "w.yaml").exists()


def test_salesforce_dependency_export(tmp_path: Path) -> None:
    # Division is a custom field of Lead and of Account: never one node.
    (tmp_path / "deps.csv").write_text(
        '"MetadataComponentId","MetadataComponentName","MetadataComponentType","RefMetadataComponentId","RefMetadataComponentName","RefMetadataComponentType"\n'
        '"01p000000000001AAA","LeadRouter","ApexClass","00N000000000001AAA","Division","CustomField"\n'
        '"301000000000001AAA","Lead_Assign","Flow","01p000000000001AAA","LeadRouter","ApexClass"\n'
        '"301000000000001AAA","Lead_Assign","Flow","00N000000000002AAA","Division","CustomField"\n',
        encoding="utf-8",
    )
    (tmp_path / "fields.csv").write_text(
        "Id,DeveloperName,EntityDefinition.QualifiedApiName\n00N000000000001AAA,Division,Lead\n00N000000000002AAA,Division,Account\n", encoding="utf-8"
    )
    code, out = run("import", "salesforce-deps", str(tmp_path / "deps.csv"), "--fields", str(tmp_path / "fields.csv"), "--owner", "salesops", "-o", str(tmp_path / "c" / "sf.yaml"))
    assert code == 0, out
    catalog = load_catalog(tmp_path / "c")
    assert sorted(catalog.assets) == ["salesforce:apex-class/LeadRouter", "salesforce:field/Account.Division__c", "salesforce:field/Lead.Division__c", "salesforce:flow/Lead_Assign"]
    assert catalog.assets["salesforce:flow/Lead_Assign"].type == "flow"
    assert {(d.upstream, d.downstream) for d in catalog.dependencies} == {
        ("salesforce:field/Lead.Division__c", "salesforce:apex-class/LeadRouter"),
        ("salesforce:apex-class/LeadRouter", "salesforce:flow/Lead_Assign"),
        ("salesforce:field/Account.Division__c", "salesforce:flow/Lead_Assign"),
    }
    # Without the field export, the two fields stay apart and the user is told why.
    code, out = run("import", "salesforce-deps", str(tmp_path / "deps.csv"), "--owner", "salesops", "-o", str(tmp_path / "c2" / "sf.yaml"))
    assert code == 0, out
    assert {"salesforce:field/?.Division__c@00N000000000001", "salesforce:field/?.Division__c@00N000000000002"} <= set(load_catalog(tmp_path / "c2").assets)
    assert "give --fields with an export of SELECT Id, DeveloperName, EntityDefinition.QualifiedApiName FROM CustomField" in out


def test_salesforce_dependency_export_cut_at_the_tooling_cap_is_flagged(tmp_path: Path) -> None:
    rows = ["MetadataComponentName,MetadataComponentType,RefMetadataComponentName,RefMetadataComponentType"]
    rows += [f"Flow_{i},Flow,Class_{i},ApexClass" for i in range(2000)]
    (tmp_path / "deps.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out = run("import", "salesforce-deps", str(tmp_path / "deps.csv"), "--owner", "salesops", "-o", str(tmp_path / "c" / "sf.yaml"))
    assert code == 0, out
    assert "has exactly 2000 rows, the Tooling API's limit" in out and "Bulk API 2.0" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("system,key\nweb,/a/\n", "inventory.csv:1:1: missing column(s) type; the first line has: system, key"),
        ("system,key,type\nweb,/a/,folder\nweb,/a/,folder\n", "inventory.csv:3:0: asset 'web:/a/' is listed twice; the first is on line 2"),
        ("system,key,type\nmy web,/a/,folder\n", "inventory.csv:2:0: system 'my web' is not a valid id"),
    ],
)
def test_bad_csv_inventories_are_refused_with_the_line(tmp_path: Path, text: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("inventory.csv").write_text(text, encoding="utf-8")
    code, out = run("import", "csv", "inventory.csv", "--owner", "web", "-o", "catalog/inv.yaml")
    assert code == 2
    assert message in out
    assert not Path("catalog/inv.yaml").exists()


def test_a_system_defined_in_another_file_is_not_imported_twice(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "web.yaml").write_text("teams:\n  web: {name: Web}\nsystems:\n  website: {name: W, owner: web}\n", encoding="utf-8")
    (tmp_path / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    code, out = run("import", "sitemap", str(tmp_path / "sitemap.xml"), "-o", str(tmp_path / "catalog" / "other.yaml"))
    assert code == 2
    assert "system 'website' is already defined in" in out and "import into that file instead" in out


def test_import_never_writes_over_its_input(tmp_path: Path) -> None:
    (tmp_path / "inv.csv").write_text(INVENTORY, encoding="utf-8")
    code, out = run("import", "csv", str(tmp_path / "inv.csv"), "-o", str(tmp_path / "inv.csv"))
    assert code == 2
    assert "refusing to write" in out
    assert (tmp_path / "inv.csv").read_text(encoding="utf-8") == INVENTORY


def test_imported_file_points_editors_at_the_schema_when_there_is_one(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    assert CliRunner().invoke(cli, ["schema", "-o", str(tmp_path / "schemas")]).exit_code == 0
    target = tmp_path / "catalog" / "web" / "website.yaml"
    code, out = run("import", "sitemap", str(tmp_path / "sitemap.xml"), "--owner", "web", "-o", str(target))
    assert code == 0, out
    assert target.read_text(encoding="utf-8").splitlines()[0] == "# yaml-language-server: $schema=../../schemas/catalog.schema.json"
