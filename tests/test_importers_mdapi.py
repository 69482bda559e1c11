"""Salesforce's older Metadata API layout (``src/objects/Lead.object``...) reads as the same org as source format.

The test writes the synthetic source-format project out in the older layout
itself (xml.etree: each object's fields and validation rules put inside its
``.object`` file, workflows, flows, assignment rules and queues under their
old suffixes) and holds ``impact import salesforce`` and ``impact changes``
to the same ids, dependencies and snapshot on both.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from click.testing import CliRunner

from impact.cli.main import cli
from impact.importers.changes.model import FolderTree
from impact.importers.changes.salesforce import snapshot

ROOT = Path(__file__).resolve().parent.parent
SFDX = ROOT / "tests" / "fixtures" / "salesforce" / "synthetic" / "force-app" / "main" / "default"
NS = "http://soap.sforce.com/2006/04/metadata"
OLD_SUFFIXES = {"workflows": ".workflow", "flows": ".flow", "assignmentRules": ".assignmentRules", "queues": ".queue"}


def _as_mdapi(dest: Path) -> Path:
    ET.register_namespace("", NS)
    src = dest / "src"
    for obj_dir in sorted((SFDX / "objects").iterdir()):
        meta = obj_dir / f"{obj_dir.name}.object-meta.xml"
        root = ET.parse(meta).getroot() if meta.is_file() else ET.Element(f"{{{NS}}}CustomObject")
        for sub, tag in (("fields", "fields"), ("validationRules", "validationRules")):
            for part in sorted((obj_dir / sub).glob("*-meta.xml")) if (obj_dir / sub).is_dir() else []:
                element = ET.parse(part).getroot()
                element.tag = f"{{{NS}}}{tag}"
                root.append(element)
        (src / "objects").mkdir(parents=True, exist_ok=True)
        ET.ElementTree(root).write(src / "objects" / f"{obj_dir.name}.object", encoding="utf-8", xml_declaration=True)
    for folder, suffix in OLD_SUFFIXES.items():
        for path in sorted((SFDX / folder).glob("*-meta.xml")):
            (src / folder).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / folder / (path.name.split(".")[0] + suffix))
    for folder in ("classes", "triggers"):
        shutil.copytree(SFDX / folder, src / folder)
    return src


def _imported(project: Path, out: Path) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["import", "salesforce", str(project), "--owner", "ops", "-o", str(out)])
    assert result.exit_code == 0, result.output
    system: dict[str, object] = yaml.safe_load(out.read_text(encoding="utf-8"))["systems"]["salesforce"]["assets"]
    return system


def test_the_older_layout_imports_as_the_same_org(tmp_path: Path) -> None:
    mdapi = _as_mdapi(tmp_path / "old-layout")
    assert not list((mdapi / "objects").rglob("*-meta.xml")) and (mdapi / "objects" / "Lead.object").is_file()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sfdx_assets = _imported(SFDX, tmp_path / "a" / "sf.yaml")
    mdapi_assets = _imported(mdapi, tmp_path / "b" / "sf.yaml")
    assert len(sfdx_assets) > 20
    assert mdapi_assets == sfdx_assets


def test_the_older_layout_snapshots_as_the_same_org(tmp_path: Path) -> None:
    mdapi = _as_mdapi(tmp_path / "old-layout")
    old, new = snapshot(FolderTree(SFDX)), snapshot(FolderTree(mdapi))
    # Account's fields must sit in an Account.object file in the older layout; source format has no object file for it
    assert new.pop("salesforce:object/Account").permanent
    assert sorted(old) == sorted(new)
    assert {k: v.facets for k, v in old.items()} == {k: v.facets for k, v in new.items()}
    moved = CliRunner().invoke(cli, ["changes", "salesforce", str(SFDX), str(mdapi)])
    assert moved.exit_code == 0 and moved.stdout.startswith("Nothing the catalog tracks changed"), moved.output


def test_a_changed_object_file_is_read_whole_and_names_its_fields(tmp_path: Path) -> None:
    mdapi = _as_mdapi(tmp_path / "old-layout")
    lead = mdapi / "objects" / "Lead.object"
    text = lead.read_text(encoding="utf-8")
    assert "<label>Region</label>" in text
    lead.write_text(text.replace("<label>Region</label>", "<label>Sales region</label>"), encoding="utf-8")
    before = snapshot(FolderTree(_as_mdapi(tmp_path / "before")), only={"objects/Lead.object"})
    after = snapshot(FolderTree(mdapi), only={"objects/Lead.object"})
    assert (
        "salesforce:field/Lead.Region__c" in before
        and "salesforce:validation-rule/Lead.Region_required_for_EMEA" in before
    )
    assert before["salesforce:field/Lead.Region__c"].facets["label"].value == "Region"
    assert after["salesforce:field/Lead.Region__c"].facets["label"].value == "Sales region"
