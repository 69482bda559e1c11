"""Readiness from the command line: the release gate on a variant catalog, the writers, run-tests."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "catalogs" / "example"

READY_CHANGE = """\
# {comment}
id: CR-X
title: Count meetings booked from replies (CR-X)
requested_by: revops
status: approved
release: 2026-12-minor
path: minor
catalog: ../catalog
changes:
  - target: snowflake:model/fct_sdr_activity
    action: modify
steps:
  triage: {{by: Hannah Schmidt, at: 2026-11-23}}
  build: {{by: Diego Alvarez, at: 2026-11-25}}
  qa: {{by: {qa}, at: 2026-11-26}}
signoffs:
  - {{team: revops, by: Hannah Schmidt, at: 2026-11-26, decision: {decision}, note: looks right}}
results:
  - {{test: dbt-build-revops, result: {result}, by: Diego Alvarez, at: "2026-11-26T10:15"}}
"""


def _variant(**kw: str) -> str:
    values = {"comment": "ready", "qa": "Hannah Schmidt", "decision": "approved", "result": "passed"} | kw
    return READY_CHANGE.format(**values)


@pytest.fixture
def gated(tmp_path: Path) -> Path:
    """The example catalog with 'policy: ready: [signoffs, steps, tests]' and one approved release of variants."""
    shutil.copytree(EXAMPLE / "catalog", tmp_path / "catalog")
    policy = tmp_path / "catalog" / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "  ready: [signoffs, steps, tests]\n", encoding="utf-8")
    changes = tmp_path / "changes"
    changes.mkdir()
    variants = {
        "CR-1": _variant(),
        "CR-2": _variant(comment="no sign-off").replace("signoffs:\n  - {team: revops", "signoffs:\n  - {team: analytics"),
        "CR-3": _variant(decision="rejected"),
        "CR-4": _variant(qa="Diego Alvarez"),
        "CR-5": _variant().replace("  qa: {by: Hannah Schmidt, at: 2026-11-26}\n", ""),
        "CR-6": _variant(result="failed"),
        "CR-7": _variant().replace("results:\n  - {test: dbt-build-revops, result: passed, by: Diego Alvarez, at: \"2026-11-26T10:15\"}\n", ""),
    }
    for cid, text in variants.items():
        (changes / f"{cid}.yaml").write_text(text.replace("CR-X", cid), encoding="utf-8")
    return tmp_path


EXPECTED = {
    "CR-2": ("signoffs", "sign-off from revops (responsible): not given"),
    "CR-3": ("signoffs", 'revops rejected it (Hannah Schmidt on 2026-11-26): "looks right"'),
    "CR-4": ("steps", "Diego Alvarez built the change and also did QA: build needs different eyes"),
    "CR-5": ("steps", "step qa: nobody is recorded as having done it"),
    "CR-6": ("tests", "test dbt-build-revops: last result failed (Diego Alvarez on 2026-11-26T10:15)"),
    "CR-7": ("tests", "test dbt-build-revops: no result yet"),
}


def test_release_check_ships_exactly_the_ready_changes(gated: Path) -> None:
    code, out, err = run_cli("release", "check", "2026-12-minor", "--changes", str(gated / "changes"), "--format", "json")
    assert code == 1, err
    data = json.loads(out)
    by_id = {c["id"]: c for c in data["changes"]}
    assert [r["change"] for r in data["ships"]] == ["CR-1"]
    assert by_id["CR-1"]["ready"] is True and by_id["CR-1"]["missing"] == []
    for cid, (kind, what) in EXPECTED.items():
        assert by_id[cid]["ready"] is False
        assert by_id[cid]["missing"] == [{"kind": kind, "what": what}], cid
    code, text, _ = run_cli("release", "check", "2026-12-minor", "--changes", str(gated / "changes"))
    for cid, (_, what) in EXPECTED.items():
        assert f"    - {what}\n" in text, cid


def test_without_the_policy_readiness_holds_nothing(gated: Path) -> None:
    policy = gated / "catalog" / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("  ready: [signoffs, steps, tests]\n", ""), encoding="utf-8")
    code, out, _ = run_cli("release", "check", "2026-12-minor", "--changes", str(gated / "changes"), "--format", "json")
    assert code == 0
    assert sorted(r["change"] for r in json.loads(out)["ships"]) == [f"CR-{i}" for i in range(1, 8)]


COMMENTED = """\
# Change request: the SDR meetings column.   (a comment at the top)
id: CR-9
title: 'Quoted title: with a colon'
status: approved   # set by the release manager
path: minor
catalog: ../catalog
changes:
  # the one model
  - target: snowflake:model/fct_sdr_activity
    action: modify
    note: "double-quoted note"
