"""Stakeholder lists (table, CSV, JSON, Markdown, e-mails) and notification drafts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli
from impact.render.csvout import cell, to_csv

STACK = """\
teams:
  web: {name: "=HYPERLINK(\\"http://evil\\")", email: web@example.com, slack: "@web"}
  mops: {name: Marketing Ops, email: mops@example.com}
  bi: {name: Analytics}
  twin: {name: Chloé's team, email: MOPS@example.com}
systems:
  website:
    name: Website
    owner: web
    informed: [bi]
    assets:
      page/a: {type: page}
  marketo:
    name: Marketo
    owner: mops
    consulted: [twin]
    assets:
      seg/x: {type: segmentation, depends_on: [website:page/a]}
      email/n: {type: email}
tests:
  seg-check:
    name: Segment matches
    covers: [marketo:seg/x]
    kind: manual
    minutes: 10
"""


@pytest.fixture
def changes(write: Callable[..., Path], tmp_path: Path) -> Path:
    write("catalog/stack.yaml", STACK)
    write("changes/CR-1.yaml", "id: CR-1\ntitle: Page A\nstatus: approved\nrelease: R1\nchanges:\n  - {target: 'website:page/a', action: modify}\n")
    write("changes/CR-2.yaml", "id: CR-2\ntitle: Newsletter\nstatus: approved\nrelease: R1\nchanges:\n  - {target: 'marketo:email/n', action: modify}\n")
    write("changes/CR-3.yaml", "id: CR-3\ntitle: Not ready\nstatus: draft\nrelease: R1\nchanges:\n  - {target: 'marketo:email/n', action: modify}\n")
    write("releases/R1.yaml", 'id: R1\nname: First release\ndate: "2026-11-12"\nowner: mops\n')
    return tmp_path / "changes"


def run(*args: str) -> CliRunner:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_never_start_with_a_formula_character(value):
    text = to_csv(["h"], [[value]])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["h"], ["'" + value]]
    assert cell("plain") == "plain"


def test_stakeholders_csv_reads_back_safely(changes):
    result = run("stakeholders", str(changes / "CR-1.yaml"), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output, newline="")))
    assert rows[0] == ["team", "name", "email", "slack", "roles", "changes", "assets", "reasons", "role", "role_reason"]
    web = next(r for r in rows if r[0] == "web")
    assert web[1] == "'=HYPERLINK(\"http://evil\")"
    assert web[3] == "'@web"
    assert web[4] == "responsible; accountable"
    assert web[8] == "responsible"  # one role per team: the strongest
    assert web[9].startswith("owns website:")
    for row in rows:
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in row)


def test_stakeholders_are_deduplicated_across_change_requests(changes):
    result = run("stakeholders", str(changes / "CR-1.yaml"), str(changes / "CR-2.yaml"), "--format", "json")
    data = json.loads(result.output)
    mops = next(s for s in data["stakeholders"] if s["team"] == "mops")
    assert mops["roles"] == ["responsible", "accountable", "consulted"]
    assert mops["changes"] == ["CR-1", "CR-2"]
    assert mops["assets"] == ["marketo:email/n", "marketo:seg/x"]
    assert [s["team"] for s in data["stakeholders"]].count("mops") == 1


def test_stakeholders_of_a_release_are_those_of_what_ships(changes):
    result = CliRunner().invoke(cli, ["stakeholders", "--release", "R1", "--changes", str(changes), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    # CR-2 is held (the draft CR-3 changes the same email), CR-3 too: only CR-1 ships.
    assert data["changes"] == ["CR-1"]
    assert sorted(s["team"] for s in data["stakeholders"]) == ["bi", "mops", "twin", "web"]
    assert "Note: held back, so not included: CR-2, CR-3 (see: impact release check R1 --changes" in result.stderr


def test_emails_distribution_list(changes):
    result = CliRunner().invoke(cli, ["stakeholders", str(changes / "CR-1.yaml"), "--format", "emails"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    # twin's address is mops's in other case: listed once; bi has no e-mail: named on stderr.
    assert lines == ['"=HYPERLINK(\\"http://evil\\")" <web@example.com>', "Marketing Ops <mops@example.com>"]
    assert "Note: team bi (Analytics) has no usable e-mail address in the catalog" in result.stderr


def test_markdown_and_table_formats(changes):
    md = run("stakeholders", str(changes / "CR-1.yaml"), "--format", "markdown").output
    assert md.startswith("| Team | Role | Why | Change requests | Contact | Assets |\n|---|---|---|---|---|---|\n")
    assert "| Marketing Ops (`mops`) | consulted |" in md
    table = run("stakeholders", str(changes / "CR-1.yaml")).output
    assert table.splitlines()[0].split() == ["TEAM", "ROLE", "CHANGES", "CONTACT", "WHY"]
    # One role per team, never a list of them.
    assert all(line.split()[1] in ("responsible", "accountable", "consulted", "informed") for line in table.splitlines()[1:])


def test_notify_change_pre_release_and_completed(changes):
    pre = run("notify", str(changes / "CR-1.yaml"), "--stage", "pre-release")
    assert pre.exit_code == 0, pre.output
    lines = pre.output.splitlines()
    assert lines[0] == "Subject: [CR-1] Coming up: Page A"
    assert lines[1].startswith('To: "=HYPERLINK(\\"http://evil\\")" <web@example.com>, Marketing Ops <mops@example.com>')
    assert "[ ] Segment matches (seg-check; manual, about 10 min; for CR-1)" in pre.output
    done = run("notify", str(changes / "CR-1.yaml"), "--stage", "completed", "--format", "json")
    data = json.loads(done.output)
    assert data["subject"] == "[CR-1] Released: Page A"
    assert data["to"] == ['"=HYPERLINK(\\"http://evil\\")" <web@example.com>', "Marketing Ops <mops@example.com>"]
    assert data["teams_without_email"] == ["Analytics (bi)"]
    assert "### What changed" in data["body_markdown"]
    assert "WHAT CHANGED" in data["body_text"]


def test_notify_release_lists_what_ships_and_what_is_held(changes, write):
    (changes / "CR-3.yaml").unlink()
    result = run("notify", "--release", "R1", "--changes", str(changes), "--stage", "pre-release", "--format", "markdown")
    assert result.exit_code == 0, result.output
    # Markdown markup in the subject is escaped like any other text (a title may hold a link or a tag).
    assert result.output.startswith("**Subject:** \\[Release R1\\] Ships 2026-11-12: CR-1, CR-2\n")
    assert "Release `R1` (First release) ships on **2026-11-12**." in result.output


def test_notify_templates_can_be_overridden(changes, write, tmp_path):
    write("tpl/notify-completed.txt.j2", "Done: {{ changes | map(attribute='id') | join(', ') }} for {{ stakeholders | length }} teams\n")
    result = run("notify", str(changes / "CR-2.yaml"), "--stage", "completed", "--templates", str(tmp_path / "tpl"))
    assert result.exit_code == 0, result.output
    assert result.output.endswith("\n\nDone: CR-2 for 2 teams\n")


def test_output_file_is_never_written_into_the_catalog(changes, tmp_path):
    result = run("stakeholders", str(changes / "CR-1.yaml"), "--format", "csv", "-o", str(tmp_path / "catalog" / "x.csv"))
    assert result.exit_code == 2
    assert not (tmp_path / "catalog" / "x.csv").exists()
    out = tmp_path / "out" / "s.csv"
    assert run("stakeholders", str(changes / "CR-1.yaml"), "--format", "csv", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("team,name,")
