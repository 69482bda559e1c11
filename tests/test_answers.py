"""Answers people act on (issue #14): risk, one role per team, the answer first,
one meaning of "ship", ranked conflicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from impact.analysis.answer import BREAKING_ACTIONS, RISKS, count_tests, risk_of, strongest_role
from impact.cli.main import cli
from tests.conftest import EXAMPLE, ROOT

CHANGES = EXAMPLE / "changes"
ACTIONS = ("modify", "rename", "delete", "create", "deprecate")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--no-cache", *args])
    return result.exit_code, result.stdout


def _oracle_risk(critical: bool, distance: int, tested: bool, action: str) -> str:
    # The README's rule, written out case by case.
    if critical:
        return "high"
    if action in ("delete", "rename", "deprecate") and not tested and distance in (0, 1):
        return "high"
    if distance in (0, 1):
        return "medium"
    if not tested and distance == 2:
        return "medium"
    return "low"


@given(st.booleans(), st.integers(0, 8), st.booleans(), st.sampled_from(ACTIONS))
def test_risk_rule_matches_the_documented_table(critical: bool, distance: int, tested: bool, action: str) -> None:
    level, reasons = risk_of(critical=critical, tool_distance=distance, tested=tested, action=action, source="w:a")
    assert level == _oracle_risk(critical, distance, tested, action)
    assert ("critical asset" in reasons) == critical
    assert ("no regression test covers it" in reasons) == (not tested)
    assert reasons[-1].startswith("the change ") and reasons[-1].endswith(" w:a")


@given(st.lists(st.sampled_from(["responsible", "accountable", "consulted", "informed"]), min_size=1, unique=True))
def test_one_role_is_the_strongest(roles: list[str]) -> None:
    order = ["responsible", "accountable", "consulted", "informed"]
    assert strongest_role(roles) == order[min(order.index(r) for r in roles)]


def test_manual_minutes_leave_automated_tests_out() -> None:
    counts = count_tests([("manual", 20), ("automated", 45), (None, 10), ("manual", None)])
    assert (counts.manual, counts.manual_minutes, counts.manual_unknown, counts.automated) == (3, 30, 1, 1)


def test_cr101_answer_opens_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run("check", "catalogs/example/changes/CR-101-products-to-solutions.yaml")
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == "Not blocking · not ready to ship: status build"  # the one verdict (issue #26)
    assert lines[2] == "The change fits its declared major release path."
    assert lines[3].startswith("Sign off: web (responsible)")
    assert lines[4].startswith("Tests: 15 to run: ") and "manual" in lines[4] and "automated" in lines[4]
    assert lines[5].startswith("Untested critical: ")
    # High risk comes before medium and low; nothing low is listed before a high one.
    high, medium, low = (next(i for i, line in enumerate(lines) if line.startswith(f"  {lvl.capitalize()} risk (")) for lvl in RISKS)
    assert high < medium < low
    code, data_text = run("check", "catalogs/example/changes/CR-101-products-to-solutions.yaml", "--format", "json")
    data = json.loads(data_text)
    levels = {r["asset"]: r["risk"] for r in data["impacted"]}
    for line in lines[high:medium]:
        shown = line.strip().lstrip("! ").split(" ")[0]
        if shown in levels:
            assert levels[shown] == "high", line
    # Manual minutes add up manual tests only.
    manual = sum(t["minutes"] or 0 for t in data["tests"] if t["kind"] != "automated")
    assert data["answer"]["tests"]["manual_minutes"] == manual
    assert f"about {manual} minutes" in lines[4]
    # The folded low-risk tail counts every low-risk asset, and --all lists them all.
    folded = [line for line in lines[low:] if line.startswith("     ") and " assets, " in line]
    assert folded
    code, every = run("check", "catalogs/example/changes/CR-101-products-to-solutions.yaml", "--all")
    assert all(f" {a} (" in every or f' {a} "' in every for a in levels)


def test_every_impacted_asset_carries_its_risk_and_the_critical_ones_are_high(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for change in sorted(CHANGES.glob("CR-*.yaml")):
        data = json.loads(run("check", str(change.relative_to(ROOT)), "--format", "json")[1])
        for r in data["impacted"]:
            assert r["risk"] in RISKS and r["risk_reasons"]
            if r["critical"]:
                assert r["risk"] == "high"
        assert data["answer"]["risk"] == {lvl: sum(1 for r in data["impacted"] if r["risk"] == lvl) for lvl in RISKS}
        for s in data["stakeholders"]:
            assert s["role"] == s["roles"][0]


def test_stakeholders_of_two_changes_show_one_role_per_team(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run(
        "stakeholders", "catalogs/example/changes/CR-101-products-to-solutions.yaml", "catalogs/example/changes/CR-103-lead-status-recycled-nurture.yaml"
    )
    assert code == 0
    rows = out.splitlines()[1:]
    assert rows
    for row in rows:
        role = row.split()[1]
        assert role in ("responsible", "accountable", "consulted", "informed")
        assert "," not in role
    assert "responsible, accountable" not in out


def test_a_change_in_build_never_ships(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, _ = run("report", "catalogs/example/changes/CR-101-products-to-solutions.yaml", "-o", str(tmp_path / "r"))
    assert code in (0, 1)
    data = json.loads((tmp_path / "r" / "impact.json").read_text(encoding="utf-8"))
    (verdict,) = data["verdicts"]
    assert verdict["verdict"] == "hold"
    assert verdict["reasons"][0] == "status is build: only approved change requests ship"
    html = (tmp_path / "r" / "release-notes.html").read_text(encoding="utf-8")
    assert "class=\"verdict verdict-ship\"" not in html and "<strong>Ships:</strong>" not in html
    assert "class=\"verdict verdict-hold\"" in html
    assert "<strong>CR-101:</strong> Not blocking · not ready to ship: status build" in html  # the one verdict (issue #26)


def test_a_change_in_qa_is_never_about_to_ship(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run("notify", "catalogs/example/changes/CR-102-emea-pipeline-filter.yaml", "--stage", "pre-release")
    assert code == 0
    assert "about to ship" not in out
    assert "is not ready to ship yet: status is qa" in out
    code, out = run("notify", "catalogs/example/changes/CR-107-resources-benchmark-report.yaml", "--stage", "pre-release")
    assert "Change request CR-107 is about to ship." in out  # approved, and fits its path


def test_conflicts_are_ranked_and_far_ones_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, text = run("conflicts", "--changes", "catalogs/example/changes")
    code_json, data_text = run("conflicts", "--changes", "catalogs/example/changes", "--format", "json")
    assert code == code_json == 1
    conflicts = json.loads(data_text)["conflicts"]
    kinds = [c["kind"] for c in conflicts]
    assert kinds == sorted(kinds, key=["same-asset", "downstream", "shared-impact"].index)
    downstream = [c["tool_distance"] for c in conflicts if c["kind"] == "downstream"]
    assert downstream == sorted(downstream)
    for c in conflicts:
        if c["kind"] == "downstream":
            assert c["tool_distance"] == min(p["tool_distance"] for p in c["paths"])
    far = [c for c in conflicts if c["tool_distance"] > 2]
    assert far
    assert f"{len(far)} more conflicts meet more than 2 tools away" in text
    shown = [line for line in text.splitlines() if line.startswith(("  same-asset", "  downstream"))]
    assert len(shown) == len(conflicts) - len(far)
    _, every = run("conflicts", "--changes", "catalogs/example/changes", "--all")
    assert len([line for line in every.splitlines() if line.startswith(("  same-asset", "  downstream"))]) == len(conflicts)


def test_breaking_actions_are_the_documented_ones() -> None:
    assert set(BREAKING_ACTIONS) == {"delete", "rename", "deprecate"}


def test_the_readme_excerpt_is_the_golden_answer_in_order() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```text\nCR-105: ")
    block = readme[start + len("```text\n") : readme.index("```", start + 8)]
    golden = (ROOT / "tests" / "golden" / "CR-105-retire-emea-round-robin.txt").read_text(encoding="utf-8").splitlines()
    at = 0
    for line in block.splitlines():
        if line.strip() == "...":
            continue
        assert line in golden[at:], f"README line not in the golden answer (in order): {line!r}"
        at = golden.index(line, at) + 1
