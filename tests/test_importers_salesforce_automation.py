"""Salesforce automation read right: what flows and workflows read, write and call (issue #23).

The importer's catalog is compared with an independent ``xml.etree`` reading
(``tests/sf_reading.py``) of real public orgs' flows and workflows (CC0 and
BSD excerpts, see tests/fixtures/README.md) and of a synthetic org shaped like
the large real ones (Process Builder calling flows, Get Records outputs, loop
and record variables, related records, time triggers, ``targetObject``).
Then what a person sees: a rename of a written field lists its writer with
the why-path, and ``validate`` sums up automations that read and write the
same field in one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.catalog import Catalog, Dependency
from impact.graph.depgraph import DependencyGraph
from impact.load.loader import load_catalog
from tests.helpers import run_cli
from tests.sf_reading import catalog_edges, read_org, recall
from tests.test_graph_search import Case, catalog_of, graphs

FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"
REAL = [*(FIXTURES / "trailhead" / name for name in ("coral-cloud", "dreamhouse-sfdx", "purealoe")), FIXTURES / "npsp"]
AUTOMATION = FIXTURES / "automation"
SF = "salesforce:"


def imported(tmp_path: Path, org: Path) -> Path:
    out = tmp_path / "catalog" / "salesforce.yaml"
    code, stdout, stderr = run_cli("import", "salesforce", str(org), "--owner", "salesops", "-o", str(out))
    assert code == 0, stdout + stderr
    return out


@pytest.mark.parametrize("org", [*REAL, AUTOMATION], ids=lambda p: p.name)
def test_flows_and_workflows_agree_with_an_independent_reading(tmp_path: Path, org: Path) -> None:
    reading = read_org(org)
    listed = len(reading.flow_reads) + len(reading.flow_writes) + len(reading.flow_calls) + len(reading.workflow_writes)
    assert listed >= 3  # the reading found something to compare
    for kind, (found, total) in recall(reading, imported(tmp_path, org)).items():
        assert total == 0 or found / total >= 0.95, (kind, found, total)


def test_the_real_fixtures_cover_every_kind_the_reading_compares(tmp_path: Path) -> None:
    totals: dict[str, int] = {}
    for org in [*REAL, AUTOMATION]:
        for kind, (_, total) in recall(read_org(org), imported(tmp_path / org.name, org)).items():
            totals[kind] = totals.get(kind, 0) + total
    assert all(total > 0 for total in totals.values()), totals
    real = sum(len(read_org(org).flow_reads) for org in REAL)
    assert real >= 40  # most flow reads compared are real ones


def _deps(catalog_file: Path) -> dict[str, dict[str, list[str] | None]]:
    """Each asset's dependencies with what they use (None: every aspect), read with PyYAML."""
    data = yaml.safe_load(catalog_file.read_text(encoding="utf-8"))
    out: dict[str, dict[str, list[str] | None]] = {}
    for key, asset in data["systems"]["salesforce"]["assets"].items():
        deps = out.setdefault(SF + key, {})
        for dep in asset.get("depends_on", []):
            if isinstance(dep, str):
                deps[dep] = None
            else:
                deps[dep["asset"]] = dep.get("uses")
    return out


def test_a_writer_depends_on_the_name_schema_and_availability_of_the_field_it_writes(tmp_path: Path) -> None:
    deps = _deps(imported(tmp_path, AUTOMATION))
    written = {
        # through a record variable saved with inputReference
        "flow/Opportunity_Rollup_Children": "field/Opportunity.Child_Opportunity_Amount__c",
        "flow/Email_Message_Process": "field/Case.Unread_Email__c",  # Process Builder: Update Records on the case
        "workflow-rule/Case.Escalate portal cases": "field/Case.Escalated_On__c",  # a time-dependent field update
        "apex-trigger/OpportunityReview": "field/Opportunity.Review_Date__c",  # the trigger's body assigns it
    }
    for writer, fld in written.items():
        assert deps[SF + writer][SF + fld] == ["availability", "name", "schema"], writer
        assert deps[SF + fld][SF + writer] is None, fld  # the field depends on its writer for everything, data included
    # A field the rule reads and writes: the rule depends on all of it.
    assert deps[SF + "workflow-rule/Case.Escalate portal cases"][SF + "field/Case.Score__c"] is None
    assert SF + "workflow-rule/Case.Escalate portal cases" in deps[SF + "field/Case.Score__c"]
    # Setting a record variable's Id names the record to update: read, not written.
    assert SF + "flow/Opportunity_Rollup_Children" not in deps[SF + "field/Opportunity.Id"]


