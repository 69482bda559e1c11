"""The readiness rules of issue #24, checked against an independent reading of them.

The reference below is written from the issue's text, not from
``impact.analysis.readiness``: random steps, sign-offs and results are given to
real check results of the example catalog (a major, a minor and a quick-hit
change), and what the code says is missing must be what the reference says,
item by item; a change ships exactly when the reference finds nothing missing.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact.analysis.check import CheckResult
from impact.analysis.decision import decide
from impact.analysis.readiness import readiness
from impact.analysis.workspace import run_check
from impact.core.policy import Policy
from impact.load.change import Signoff, Step, TestResult

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "catalogs" / "example"
CHANGES = {
    "major": "CR-101-products-to-solutions.yaml",
    "minor": "CR-110-sdr-activity-meetings.yaml",
    "quick-hit": "CR-102-emea-pipeline-filter.yaml",
}
PEOPLE = ["Ana Ruiz", "ana  ruiz", "Li Wei", "LI WEI", "Priya Nair", "Greg Novak"]


@functools.cache
def base(path: str) -> CheckResult:
    result, _ = run_check(EXAMPLE / "changes" / CHANGES[path], None)
    return result


def reference(result: CheckResult, asked: set[str]) -> set[tuple[str, str]]:
    """What is missing, read straight from the issue: (rule, subject) pairs."""
    path = max(
        [p for p in (result.release_path.declared, result.release_path.computed) if p] if result.release_path else ["major"],
        key=["quick-hit", "minor", "major"].index,
    )
    tested = path in ("minor", "major")
    found: set[tuple[str, str]] = set()
    change = result.change
    if "signoffs" in asked:
        for team in [s.team for s in result.sign_off]:
            # A team that rejected is reported once, as a rejection (not also as missing).
            if not any(g.team == team and g.decision in ("approved", "rejected") for g in change.signoffs):
                found.add(("signoff-missing", team))
        for g in change.signoffs:
            if g.decision == "rejected":
                found.add(("rejected", g.team))
    if "steps" in asked:
        who = {s.step: " ".join(s.by.lower().split()) for s in change.steps}
        for name in ("triage", "build", "qa") if tested else ("triage", "build"):
            if name not in who:
                found.add(("step-missing", name))
        for other in ("triage", "qa"):
            if "build" in who and other in who and who["build"] == who[other]:
                found.add(("same-person", other))
    if "tests" in asked and tested:
        for t in result.tests:
            last = None
            for r in change.results:
                if r.test == t.test.id:
                    last = r.result
            if last != "passed":
                found.add(("test", t.test.id))
    return found


def as_pairs(missing: Any) -> set[tuple[str, str]]:
    """The code's missing lines, read back as (rule, subject) pairs."""
    pairs = set()
    for m in missing:
        if m.kind == "signoffs":
            hit = re.match(r"sign-off from (\S+) ", m.what)
            pairs.add(("signoff-missing", hit.group(1)) if hit else ("rejected", m.what.split(" rejected it")[0]))
        elif m.kind == "steps":
            hit = re.match(r"step (\w+):", m.what)
            pairs.add(("step-missing", hit.group(1)) if hit else ("same-person", "qa" if m.what.endswith("did QA: build needs different eyes") else "triage"))
        elif m.kind == "tests":
            pairs.add(("test", m.what.split(" ")[1].rstrip(":")))
    return pairs


def changed(result: CheckResult, steps: list[Step], signoffs: list[Signoff], results: list[TestResult]) -> CheckResult:
    change = dataclasses.replace(result.change, steps=tuple(steps), signoffs=tuple(signoffs), results=tuple(results), status="approved")
    return dataclasses.replace(result, change=change)


