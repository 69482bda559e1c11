"""Release-path policy: defaults, tightening, and how `impact check` reports and exits."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.analysis.release_path import compute_release_path, effective_rules
from impact.analysis.workspace import open_catalog
from impact.cli.main import cli
from impact.load.change import load_change, resolve_change

# website:page/a -> page/b -> marketo:seg/x -> crm:field/f -> crm:queue/q (critical); seg/x -> bi:dash/d
STACK = """\
teams:
  web: {name: Web, email: web@example.com}
  mops: {name: Marketing Ops, email: mops@example.com}
systems:
  website:
    name: Website
    owner: web
    assets:
      page/a: {type: page}
      page/b: {type: page, depends_on: [website:page/a]}
      page/lonely: {type: page}
      page/vip: {type: page, critical: true}
  marketo:
    name: Marketo
    owner: mops
    assets:
      seg/x: {type: segmentation, depends_on: [website:page/b]}
  crm:
    name: CRM
    owner: mops
    assets:
      field/f: {type: field, depends_on: [marketo:seg/x]}
      queue/q: {type: queue, critical: true, depends_on: [crm:field/f]}
  bi:
    name: BI
    owner: mops
    assets:
      dash/d: {type: dashboard, depends_on: [marketo:seg/x]}
"""


@pytest.fixture
def stack(write: Callable[..., Path], tmp_path: Path) -> Callable[..., Path]:
    write("catalog/stack.yaml", STACK)

    def change(target: str, action: str = "modify", path: str | None = None, policy: str | None = None) -> Path:
        if policy:
            write("catalog/policy.yaml", policy)
        extra = f"path: {path}\n" if path else ""
        return write("changes/cr.yaml", f"id: CR-1\ntitle: t\n{extra}changes:\n  - {{target: '{target}', action: {action}}}\n")

    return change


def computed(change_file: Path, catalog: Path):
    catalog_obj, graph = open_catalog(catalog)
    change = load_change(change_file)
    return compute_release_path(catalog_obj, graph, resolve_change(change, catalog_obj), change.path)


def test_quick_hit_when_modify_with_no_impact_outside_the_tool(stack, tmp_path):
    rp = computed(stack("website:page/a"), tmp_path / "catalog")
    # page/a reaches marketo (1 tool away): not a quick hit; reaches crm, bi (2), queue (2): minor
    assert rp.computed == "minor"
    assert rp.reasons[0].startswith("not quick-hit: impacts critical crm:queue/q (2 tools away)")
    assert rp.reasons[-1] == "meets every minor rule"
    rp = computed(stack("website:page/lonely"), tmp_path / "catalog")
    assert (rp.computed, rp.reasons) == ("quick-hit", ("meets every quick-hit rule",))


def test_delete_forces_major_even_without_impact(stack, tmp_path):
    rp = computed(stack("website:page/lonely", "delete"), tmp_path / "catalog")
    assert rp.computed == "major"
    assert "not minor: delete of website:page/lonely; allowed actions: modify, rename, create, deprecate" in rp.reasons


def test_critical_changed_asset_forces_major(stack, tmp_path):
    rp = computed(stack("website:page/vip"), tmp_path / "catalog")
    assert rp.computed == "major"
    assert "not minor: changes critical website:page/vip" in rp.reasons


def test_rename_is_not_a_quick_hit(stack, tmp_path):
    rp = computed(stack("website:page/lonely", "rename"), tmp_path / "catalog")
    assert rp.computed == "minor"
    assert rp.reasons[0] == "not quick-hit: rename of website:page/lonely; allowed actions: modify"


def test_minor_distance_limit(stack, tmp_path):
    # website:page/a reaches crm and bi 2 tools away: minor; with at most 1 it becomes major
    rp = computed(stack("website:page/a"), tmp_path / "catalog")
    assert rp.computed == "minor"
    policy = "policy:\n  minor:\n    max_tool_distance: 1\n"
    rp = computed(stack("website:page/a", policy=policy), tmp_path / "catalog")
    assert rp.computed == "major"
    assert "not minor: impact reaches 2 tools away (bi:dash/d, crm:field/f, crm:queue/q); allowed: at most 1 tool away" in rp.reasons


def test_policy_limits_quick_hits_to_asset_types(stack, tmp_path):
    policy = "policy:\n  quick-hit:\n    types: [dashboard]\n"
    rp = computed(stack("website:page/lonely", policy=policy), tmp_path / "catalog")
    assert rp.computed == "minor"
    assert rp.reasons[0] == "not quick-hit: changes website:page/lonely (type page); allowed asset types: dashboard"
    rp = computed(stack("bi:dash/d", policy=policy), tmp_path / "catalog")
    assert rp.computed == "quick-hit"


def test_policy_fields_left_out_keep_defaults():
    rules = effective_rules(None)
    assert rules["quick-hit"].actions == ("modify",)
    assert rules["quick-hit"].max_tool_distance == 0
    assert not rules["quick-hit"].allow_critical_impacted
    assert rules["minor"].max_tool_distance == 2
    assert "delete" not in (rules["minor"].actions or ())


def test_check_exits_1_when_declared_path_is_lighter(stack, tmp_path):
    change = stack("website:page/a", path="quick-hit")
    result = CliRunner().invoke(cli, ["check", str(change), "--catalog", str(tmp_path / "catalog"), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["release_path"]["declared"] == "quick-hit"
    assert data["release_path"]["computed"] == "minor"
    assert data["release_path"]["too_light"] is True
    text = CliRunner().invoke(cli, ["check", str(change), "--catalog", str(tmp_path / "catalog")])
    assert text.exit_code == 1
    assert "Release path: needs minor (declared: quick-hit)" in text.output
    assert "BLOCKING: declared quick-hit is lighter than the minor this change needs" in text.output


@pytest.mark.parametrize("declared", ["minor", "major", None])
def test_check_exits_0_when_declared_path_is_enough(stack, tmp_path, declared):
    change = stack("website:page/a", path=declared)
    result = CliRunner().invoke(cli, ["check", str(change), "--catalog", str(tmp_path / "catalog"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["release_path"] == {
        "declared": declared,
        "computed": "minor",
        "too_light": False,
        "reasons": json.loads(result.output)["release_path"]["reasons"],
    }


def test_path_does_not_depend_on_max_tools(stack, tmp_path):
    change = stack("website:page/a", path="minor")
    result = CliRunner().invoke(cli, ["check", str(change), "--catalog", str(tmp_path / "catalog"), "--max-tools", "0", "--format", "json"])
    assert json.loads(result.output)["release_path"]["computed"] == "minor"


def test_bad_policy_is_refused_with_its_place(stack, tmp_path):
    change = stack("website:page/a", policy="policy:\n  quick-hit:\n    actions: [modfy]\n")
    result = CliRunner().invoke(cli, ["check", str(change), "--catalog", str(tmp_path / "catalog")])
    assert result.exit_code == 2
    assert "policy.yaml:3:" in result.output and "modfy" in result.output


ONE_TOOL = """\
teams:
  ops: {name: Ops}
