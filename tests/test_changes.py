"""``impact changes KIND OLD NEW``: the differ against an independent oracle, the Salesforce reader against noise, the output's contract."""

from __future__ import annotations

import json
import random
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.cli.main import cli
from impact.importers.changes.diff import diff_snapshots
from impact.importers.changes.model import AssetState, Facet, Snapshot

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC = ROOT / "tests" / "fixtures" / "salesforce" / "synthetic"
NS = "http://soap.sforce.com/2006/04/metadata"

# --- the differ, against an oracle written from the rule ------------------------

_states = st.builds(
    lambda name, kind, label, values, body: (f"s:{kind}/{name}", label, values, body),
    st.sampled_from(["a", "b", "c", "d", "e"]),
    st.sampled_from(["field", "flow"]),
    st.sampled_from(["", "Stage", "Status"]),
    st.frozensets(st.sampled_from(["New", "Open", "Won"])),
    st.sampled_from(["", "x", "y"]),
)


def _snapshot(rows: list[tuple[str, str, frozenset[str], str]]) -> Snapshot:
    out: Snapshot = {}
    for aid, label, values, body in rows:
        facets = {
            "label": Facet("name", label, "label"),
            "values": Facet("values", tuple(sorted(values)), "picklist values"),
        }
        out[aid] = AssetState(
            aid, facets, body + aid.partition("/")[0] if body else ""
        )  # distinct bodies never collide across kinds
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(_states, max_size=6), st.lists(_states, max_size=6))
def test_every_id_is_accounted_for_once_by_the_rule(old_rows: list, new_rows: list) -> None:  # type: ignore[type-arg]
    old, new = _snapshot(old_rows), _snapshot(new_rows)
    items = diff_snapshots(old, new)
    by_action: dict[str, set[str]] = {}
    for item in items:
        by_action.setdefault(item.action, set()).add(item.target)
    # modify: an id in both whose label or values differ, with exactly those aspects
    expected_modify = {
        a
        for a in old.keys() & new.keys()
        if old[a].facets != new[a].facets
        and (
            old[a].facets["label"].value
            or new[a].facets["label"].value
            or old[a].facets["values"].value
            or new[a].facets["values"].value
        )
    }
    assert by_action.get("modify", set()) == expected_modify
    for item in items:
        if item.action == "modify":
            differs = {
                f.aspect for k, f in old[item.target].facets.items() if f.value != new[item.target].facets[k].value
            }
            assert set(item.aspects) == differs
    # every id only in old is deleted or renamed away, exactly once; every id only in new is created or renamed to
    renamed = {i.target: i.to for i in items if i.action == "rename"}
    assert by_action.get("delete", set()) | set(renamed) == old.keys() - new.keys()
    assert not by_action.get("delete", set()) & set(renamed)
    assert by_action.get("create", set()) | set(renamed.values()) == new.keys() - old.keys()
    for source, target in renamed.items():
        assert target is not None and source.partition("/")[0] == target.partition("/")[0]  # never across kinds
    assert items == sorted(items, key=lambda i: (i.target, i.action, i.to or ""))
    assert diff_snapshots(old, old) == []


# --- noise: what is not a change ---------------------------------------------


def _copy(tmp_path: Path, name: str) -> Path:
    dest = tmp_path / name
    shutil.copytree(SYNTHETIC, dest)
    return dest


def _rewrite(folder: Path, change: object) -> None:
    ET.register_namespace("", NS)
    for path in sorted(folder.rglob("*-meta.xml")):
        tree = ET.parse(path)
        change(tree.getroot())  # type: ignore[operator]
        ET.indent(tree, space="\t")
        path.write_bytes(ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True))


def _changes(old: Path, new: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["changes", "salesforce", str(old), str(new), *args])
    return result.exit_code, result.stdout


def test_reindented_reordered_and_moved_on_the_canvas_is_a_no_op(tmp_path: Path) -> None:
    new = _copy(tmp_path, "new")
    rng = random.Random(7)

    def shuffle_and_move(root: ET.Element) -> None:
        for el in root.iter():
            kids = list(el)
            rng.shuffle(kids)
            el[:] = kids
            if el.tag.endswith(("locationX", "locationY")):
                el.text = str(rng.randint(0, 2000))

    _rewrite(new, shuffle_and_move)
    code, out = _changes(SYNTHETIC, new)
    assert code == 0 and out.startswith("Nothing the catalog tracks changed"), out


def test_a_retrieve_with_a_newer_api_version_is_a_no_op(tmp_path: Path) -> None:
    """What a v61 retrieve writes into unchanged flows (seen in real orgs' histories): the action's name again, defaults."""
    new = _copy(tmp_path, "new")

    def retrieved_again(root: ET.Element) -> None:
        if not root.tag.endswith("Flow"):
            return
        ET.SubElement(root, f"{{{NS}}}areMetricsLoggedToDataCloud").text = "false"
        for call in root.iter(f"{{{NS}}}actionCalls"):
            name = call.find(f"{{{NS}}}actionName")
            ET.SubElement(call, f"{{{NS}}}nameSegment").text = name.text if name is not None else ""
            ET.SubElement(call, f"{{{NS}}}offset").text = "0"
            ET.SubElement(call, f"{{{NS}}}versionSegment").text = "1"
        for version in root.iter(f"{{{NS}}}apiVersion"):
            version.text = "61.0"

    _rewrite(new, retrieved_again)
    assert "nameSegment" in (new / "force-app/main/default/flows/Lead%3AAfter_Save_Escalate.flow-meta.xml").read_text()
    code, out = _changes(SYNTHETIC, new)
    assert code == 0 and out.startswith("Nothing the catalog tracks changed"), out