@st.composite
def records(draw: st.DrawFn, result: CheckResult) -> tuple[list[Step], list[Signoff], list[TestResult]]:
    names = draw(st.lists(st.sampled_from(["triage", "build", "qa"]), unique=True))
    steps = [Step(n, draw(st.sampled_from(PEOPLE))) for n in ("triage", "build", "qa") if n in names]
    teams = [s.team for s in result.sign_off] + ["it"]
    signoffs = draw(
        st.lists(st.builds(Signoff, st.sampled_from(teams), st.sampled_from(PEOPLE), st.sampled_from(["approved", "rejected"])), max_size=6)
    )
    tests = [t.test.id for t in result.tests] + ["routing-amer-territory"]
    results = draw(
        st.lists(
            st.builds(TestResult, st.sampled_from(tests), st.sampled_from(["passed", "failed", "skipped"]), st.sampled_from(PEOPLE)),
            max_size=25,
        )
    )
    return steps, signoffs, results


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), path=st.sampled_from(sorted(CHANGES)), asked=st.sets(st.sampled_from(["signoffs", "steps", "tests"])))
def test_readiness_matches_the_pinned_rules(data: st.DataObject, path: str, asked: set[str]) -> None:
    result = base(path)
    steps, signoffs, results = data.draw(records(result))
    subject = changed(result, steps, signoffs, results)
    got = readiness(subject, sorted(asked))
    expected = reference(subject, asked)
    assert as_pairs(got.missing) == expected
    assert {m.kind for m in got.missing} <= asked
    # With the policy asking, the change ships exactly when nothing is missing (it is approved, its path fits).
    policy = Policy((("ready", tuple(sorted(asked))),))
    catalog = dataclasses.replace(subject.catalog, policy=policy)
    decision = decide(dataclasses.replace(subject, catalog=catalog))
    assert decision.ships == (not expected and not subject.blocking)
    assert decision.headline.endswith("· ready to ship") == decision.ships


def test_a_quick_hit_needs_no_qa_and_no_test_results() -> None:
    result = changed(base("quick-hit"), [Step("triage", "Ana Ruiz"), Step("build", "Li Wei")], [], [])
    assert [m.kind for m in readiness(result, ["steps", "tests"]).missing] == []
    minor = changed(base("minor"), [Step("triage", "Ana Ruiz"), Step("build", "Li Wei")], [], [])
    assert sorted(m.kind for m in readiness(minor, ["steps", "tests"]).missing) == ["steps", "tests"]


def test_qa_may_go_back_to_the_triage_person_never_to_the_builder() -> None:
    approved = [Signoff(s.team, "Hannah Schmidt", "approved") for s in base("minor").sign_off]
    ok = changed(base("minor"), [Step("triage", "Ana Ruiz"), Step("build", "Li Wei"), Step("qa", "ana ruiz")], approved, [])
    assert readiness(ok, ["steps"]).missing == ()
    bad = changed(base("minor"), [Step("triage", "Ana Ruiz"), Step("build", "Li Wei"), Step("qa", "Li  Wei")], approved, [])
    assert [m.what for m in readiness(bad, ["steps"]).missing] == ["Li Wei built the change and also did QA: build needs different eyes"]


def test_a_rejection_is_quoted_with_its_team_and_note() -> None:
    result = changed(base("minor"), [], [Signoff("revops", "Diego Alvarez", "rejected", "2026-11-05", "numbers off by one")], [])
    whats = [m.what for m in readiness(result, ["signoffs"]).missing]
    assert 'revops rejected it (Diego Alvarez on 2026-11-05): "numbers off by one"' in whats


def test_a_signoff_by_someone_outside_the_team_is_a_warning_not_a_reason() -> None:
    result = changed(base("minor"), [], [Signoff("revops", "Somebody Else", "approved")], [])
    ready = readiness(result, ["signoffs"])
    assert ready.missing == ()
    assert len(ready.warnings) == 1 and "Somebody Else signed off for revops but is not a member" in ready.warnings[0]
    member = changed(base("minor"), [], [Signoff("revops", "hannah schmidt", "approved")], [])
    assert readiness(member, ["signoffs"]).warnings == ()