# trailing comment
"""


def test_signoff_keeps_comments_order_and_quoting(gated: Path) -> None:
    change = gated / "changes" / "CR-9.yaml"
    change.write_text(COMMENTED, encoding="utf-8")
    code, _out, err = run_cli("signoff", str(change), "--team", "revops", "--by", "Hannah Schmidt", "--note", "ok: checked", "--at", "2026-11-26")
    assert code == 0, err
    text = change.read_text(encoding="utf-8")
    assert text.startswith(COMMENTED.removesuffix("# trailing comment\n"))
    assert "# trailing comment" in text
    data = yaml.safe_load(text)
    assert data["signoffs"] == [{"team": "revops", "by": "Hannah Schmidt", "at": __import__("datetime").date(2026, 11, 26), "decision": "approved", "note": "ok: checked"}]
    # A second sign-off of the same team replaces the first; another team's is added.
    run_cli("signoff", str(change), "--team", "revops", "--by", "Diego Alvarez", "--reject", "--note", "no")
    run_cli("signoff", str(change), "--team", "analytics", "--by", "Rachel Cohen")
    teams = [(s["team"], s["decision"]) for s in yaml.safe_load(change.read_text(encoding="utf-8"))["signoffs"]]
    assert teams == [("revops", "rejected"), ("analytics", "approved")]


def test_step_and_result_write_what_the_release_check_reads(gated: Path) -> None:
    change = gated / "changes" / "CR-9.yaml"
    change.write_text(COMMENTED, encoding="utf-8")
    for step, who in (("qa", "Hannah Schmidt"), ("triage", "Hannah Schmidt"), ("build", "Diego Alvarez")):
        assert run_cli("step", str(change), step, "--by", who)[0] == 0
    assert run_cli("result", str(change), "--test", "dbt-build-revops", "--failed", "--by", "CI", "--evidence", "https://ci.example.com/r/1?x=1")[0] == 0
    assert run_cli("result", str(change), "--test", "dbt-build-revops", "--passed", "--by", "CI")[0] == 0
    assert run_cli("signoff", str(change), "--team", "revops", "--by", "Hannah Schmidt")[0] == 0
    data = yaml.safe_load(change.read_text(encoding="utf-8"))
    assert list(data["steps"]) == ["triage", "build", "qa"]
    assert [r["result"] for r in data["results"]] == ["failed", "passed"]
    _code, out, _ = run_cli("check", str(change), "--format", "json")
    decision = json.loads(out)["answer"]["decision"]
    assert decision["ready"] is True and decision["verdict"] == "Not blocking · ready to ship"


@pytest.mark.parametrize(
    "args",
    [
        ("signoff", "{f}", "--team", "revopz", "--by", "X"),
        ("signoff", "{f}", "--team", "revops", "--by", "X", "--at", "2026-02-30"),
        ("step", "{f}", "build", "--by", "X", "--at", "05/11/2026"),
        ("step", "{f}", "build", "--by", "   "),
        ("result", "{f}", "--test", "no-such-test", "--passed", "--by", "X"),
        ("result", "{f}", "--test", "dbt-build-revops", "--by", "X"),
    ],
)
def test_writers_refuse_bad_input_and_write_nothing(gated: Path, args: tuple[str, ...]) -> None:
    change = gated / "changes" / "CR-9.yaml"
    change.write_text(COMMENTED, encoding="utf-8")
    code, out, err = run_cli(*(a.format(f=change) for a in args))
    assert code == 2, out + err
    assert "Traceback" not in err
    assert change.read_text(encoding="utf-8") == COMMENTED


def test_a_date_that_is_no_date_in_a_change_file_is_an_error_at_its_place(gated: Path) -> None:
    change = gated / "changes" / "CR-1.yaml"
    change.write_text(change.read_text(encoding="utf-8").replace("at: 2026-11-25", "at: 2026-11-31"), encoding="utf-8")
    code, _, err = run_cli("check", str(change))
    assert code == 2
    assert f"{change}:14:" in err or "CR-1.yaml:14:" in err
    assert "'2026-11-31'" in err


RUN_CATALOG = """\
teams:
  web: {{name: Web}}
