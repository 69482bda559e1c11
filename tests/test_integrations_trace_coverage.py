"""impact trace (the reverse question) and impact coverage, on small catalogs built here."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from impact.cli.main import cli
from impact.core.errors import display_path

CATALOG = """\
teams:
  web: {name: Web}
  ops: {name: Ops}
  sales: {name: Sales}
systems:
  website:
    name: Website
    owner: web
    assets:
      /products/: {type: folder}
      form/demo: {type: form, depends_on: [website:/products/]}
      /blog/: {type: folder}
  marketo:
    name: Marketo
    owner: ops
    assets:
      list/visitors: {type: smart-list, depends_on: [website:form/demo]}
  crm:
    name: CRM
    owner: sales
    assets:
      queue/emea:
        type: queue
        critical: true
        depends_on: [marketo:list/visitors]
tests:
  demo-to-queue:
    name: Demo form reaches the queue
    covers: [website:form/demo, marketo:list/visitors]
"""


def change(cid: str, target: str, status: str, action: str = "rename") -> str:
    return f"id: {cid}\ntitle: Change {cid}\nstatus: {status}\nchanges:\n  - target: {target}\n    action: {action}\n"


def make(tmp_path: Path) -> Path:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "stack.yaml").write_text(CATALOG, encoding="utf-8")
    changes = tmp_path / "changes"
    changes.mkdir()
    (changes / "a.yaml").write_text(change("CR-1", "website:/products/", "released"), encoding="utf-8")
    (changes / "b.yaml").write_text(change("CR-2", "marketo:list/visitors", "build", "modify"), encoding="utf-8")
    (changes / "c.yaml").write_text(change("CR-3", "website:/products/", "draft"), encoding="utf-8")
    (changes / "d.yaml").write_text(change("CR-4", "website:/blog/", "qa"), encoding="utf-8")
    (changes / "e.yaml").write_text(change("CR-5", "crm:queue/emea", "triage", "modify"), encoding="utf-8")
    return tmp_path / "catalog"


def test_trace_lists_upstream_assets_and_changes_nearest_first(tmp_path: Path) -> None:
    catalog = make(tmp_path)
    result = CliRunner().invoke(cli, ["trace", "crm:queue/emea", "--catalog", str(catalog), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(u["asset"], u["tool_distance"]) for u in data["upstream"]] == [
        ("marketo:list/visitors", 1),
        ("website:form/demo", 2),
        ("website:/products/", 2),
    ]
    assert data["upstream"][2]["path"] == ["website:/products/", "website:form/demo", "marketo:list/visitors", "crm:queue/emea"]
    # Changes folder found beside the catalog; the draft (CR-3) and the unrelated CR-4 are left out.
    assert [(c["id"], c["tool_distance"], c["status"]) for c in data["changes"]] == [("CR-5", 0, "triage"), ("CR-2", 1, "build"), ("CR-1", 2, "released")]
    assert data["changes"][2]["path"] == data["upstream"][2]["path"]


def test_trace_respects_max_tools_and_text_names_the_paths(tmp_path: Path) -> None:
    catalog = make(tmp_path)
    result = CliRunner().invoke(cli, ["trace", "crm:queue/emea", "--catalog", str(catalog), "--max-tools", "1"])
    assert result.exit_code == 0, result.output
    assert "1 upstream asset within 1 tool can break it; 2 change requests reach it." in result.output
    assert "path: marketo:list/visitors -> crm:queue/emea" in result.output
    assert "website:/products/" not in result.output.split("Upstream assets")[1]
    assert "\x1b[" not in result.output  # no colour when not a terminal


def test_trace_of_an_unknown_asset_suggests_the_right_one(tmp_path: Path) -> None:
    catalog = make(tmp_path)
    result = CliRunner().invoke(cli, ["trace", "crm:queue/emae", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert result.output == f"Error: impact: 'crm:queue/emae' is not an asset of the catalog in {display_path(catalog)}/; did you mean 'crm:queue/emea'?\n"


def test_trace_skips_a_change_that_no_longer_matches_and_says_so(tmp_path: Path) -> None:
    catalog = make(tmp_path)
    (tmp_path / "changes" / "f.yaml").write_text(change("CR-6", "website:/gone/", "build"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["trace", "crm:queue/emea", "--catalog", str(catalog), "--format", "json"])
    assert result.exit_code == 0, result.output
    skipped = json.loads(result.output)["skipped"]
    assert len(skipped) == 1 and "target 'website:/gone/' is not an asset" in skipped[0]["message"]


def test_coverage_counts_assets_critical_and_cross_tool_dependencies(tmp_path: Path) -> None:
    catalog = make(tmp_path)
    result = CliRunner().invoke(cli, ["coverage", "--catalog", str(catalog), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    overall = data["overall"]
    assert (overall["assets"]["covered"], overall["assets"]["total"], overall["assets"]["percent"]) == (2, 5, 40.0)
    assert overall["critical"]["untested"] == ["crm:queue/emea"]
    # form/demo -> list/visitors is covered end to end by one test; list/visitors -> queue/emea is not.
    assert overall["cross_tool"]["untested"] == ["marketo:list/visitors -> crm:queue/emea"]
    assert data["by_tool"]["website"]["assets"] == {"covered": 1, "total": 3, "percent": 33.3}
    assert data["by_team"]["sales"]["cross_tool"] == {"covered": 0, "total": 1, "percent": 0.0}


def test_coverage_fail_under_exits_1_below_and_0_at_the_threshold(tmp_path: Path) -> None:
    catalog = make(tmp_path)
    below = CliRunner().invoke(cli, ["coverage", "--catalog", str(catalog), "--fail-under", "40.1"])
    assert below.exit_code == 1
    assert "Coverage 40.0% of assets is under --fail-under 40.1%" in below.output
    at = CliRunner().invoke(cli, ["coverage", "--catalog", str(catalog), "--fail-under", "40"])
    assert at.exit_code == 0


def test_coverage_text_and_markdown(tmp_path: Path) -> None:
    catalog = make(tmp_path)
    text = CliRunner().invoke(cli, ["coverage", "--catalog", str(catalog)]).output
    assert "assets 2/5 (40.0%); critical assets 0/1 (0.0%); cross-tool dependencies 1/2 (50.0%)." in text
    assert "Critical assets no test covers (1)\n  crm:queue/emea" in text
    md = CliRunner().invoke(cli, ["coverage", "--catalog", str(catalog), "--format", "markdown"]).output
    assert "| `website` | 1/3 (33.3%) | - | - |" in md
    assert "- `marketo:list/visitors -> crm:queue/emea`" in md
