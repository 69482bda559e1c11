"""impact diff (two folders and --base GIT_REF), impact init, --version and NO_COLOR."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact import __version__
from impact.cli.main import cli
from impact.cli.terminal import color_wanted

OLD = """\
teams:
  web: {name: Web}
  ops: {name: Ops}
systems:
  website:
    name: Website
    owner: web
    assets:
      /products/: {type: folder}
      /blog/: {type: folder}
  marketo:
    name: Marketo
    owner: ops
    assets:
      list/visitors: {type: smart-list, depends_on: [website:/products/]}
      campaign/route: {type: campaign}
"""

NEW = OLD.replace("      /blog/: {type: folder}\n", "      /pricing/: {type: page}\n").replace(
    "      campaign/route: {type: campaign}\n", "      campaign/route: {type: campaign, critical: true, depends_on: [marketo:list/visitors]}\n"
)


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stack.yaml").write_text(text, encoding="utf-8")
    return folder


def test_diff_of_two_folders_lists_edits_and_their_impact(tmp_path: Path) -> None:
    old, new = write(tmp_path / "old", OLD), write(tmp_path / "new", NEW)
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["assets"]["added"] == ["website:/pricing/"]
    assert data["assets"]["removed"] == ["website:/blog/"]
    assert data["assets"]["changed"] == [{"id": "marketo:campaign/route", "fields": {"critical": {"old": False, "new": True}}}]
    assert data["dependencies"]["added"] == ["marketo:list/visitors -> marketo:campaign/route"]
    assert data["reach_changes"] == [
        {"asset": "marketo:list/visitors", "now_reaches": ["marketo:campaign/route"], "no_longer_reaches": []},
        {"asset": "website:/products/", "now_reaches": ["marketo:campaign/route"], "no_longer_reaches": []},
    ]
    text = CliRunner().invoke(cli, ["diff", str(old), str(new)]).output
    assert "  + marketo:list/visitors -> marketo:campaign/route" in text
    assert "      critical: False -> True" in text
    md = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "markdown"]).output
    assert "| `website:/products/` | `marketo:campaign/route` |  |" in md


def test_diff_of_identical_catalogs(tmp_path: Path) -> None:
    old, new = write(tmp_path / "old", OLD), write(tmp_path / "new", OLD)
    result = CliRunner().invoke(cli, ["diff", str(old), str(new)])
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == "The catalogs are the same."


def test_diff_needs_two_folders_or_base() -> None:
    result = CliRunner().invoke(cli, ["diff", "only-one"])
    assert result.exit_code == 2
    assert "give two catalog folders, OLD and NEW, or one folder with --base GIT_REF" in result.output


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_against_a_git_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    write(tmp_path / "catalog", OLD)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "old"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True)
    write(tmp_path / "catalog", NEW)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["diff", "--base", "HEAD", "catalog", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["old"] == "catalog@HEAD"
    assert data["assets"]["added"] == ["website:/pricing/"]
    bad = CliRunner().invoke(cli, ["diff", "--base", "no-such-ref", "catalog"])
    assert bad.exit_code == 2
    assert bad.output == "Error: impact: --base 'no-such-ref' is not a revision of the git repository . (a branch, tag or commit)\n"


def test_init_writes_a_starter_catalog_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "catalog"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(cli, ["validate", str(target)]).exit_code == 0
    first = (target / "website.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=schemas/catalog.schema.json"
    assert (target / "schemas" / "catalog.schema.json").is_file()
    again = CliRunner().invoke(cli, ["init", str(target)])
    assert again.exit_code == 2
    assert "already holds YAML files; impact init only starts new catalogs" in again.output


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"impact, version {__version__}\n"


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdout", Tty())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert color_wanted() is True
    assert color_wanted(to_file=True) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert color_wanted() is False


def test_diff_sees_what_a_dependency_uses(tmp_path: Path) -> None:
    base = NEW.replace("depends_on: [website:/products/]}", "depends_on: [{asset: website:/products/, uses: [name]}]}")
    narrowed = base.replace("depends_on: [marketo:list/visitors]}", "depends_on: [{asset: marketo:list/visitors, uses: [logic]}]}")
    old, new = write(tmp_path / "old", base), write(tmp_path / "new", narrowed)
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dependencies"]["changed"] == [
        {"id": "marketo:list/visitors -> marketo:campaign/route", "fields": {"uses": {"old": None, "new": ["logic"]}}}
    ]
    # The list still reaches the campaign when it changes itself; the folder no longer does through the list,
    # which passes on only what uses its data.
    assert data["reach_changes"] == [{"asset": "website:/products/", "now_reaches": [], "no_longer_reaches": ["marketo:campaign/route"]}]