def test_flow_reads_through_variables_calls_and_related_records(tmp_path: Path) -> None:
    deps = _deps(imported(tmp_path, AUTOMATION))
    rollup = deps[SF + "flow/Opportunity_Rollup_Children"]
    assert SF + "field/Opportunity.Pillar__c" in rollup  # Get_Opportunity_Id.Pillar__c
    assert SF + "field/Opportunity.Amount" in rollup  # Loop_Children.Amount
    assert SF + "flow/Notify_Owner" in rollup  # <subflows>
    process = deps[SF + "flow/Email_Message_Process"]
    assert SF + "flow/Notify_Owner" in process  # actionType=flow
    # myVariable_current.Parent.CaseNumber on EmailMessage: Parent is the Case.
    related = ("EmailMessage.ParentId", "Case.CaseNumber", "Case.Score__c")
    assert {SF + f"field/{name}" for name in related} <= set(process)
    every = set(deps)
    assert SF + "field/EmailMessage.CaseNumber" not in every and SF + "field/EmailMessage.Parent" not in every
    # $User, $Setup, $Label, $Permission, $Profile name no field of the record.
    globals_ = (".UserType", "Rollup_Settings", "Rollup_Title", "Rollup_Admin")
    assert not any(word in d for word in globals_ for d in rollup)
    assert not any(key.startswith(SF + "field/") and "$" in key for key in every)


def test_workflow_criteria_on_the_running_user_and_field_updates_on_the_parent(tmp_path: Path) -> None:
    deps = _deps(imported(tmp_path, AUTOMATION))
    rule = deps[SF + "workflow-rule/Case.Escalate portal cases"]
    assert SF + "field/User.UserType" in rule and SF + "field/Case.UserId" not in set(deps)
    # targetObject ParentId on EmailMessage: the update writes the Case's Status.
    assert SF + "workflow-rule/EmailMessage.Customer responded" in deps[SF + "field/Case.Status"]
    assert SF + "field/EmailMessage.Status" not in set(deps)


def test_a_rename_of_a_field_a_flow_writes_lists_the_flow_with_its_why_path(tmp_path: Path) -> None:
    imported(tmp_path, AUTOMATION)
    change = tmp_path / "rename.yaml"
    change.write_text(
        "id: CR-1\ntitle: Rename the child amount\ncatalog: catalog\nchanges:\n"
        "  - {target: 'salesforce:field/Opportunity.Child_Opportunity_Amount__c', action: rename}\n",
        encoding="utf-8",
    )
    code, stdout, stderr = run_cli("check", str(change), "--format", "json")
    assert code in (0, 1), stdout + stderr
    impacted = {item["asset"]: item for item in json.loads(stdout)["impacted"]}
    assert SF + "flow/Opportunity_Rollup_Children" in impacted
    assert impacted[SF + "flow/Opportunity_Rollup_Children"]["path"] == [
        SF + "field/Opportunity.Child_Opportunity_Amount__c",
        SF + "flow/Opportunity_Rollup_Children",
    ]
    text = run_cli("check", str(change))[1]
    assert "salesforce:flow/Opportunity_Rollup_Children" in text


def test_validate_sums_up_automations_that_read_and_write_a_field(tmp_path: Path) -> None:
    out = imported(tmp_path, AUTOMATION)
    catalog = load_catalog(out.parent)
    # The independent count: automations with a dependency each way, on every aspect, with a field.
    _, edges = catalog_edges(out)
    deps = _deps(out)
    loops = {
        down
        for up, down in edges
        if catalog.assets[down].type != "field" and catalog.assets[up].type == "field"
        and deps[down][up] is None and (down, up) in edges
    }
    assert loops == {
        SF + "workflow-rule/Case.Escalate portal cases",
        SF + "workflow-rule/EmailMessage.Customer responded",
    }
    code, stdout, stderr = run_cli("validate", str(out.parent))
    assert code == 0, stderr
    notes = [line for line in stderr.splitlines() if line.startswith("Note: ")]
    assert len(notes) == 1 and f"{len(loops)} automations read and write the same field" in notes[0]
    assert "--show-cycles" in notes[0] and "Warning" not in stderr and "0 warnings" in stdout
    code, stdout, stderr = run_cli("validate", "--strict", "--show-cycles", str(out.parent))
    assert code == 0, stderr  # normal: not a warning, even with --strict
    listed = sorted(line.split(": ", 2)[2] for line in stderr.splitlines() if line.startswith("Note: "))
    assert listed == [
        f"{SF}workflow-rule/Case.Escalate portal cases reads and writes {SF}field/Case.Score__c",
        f"{SF}workflow-rule/EmailMessage.Customer responded reads and writes {SF}field/Case.Status",
    ]