systems:
  site:
    name: Site
    owner: web
    assets:
      page: {{type: page}}
tests:
  writes-here:
    name: Writes a file in its working folder
    covers: [site:page]
    kind: automated
    run: {writes}
  fails:
    name: Exits 3 after saying why
    covers: [site:page]
    kind: automated
    run: {fails}
  hangs:
    name: Never ends
    covers: [site:page]
    kind: automated
    run: {hangs}
  by-hand:
    name: Look at the page
    covers: [site:page]
    kind: manual
    minutes: 5
    steps: [Open the page, Read it]
"""


def _commands() -> dict[str, str]:
    """Real commands (this Python), each written as a YAML double-quoted scalar."""
    py = f'"{sys.executable}" -c '
    return {
        "writes": json.dumps(py + "\"open('ran.txt', 'w').write('yes')\""),
        "fails": json.dumps(py + "\"print('first'); print('the reason'); raise SystemExit(3)\""),
        "hangs": json.dumps(py + "\"import time; time.sleep(60)\""),
    }


def test_run_tests_runs_real_commands_in_the_catalog_folder(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "all.yaml").write_text(RUN_CATALOG.format(**_commands()), encoding="utf-8")
    (tmp_path / "changes").mkdir()
    change = tmp_path / "changes" / "CR-1.yaml"
    change.write_text("# keep me\nid: CR-1\ntitle: T\npath: minor\ncatalog: ../catalog\nchanges:\n  - {target: site:page, action: modify}\n", encoding="utf-8")
    code, out, err = run_cli("run-tests", str(change), "--dry-run")
    assert code == 0, err
    assert "ran.txt" in out and not (tmp_path / "catalog" / "ran.txt").exists()
    assert "results" not in change.read_text(encoding="utf-8")
    code, out, err = run_cli("run-tests", str(change), "--timeout", "2", "--by", "CI bot")
    assert code == 1, err
    assert (tmp_path / "catalog" / "ran.txt").read_text() == "yes"
    results = {r["test"]: r for r in yaml.safe_load(change.read_text(encoding="utf-8"))["results"]}
    assert results["writes-here"]["result"] == "passed" and results["writes-here"]["by"] == "CI bot"
    assert results["fails"]["result"] == "failed"
    assert "exit code 3" in results["fails"]["note"] and "the reason" in results["fails"]["note"]
    assert results["hangs"]["result"] == "failed" and "stopped after 2 seconds" in results["hangs"]["note"]
    assert "by-hand" not in results
    assert "[ ] by-hand: Look at the page (manual, about 5 min)" in out and "1. Open the page" in out
    assert change.read_text(encoding="utf-8").startswith("# keep me\n")


def test_init_asks_for_every_readiness_rule(tmp_path: Path) -> None:
    code, _, err = run_cli("init", str(tmp_path / "catalog"))
    assert code == 0, err
    policy = yaml.safe_load((tmp_path / "catalog" / "policy.yaml").read_text(encoding="utf-8"))
    assert policy == {"policy": {"ready": ["signoffs", "steps", "tests"]}}
    code, out, err = run_cli("check", str(tmp_path / "changes" / "CR-1-example.yaml"))
    assert code == 0, err
    assert "Readiness (the policy asks: signoffs, steps, tests)" in out
    assert "steps missing: triage, build, qa" in out.splitlines()[1]