def test_each_pinned_rule_gives_its_aspect(tmp_path: Path) -> None:
    new = _copy(tmp_path, "new")
    base = new / "force-app" / "main" / "default"
    edits = {
        "objects/Lead/fields/Region__c.field-meta.xml": (
            "<type>Text</type>",
            "<type>Text</type><length>40</length><description>Sales region</description>",
        ),
        "objects/Lead/fields/Routing_Key__c.field-meta.xml": (
            "<label>Routing key</label>",
            "<label>Routing key (v2)</label>",
        ),
        "objects/Lead/validationRules/Region_required_for_EMEA.validationRule-meta.xml": (
            "<active>false</active>",
            "<active>true</active>",
        ),
        "flows/Lead_Before_Save_Division.flow-meta.xml": ("<status>Active</status>", "<status>Draft</status>"),
    }
    for rel, (old, replacement) in edits.items():
        text = (base / rel).read_text(encoding="utf-8")
        assert old in text
        (base / rel).write_text(text.replace(old, replacement, 1), encoding="utf-8")
    (base / "objects/Account/fields/Tier__c.field-meta.xml").unlink()
    code, out = _changes(SYNTHETIC, new, "--format", "json")
    assert code == 0
    got = {(c["target"], c["action"]): (c["aspects"], c["note"]) for c in json.loads(out)["changes"]}
    assert got == {
        ("salesforce:field/Lead.Region__c", "modify"): (
            ["content", "schema"],
            "description added: Sales region; length added: 40",
        ),
        ("salesforce:field/Lead.Routing_Key__c", "modify"): (["name"], "label: Routing key → Routing key (v2)"),
        ("salesforce:validation-rule/Lead.Region_required_for_EMEA", "modify"): (["availability"], "inactive → active"),
        ("salesforce:flow/Lead_Before_Save_Division", "modify"): (["availability"], "status: Active → Draft"),
        ("salesforce:field/Account.Tier__c", "delete"): (["availability"], "no longer in the export"),
    }


# --- the output's contract ------------------------------------------------------


def test_yaml_and_json_have_the_same_keys_a_stable_id_and_check_accepts_them(tmp_path: Path) -> None:
    new = _copy(tmp_path, "new")
    field = new / "force-app/main/default/objects/Lead/fields/Region__c.field-meta.xml"
    field.write_text(
        field.read_text(encoding="utf-8").replace("<label>Region</label>", "<label>Sales region</label>"),
        encoding="utf-8",
    )
    _, as_yaml = _changes(SYNTHETIC, new)
    _, as_json = _changes(SYNTHETIC, new, "--format", "json")
    assert yaml.safe_load(as_yaml) == json.loads(as_json)
    assert _changes(SYNTHETIC, new)[1] == as_yaml  # same input, same bytes
    doc = yaml.safe_load(as_yaml)
    assert doc["id"].startswith("derived-") and list(doc) == ["id", "title", "changes"]
    named = tmp_path / "cr.yaml"
    code, _ = _changes(SYNTHETIC, new, "--id", "CR-7", "--title", "Relabel region", "-o", str(named))
    assert code == 0 and yaml.safe_load(named.read_text(encoding="utf-8"))["id"] == "CR-7"
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "teams.yaml").write_text("teams:\n  ops: {name: Ops}\n", encoding="utf-8")
    imported = CliRunner().invoke(
        cli, ["import", "salesforce", str(SYNTHETIC), "--owner", "ops", "-o", str(catalog / "sf.yaml")]
    )
    assert imported.exit_code == 0, imported.output
    checked = CliRunner().invoke(cli, ["check", str(named), "--catalog", str(catalog)])
    assert checked.exit_code in (0, 1), checked.output
    assert "salesforce:field/Lead.Region__c" in checked.stdout


def test_to_is_refused_on_anything_but_a_rename(tmp_path: Path) -> None:
    change = tmp_path / "change.yaml"
    change.write_text(
        "id: CR-1\ntitle: t\nchanges:\n  - target: s:a\n    action: modify\n    to: s:b\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["check", str(change), "--catalog", str(tmp_path)])
    assert result.exit_code == 2
    assert "'to:' names the new id of a rename" in result.stderr


def test_bad_exports_are_named_with_their_place(tmp_path: Path) -> None:
    new = _copy(tmp_path, "new")
    broken = new / "force-app/main/default/queues/NA_Inbound.queue-meta.xml"
    broken.write_text("<Queue><name>NA</Queue>", encoding="utf-8")
    code, _ = _changes(SYNTHETIC, new)
    result = CliRunner().invoke(cli, ["changes", "salesforce", str(SYNTHETIC), str(new)])
    assert code == 2 and "force-app/main/default/queues/NA_Inbound.queue-meta.xml:1:" in result.stderr
    missing = CliRunner().invoke(cli, ["changes", "salesforce", str(SYNTHETIC), str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr
    kind = CliRunner().invoke(cli, ["changes", "marketo", str(SYNTHETIC), str(new)])
    assert kind.exit_code == 2 and "cannot read 'marketo' exports" in kind.stderr