@settings(max_examples=200, deadline=None)
@given(graphs(max_nodes=12), st.data())
def test_mutual_pairs_and_data_cycles_against_a_plain_reading(case: Case, data: st.DataObject) -> None:
    """``DependencyGraph.mutual`` and ``cycles(carrying='data')`` against brute force and networkx, random uses."""
    system_of, edges, _sources, _max_tools = case
    uses = {e: data.draw(st.sampled_from([None, frozenset({"data"}), frozenset({"name", "schema"})])) for e in edges}
    assets = catalog_of(system_of, edges).assets
    catalog = Catalog("mem", {}, {}, assets, [Dependency(u, d, None, uses[(u, d)]) for u, d in edges], {})
    carrying = {e for e in edges if uses[e] is None or "data" in uses[e]}
    expected = sorted({(min(u, d), max(u, d)) for u, d in carrying if u != d and (d, u) in carrying})
    graph = DependencyGraph(catalog)
    assert graph.mutual(carrying="data") == expected
    plain = nx.DiGraph(sorted(carrying))
    groups = [c for c in nx.strongly_connected_components(plain) if len(c) > 1]
    cycles = graph.cycles(carrying="data")
    assert len(cycles) == len(groups)
    for cycle in cycles:  # a cycle of data-carrying dependencies, within one group
        assert all((u, d) in carrying for u, d in zip(cycle, cycle[1:] + cycle[:1], strict=True))
        assert sum(set(cycle) <= group for group in groups) == 1


# --- inactive writers write nothing (issue #29: a value-level change must not spread through drafts) ---

INACTIVE_ORGS = [FIXTURES / "npsp", FIXTURES / "synthetic", AUTOMATION]


def _statuses(org: Path) -> dict[str, bool]:
    """Each flow's and workflow rule's id → whether it runs, read with ElementTree apart from the importer."""
    import xml.etree.ElementTree as ET
    from urllib.parse import unquote

    def text(el: ET.Element, tag: str) -> str | None:
        for child in el:
            if child.tag.rpartition("}")[2] == tag:
                return (child.text or "").strip()
        return None

    found: dict[str, bool] = {}
    for path in sorted(org.rglob("*.flow-meta.xml")):
        status = text(ET.parse(path).getroot(), "status")
        found[f"{SF}flow/{unquote(path.name.removesuffix('.flow-meta.xml'))}"] = status in (None, "Active")
    for path in sorted(org.rglob("*.workflow-meta.xml")):
        obj = path.name.removesuffix(".workflow-meta.xml")
        for rule in ET.parse(path).getroot():
            if rule.tag.rpartition("}")[2] == "rules":
                found[f"{SF}workflow-rule/{obj}.{unquote(text(rule, 'fullName') or '')}"] = text(rule, "active") != "false"
    return found


@pytest.mark.parametrize("org", INACTIVE_ORGS, ids=lambda p: p.name)
def test_a_field_depends_on_an_inactive_writer_only_for_whether_it_runs(tmp_path: Path, org: Path) -> None:
    deps = _deps(imported(tmp_path, org))
    statuses = _statuses(org)
    checked = {True: 0, False: 0}
    for writer, runs in statuses.items():
        for fld, used in deps.get(writer, {}).items():
            if used is None or not {"availability", "name", "schema"} <= set(used) or writer not in deps.get(fld, {}):
                continue  # not a field it writes (a writer uses the field's name, schema and availability, a literal's value)
            assert deps[fld][writer] == (None if runs else ["availability"]), (writer, fld)
            checked[runs] += 1
    if org != AUTOMATION:
        assert checked[False] > 0, checked  # the fixture has inactive writers, and they were compared


def test_a_change_stops_at_a_draft_flow_and_its_activation_reaches_what_it_writes(tmp_path: Path) -> None:
    catalog = load_catalog(imported(tmp_path, FIXTURES / "synthetic").parent)
    graph = DependencyGraph(catalog)
    drafts = [f for f, runs in _statuses(FIXTURES / "synthetic").items() if not runs and f in catalog.assets]
    writes = {"availability", "name", "schema"}
    written = [(d.downstream, d.upstream) for d in catalog.dependencies if d.downstream in drafts and d.uses and writes <= d.uses]
    assert written  # Lead:After_Save_Escalate (obsolete) writes Account.Tier__c
    for flow, fld in written:
        assert fld not in {r.asset for r in graph.impact_of({flow: frozenset({"logic"})})}
        assert fld in {r.asset for r in graph.impact_of({flow: frozenset({"availability"})})}
