"""Conflicts between change requests and release bundles: what ships, what is held back, and why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent

STACK = """\
teams:
  web: {name: Web, email: web@example.com}
  mops: {name: Marketing Ops, email: mops@example.com}
  sales: {name: Sales Ops, email: sales@example.com}
systems:
  website:
    name: Website
    owner: web
    assets:
      page/a: {type: page}
      page/lonely: {type: page}
      page/c: {type: page}
  marketo:
    name: Marketo
    owner: mops
    assets:
      seg/x: {type: segmentation, depends_on: [website:page/a]}
      seg/y: {type: segmentation, depends_on: [website:page/c]}
      email/n: {type: email}
  crm:
    name: CRM
    owner: sales
    assets:
      field/f: {type: field, depends_on: [marketo:seg/x, marketo:seg/y]}
"""


@pytest.fixture
def workspace(write: Callable[..., Path], tmp_path: Path) -> Callable[..., Path]:
    """workspace({"CR-1": ("website:page/a", "approved", "R1", "minor"), ...}) → the changes folder."""
    write("catalog/stack.yaml", STACK)

    def build(changes: dict[str, tuple[str, str | None, str | None, str | None]], action: str = "modify") -> Path:
        for ident, (target, status, release, path) in changes.items():
            lines = [f"id: {ident}", f"title: Change {ident}", "requested_by: web"]
            lines += [f"status: {status}"] if status else []
            lines += [f"release: {release}"] if release else []
            lines += [f"path: {path}"] if path else []
            lines += ["changes:", f"  - {{target: '{target}', action: {action}}}"]
            write(f"changes/{ident}.yaml", "\n".join(lines) + "\n")
        return tmp_path / "changes"

    return build


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def release_json(changes: Path, release: str = "R1") -> tuple[int, dict]:
    code, out = run("release", "check", release, "--changes", str(changes), "--format", "json")
    return code, json.loads(out)


def held_reasons(data: dict) -> dict[str, list[str]]:
    return {h["change"]: h["reasons"] for h in data["held"]}


def test_release_ships_everything_approved_and_clean(workspace):
    changes = workspace({"CR-1": ("website:page/lonely", "approved", "R1", "quick-hit"), "CR-2": ("marketo:email/n", "approved", "R1", None)})
    code, data = release_json(changes)
    assert code == 0
    assert [s["change"] for s in data["ships"]] == ["CR-1", "CR-2"]
    assert data["held"] == [] and data["conflicts"] == []
    assert sorted(s["team"] for s in data["stakeholders"]) == ["mops", "web"]


def test_change_not_approved_is_held(workspace):
    changes = workspace({"CR-1": ("website:page/lonely", "approved", "R1", None), "CR-2": ("marketo:email/n", "qa", "R1", None)})
    code, data = release_json(changes)
    assert code == 1
    assert [s["change"] for s in data["ships"]] == ["CR-1"]
    assert held_reasons(data) == {"CR-2": ["status is qa: only approved change requests ship"]}
    assert [(c["id"], c["verdict"], c["ships"]) for c in data["changes"]] == [("CR-1", "ship", True), ("CR-2", "hold", False)]


def test_change_without_status_is_held(workspace):
    changes = workspace({"CR-1": ("website:page/lonely", None, "R1", None)})
    code, data = release_json(changes)
    assert code == 1
    assert held_reasons(data)["CR-1"][0].startswith("no status: only approved change requests ship")


def test_declared_path_lighter_than_needed_is_held(workspace):
    changes = workspace({"CR-1": ("website:page/a", "approved", "R1", "quick-hit")})
    code, data = release_json(changes)
    assert code == 1
    (reason,) = held_reasons(data)["CR-1"]
    assert reason.startswith("declared path quick-hit is lighter than the minor it needs: impact reaches 2 tools away")


def test_same_asset_through_a_system_target_with_unfinished_work_holds(workspace):
    changes = workspace({"CR-1": ("marketo:email/n", "approved", "R1", None), "CR-9": ("marketo", "draft", "R2", None)})
    code, data = release_json(changes)
    assert code == 1
    assert held_reasons(data)["CR-1"] == [
        "CR-9 (status draft, release R2) also changes marketo:email/n and is not approved: its unfinished work would ship along"
    ]
    assert data["conflicts"] == [{"kind": "same-asset", "changes": ["CR-1", "CR-9"], "assets": ["marketo:email/n"], "teams": ["mops", "web"], "tool_distance": 0}]


def test_same_asset_with_an_approved_change_does_not_hold(workspace):
    changes = workspace({"CR-1": ("marketo:email/n", "approved", "R1", None), "CR-9": ("marketo:email/n", "approved", "R2", None)})
    code, data = release_json(changes)
    assert code == 0
    assert data["conflicts"][0]["kind"] == "same-asset"


def test_downstream_is_directional(workspace):
    # CR-1 (R1) changes page/a, which reaches crm:field/f changed by the unfinished CR-9: CR-1 is held.
    changes = workspace({"CR-1": ("website:page/a", "approved", "R1", "minor"), "CR-9": ("crm:field/f", "build", None, None)})
    code, data = release_json(changes)
    assert code == 1
    (reason,) = held_reasons(data)["CR-1"]
    assert reason.startswith("its impact reaches crm:field/f, which CR-9 (status build, no release) changes")
    conflict = data["conflicts"][0]
    assert (conflict["kind"], conflict["from"], conflict["to"], conflict["assets"]) == ("downstream", "CR-1", "CR-9", ["crm:field/f"])
    assert conflict["paths"][0]["path"] == ["website:page/a", "marketo:seg/x", "crm:field/f"]
    assert conflict["teams"] == ["sales", "web"]


def test_unfinished_change_upstream_does_not_hold(workspace, tmp_path):
    # The other way round: the unfinished CR-9 reaches what CR-1 changes; CR-1 ships, the conflict is listed.
    changes = workspace({"CR-1": ("crm:field/f", "approved", "R1", None), "CR-9": ("website:page/a", "build", "R2", None)})
    code, data = release_json(changes)
    assert code == 0
    assert [s["change"] for s in data["ships"]] == ["CR-1"]
    assert [(c["kind"], c["from"], c["to"]) for c in data["conflicts"]] == [("downstream", "CR-9", "CR-1")]


def test_released_changes_never_conflict(workspace):
    changes = workspace({"CR-1": ("marketo:email/n", "approved", "R1", None), "CR-9": ("marketo", "released", "R0", None)})
    assert release_json(changes)[0] == 0
    code, out = run("conflicts", "--changes", str(changes))
    assert code == 0
    assert "none: no two change requests" in out


def test_release_file_metadata_and_text_output(workspace, write, tmp_path):
    changes = workspace({"CR-1": ("website:page/lonely", "approved", "R1", None), "CR-2": ("marketo:email/n", "triage", "R1", None)})
    write("releases/R1.yaml", 'id: R1\nname: First\ndate: "2026-11-12"\nfreeze: "2026-11-10"\nowner: mops\n')
    code, data = release_json(changes)
    assert data["release"] == {"id": "R1", "name": "First", "date": "2026-11-12", "freeze": "2026-11-10", "owner": "mops", "notes": None, "file": data["release"]["file"]}
    code, out = run("release", "check", "R1", "--changes", str(changes))
    assert code == 1
    assert out.startswith("Release R1: First (ships 2026-11-12; change freeze from 2026-11-10; owner mops)\n2 change requests: 1 ships, 1 held back.\n")
    assert (
        "  CR-2: Change CR-2 (status triage, path needs quick-hit)\n    Not blocking · not ready to ship: status triage\n"
        "    - status is triage: only approved change requests ship\n"
    ) in out
    assert out.endswith("Exit 1: 1 change request held back.\n")


def test_release_file_found_with_releases_option(workspace, write, tmp_path):
    changes = workspace({"CR-1": ("website:page/lonely", "approved", "R1", None)})
    write("elsewhere/r1.yaml", "id: R1\nowner: nobody\n")
    code, out = run("release", "check", "R1", "--changes", str(changes), "--releases", str(tmp_path / "elsewhere"))
    assert code == 2
    assert "r1.yaml:2:8: owner 'nobody' is not a team of the catalog" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('id: R1\ndate: "2026-11-12"\nfreeze: "2026-11-20"\n', "r1.yaml:3:9: freeze 2026-11-20 is after the release date 2026-11-12"),
        ('id: R1\ndate: "2026-02-30"\n', "r1.yaml:2:7: date: '2026-02-30' is not a real date (YYYY-MM-DD)"),
        ("id: R1\nfreez: x\n", "r1.yaml:2:1: unknown key 'freez'; did you mean 'freeze'?"),
    ],
)
def test_bad_release_files_exit_2(workspace, write, text, message):
    changes = workspace({"CR-1": ("website:page/lonely", "approved", "R1", None)})
    write("releases/r1.yaml", text)
    code, out = run("release", "check", "R1", "--changes", str(changes))
    assert code == 2
    assert message in out


def test_unknown_release_exits_2(workspace):
    changes = workspace({"CR-1": ("website:page/lonely", "approved", "R1", None)})
    code, out = run("release", "check", "R7", "--changes", str(changes))
    assert code == 2
    assert "Error: impact: no change request names release 'R7' and there is no release file for it; releases: R1" in out


def test_conflicts_command_exits_1_on_a_downstream_conflict(workspace):
    changes = workspace({"CR-1": ("marketo:seg/x", "build", None, None), "CR-2": ("website:page/a", "draft", None, None)})
    code, out = run("conflicts", "--changes", str(changes), "--format", "json")
    assert code == 1
    assert [(c["kind"], c.get("from"), c.get("to")) for c in json.loads(out)["conflicts"]] == [("downstream", "CR-2", "CR-1")]
    code, out = run("conflicts", "--changes", str(changes))
    assert "downstream     CR-2 -> CR-1: the impact of CR-2 reaches marketo:seg/x, which CR-1 changes" in out
    assert "why: website:page/a -> marketo:seg/x (1 tool away)" in out


def test_shared_impact_is_information_only(workspace):
    # page/a and page/c both reach crm:field/f, and neither reaches what the other changes.
    changes = workspace({"CR-1": ("website:page/a", "build", None, None), "CR-2": ("website:page/c", "qa", None, None)})
    code, out = run("conflicts", "--changes", str(changes), "--format", "json")
    assert (code, json.loads(out)["conflicts"]) == (0, [])
    code, out = run("conflicts", str(changes / "CR-1.yaml"), str(changes / "CR-2.yaml"), "--shared", "--format", "json")
    assert code == 0
    assert json.loads(out)["conflicts"] == [
        {"kind": "shared-impact", "changes": ["CR-1", "CR-2"], "assets": ["crm:field/f"], "teams": ["sales", "web"], "tool_distance": 2}
    ]


def test_usage_errors_exit_2(workspace):
    changes = workspace({"CR-1": ("website:page/lonely", "approved", "R1", None)})
    assert run("conflicts")[0] == 2
    assert run("stakeholders", "--release", "R1")[0] == 2
    assert run("notify", "--stage", "completed")[0] == 2
    assert run("release", "check", "R1")[0] == 2
    assert run("conflicts", "--changes", str(changes / "missing"))[0] == 2


def test_example_quick_release(monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out = run("release", "check", "2026-11-quick", "--changes", "catalogs/example/changes", "--format", "json")
    assert code == 1
    data = json.loads(out)
    ships = [s["change"] for s in data["ships"]]
    held = held_reasons(data)
    assert "CR-107" in ships
    assert held["CR-102"][0] == "status is qa: only approved change requests ship"
    assert held["CR-106"][0].startswith("declared path quick-hit is lighter than the minor it needs")
    assert any("CR-104 (status draft, release 2027-01-major) also changes marketo:email/newsletter-monthly" in r for r in held["CR-108"])
