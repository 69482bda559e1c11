"""No hand-written change file: ``impact changes --base``, ``impact check --base`` and the CI workflow's step, on real git repositories."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from impact.cli.main import cli
from impact.importers.changes import gittree

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC = ROOT / "tests" / "fixtures" / "salesforce" / "synthetic"
FIELD = "force-app/main/default/objects/Lead/fields/Region__c.field-meta.xml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository holding a Salesforce project and the catalog imported from it (with its 'sources:' entry), committed on main."""
    work = tmp_path / "repo"
    shutil.copytree(SYNTHETIC / "force-app", work / "force-app")
    (work / "catalog").mkdir()
    (work / "catalog" / "teams.yaml").write_text("teams:\n  ops: {name: Sales operations}\n", encoding="utf-8")
    monkeypatch.chdir(work)
    result = CliRunner().invoke(
        cli, ["import", "salesforce", "force-app", "--owner", "ops", "-o", "catalog/salesforce.yaml"]
    )
    assert result.exit_code == 0, result.output
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "org as retrieved")
    return work


def _edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")


def test_changes_base_reads_both_versions_from_git_and_only_the_changed_files(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit(repo, FIELD, "<label>Region</label>", "<label>Sales region</label>")
    git(repo, "commit", "-q", "-am", "relabel")
    (repo / FIELD).write_text("not xml at all", encoding="utf-8")  # the working tree is never read
    read: list[int] = []
    real = gittree.read_blobs
    monkeypatch.setattr(gittree, "read_blobs", lambda top, shas: read.append(len(shas)) or real(top, shas))
    result = CliRunner().invoke(cli, ["changes", "--base", "HEAD~1", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(result.stdout)
    assert [(c["target"], c["action"], c["aspects"], c["note"]) for c in doc["changes"]] == [
        ("salesforce:field/Lead.Region__c", "modify", ["name"], "label: Region → Sales region")
    ]
    assert read == [1, 1]  # one changed file, read at each revision


def test_check_base_answers_the_derived_change_and_says_so_when_nothing_changed(repo: Path) -> None:
    nothing = CliRunner().invoke(cli, ["check", "--base", "HEAD"])
    assert (
        nothing.exit_code == 0
        and nothing.stdout == "Nothing the catalog tracks changed between HEAD and HEAD; no change request written.\n"
    )
    git(
        repo,
        "mv",
        "force-app/main/default/queues/NA_Inbound.queue-meta.xml",
        "force-app/main/default/queues/NA_Inbound_Leads.queue-meta.xml",
    )
    git(repo, "commit", "-q", "-m", "rename a queue")
    answer = CliRunner().invoke(cli, ["check", "--base", "main~1", "--format", "json"])
    assert answer.exit_code in (0, 1), answer.output
    changed = yaml.safe_load(answer.stdout)["changed"]
    assert [(c["asset"], c["action"]) for c in changed] == [("salesforce:queue/NA_Inbound", "rename")]


def test_a_derived_rename_is_checked_once_the_catalog_has_the_new_id_only(repo: Path) -> None:
    git(
        repo,
        "mv",
        "force-app/main/default/queues/NA_Inbound.queue-meta.xml",
        "force-app/main/default/queues/NA_Inbound_Leads.queue-meta.xml",
    )
    catalog = repo / "catalog" / "salesforce.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8")
        .replace("queue/NA_Inbound:", "queue/NA_Inbound_Leads:")
        .replace("salesforce:queue/NA_Inbound\n", "salesforce:queue/NA_Inbound_Leads\n"),
        encoding="utf-8",
    )
    git(repo, "commit", "-q", "-am", "rename a queue, catalog refreshed")
    derived = CliRunner().invoke(cli, ["changes", "--base", "HEAD~1", "-o", "change.yaml"])
    assert derived.exit_code == 0, derived.output
    item = yaml.safe_load((repo / "change.yaml").read_text(encoding="utf-8"))["changes"][0]
    assert (item["action"], item["to"]) == ("rename", "salesforce:queue/NA_Inbound_Leads")
    answer = CliRunner().invoke(cli, ["check", "change.yaml", "--catalog", "catalog", "--format", "json"])
    assert answer.exit_code in (0, 1), answer.output
    assert [c["asset"] for c in yaml.safe_load(answer.stdout)["changed"]] == ["salesforce:queue/NA_Inbound_Leads"]


def test_bad_revisions_and_mixed_forms_are_clear_errors(repo: Path) -> None:
    bad = CliRunner().invoke(cli, ["changes", "--base", "no-such-branch"])
    assert bad.exit_code == 2 and "--base 'no-such-branch' is not a revision" in bad.stderr
    mixed = CliRunner().invoke(cli, ["changes", "salesforce", "a", "b", "--base", "HEAD"])
    assert mixed.exit_code == 2 and "not both" in mixed.stderr
    both = CliRunner().invoke(cli, ["check", "x.yaml", "--base", "HEAD"])
    assert both.exit_code == 2 and "give no change file" in both.stderr


def _workflow_step() -> str:
    workflow = yaml.safe_load((ROOT / "docs" / "ci" / "impact-pull-request.yml").read_text(encoding="utf-8"))
    step = next(s for s in workflow["jobs"]["impact"]["steps"] if s.get("id") == "check")
    return re.sub(r"\$\{\{\s*github\.base_ref\s*\}\}", "main", step["run"])


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_pull_request_workflow_comments_the_derived_answer(repo: Path, tmp_path: Path) -> None:
    git(repo, "update-ref", "refs/remotes/origin/main", "main")  # what actions/checkout fetches
    git(repo, "checkout", "-q", "-b", "feature")
    _edit(
        repo,
        "force-app/main/default/objects/Lead/validationRules/Region_required_for_EMEA.validationRule-meta.xml",
        "<active>false</active>",
        "<active>true</active>",
    )
    git(repo, "commit", "-q", "-am", "activate the rule")
    bin_dir = Path(shutil.which("impact") or Path(sys.executable).parent / "impact").parent
    output = tmp_path / "github-output"
    env = {
        **os.environ,
        "CATALOG": "catalog",
        "CHANGES": "changes",
        "GITHUB_OUTPUT": str(output),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(
        ["bash", "-e", "-c", _workflow_step()], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    comment = (repo / "impact.md").read_text(encoding="utf-8")
    assert "salesforce:validation-rule/Lead.Region_required_for_EMEA" in comment
    assert "inactive → active" in comment
    assert "No change request was added or edited." in comment
    assert output.read_text(encoding="utf-8").strip() in ("status=0", "status=1")


def test_the_pre_push_hook_runs_check_base(repo: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "impact-check-exports")
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "branch", "-q", "--set-upstream-to", "main")
    _edit(repo, FIELD, "<type>Text</type>", "<type>Picklist</type>")
    git(repo, "commit", "-q", "-am", "retype")
    args = hook["entry"].split()[1:]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    assert "salesforce:field/Lead.Region__c" in result.stdout and "type: Text → Picklist" in result.stdout