systems:
  crm:
    name: CRM
    owner: ops
    assets:
      field/status: {type: field}
      field/lonely: {type: field}
      flow/a: {type: flow, depends_on: [{asset: crm:field/status, uses: [values], values: [Closed]}]}
      flow/b: {type: flow, depends_on: [crm:field/status]}
      flow/c: {type: flow, depends_on: [crm:flow/b]}
"""


@pytest.mark.parametrize(
    ("target", "values", "policy", "expected"),
    [
        # three flows of the same tool reached: testing needed (issue #29)
        ("crm:field/status", None, None, ("minor", "not quick-hit: reaches 3 assets in the same tool; quick hits reach none")),
        # a change to one value reaches the two flows that do not test Closed only
        ("crm:field/status", "[New]", None, ("minor", "not quick-hit: reaches 2 assets in the same tool; quick hits reach none")),
        ("crm:field/lonely", None, None, ("quick-hit", "meets every quick-hit rule")),
        # a policy may allow some
        ("crm:field/status", None, "policy:\n  quick-hit: {max_impacted: 3}\n", ("quick-hit", "meets every quick-hit rule")),
        ("crm:field/status", None, "policy:\n  minor: {max_impacted: 1}\n", ("major", "not minor: reaches 3 assets in the same tool; minor releases reach at most 1")),
    ],
)
def test_quick_hits_reach_nothing_beyond_the_changed_assets(write, tmp_path, target, values, policy, expected) -> None:  # type: ignore[no-untyped-def]
    write("catalog/crm.yaml", ONE_TOOL)
    if policy:
        write("catalog/policy.yaml", policy)
    said = f", values: {values}" if values else ""
    change = write("changes/cr.yaml", f"id: CR-1\ntitle: t\nchanges:\n  - {{target: '{target}', action: modify{said}}}\n")
    rp = computed(change, tmp_path / "catalog")
    assert rp.computed == expected[0]
    assert expected[1] in rp.reasons, rp.reasons
