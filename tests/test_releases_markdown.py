"""`impact release check --format markdown`: the release answer for a ticket, tables intact."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT
from tests.helpers import run_cli


def test_release_markdown_carries_the_json_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = ("release", "check", "2026-12-minor", "--changes", "catalogs/example/changes")
    code, out, _ = run_cli(*args, "--format", "markdown")
    data = json.loads(run_cli(*args, "--format", "json")[1])
    assert code == 1  # something is held back, as in the other formats
    assert out.startswith(f"### Release `{data['release']['id']}`: {data['release']['name']}\n\n")
    verdict_rows = [line for line in out.splitlines() if line.startswith("| `CR-")]
    assert [row.split("`")[1] for row in verdict_rows] == [c["id"] for c in data["changes"]]
    for row, change in zip(verdict_rows, data["changes"]):
        assert f"**{change['verdict']}**" in row
        assert row.replace("\\|", "").count("|") == 6  # five columns, whatever the reasons say
    assert out.count("\n- **") == len(data["conflicts"])
    for test in data["tests"]:
        assert f"- [ ] `{test['id']}`" in out
