"""Release readiness: sign-offs, who did each step, and test results, against the catalog's ``policy: ready:``.

A catalog's ``policy: ready: [signoffs, steps, tests]`` (any subset) asks
more of a change before it ships than its status, path and conflicts. The
rules, each missing thing one line:

- **signoffs**: every team of the change's own "Sign off" list
  (:attr:`CheckResult.sign_off`) has an ``approved`` sign-off; and no
  sign-off is ``rejected`` (the rejecting team and its note are quoted; a
  team that rejected is reported once, as a rejection);
- **steps**: ``triage`` and ``build`` are recorded, and on a minor or major
  path ``qa`` too; the builder is neither the triage person nor the QA person
  (QA may go back to the triage person);
- **tests**: on a minor or major path, every test of the change's "Tests to
  run" has a last result (in the order written) that is ``passed``. A quick
  hit needs none.

The path is the heavier of the declared one and the one the change needs
(a change declared ``major`` is tested as a major one). People are compared
by name, ignoring case and repeated spaces.

A sign-off by someone who is not a member of a team that lists ``members``
is a warning, never a reason to hold.

Examples
--------
>>> same_person("Ana  Ruiz", "ana ruiz")
True
>>> last_results([TestResult("t1", "failed", "Li"), TestResult("t1", "passed", "Li")])["t1"].result
'passed'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from impact.analysis.check import CheckResult
from impact.core.policy import READY_KINDS
from impact.core.vocabulary import PATHS
from impact.load.change import ChangeRequest, Signoff, Step, TestResult

STEPS = ("triage", "build", "qa")
"""The steps of a change, in order."""

TESTED_PATHS = ("minor", "major")
"""Paths on which QA and test results are required."""


@dataclass(frozen=True, slots=True)
class Missing:
    """One thing that keeps a change from shipping: its kind and what it is, in a line."""

    kind: str
    """``status``, ``path``, ``conflicts``, ``signoffs``, ``steps`` or ``tests``."""
    what: str
    short: str
    """A few words for the one-line verdict (e.g. ``status build``)."""


@dataclass(frozen=True, slots=True)
class SignoffState:
    """A team that signs off, and where its sign-off stands."""

    team: str
    why: str
    """Why the answer asks it (``responsible``, ``owns 5 high-risk assets``); empty when it was not asked."""
    state: str
    """``approved``, ``rejected`` or ``missing``."""
    signoff: Signoff | None = None


@dataclass(frozen=True, slots=True)
class TestState:
    """A test to run, and its last result."""

    __test__ = False  # not a pytest class

    test: str
    name: str
    kind: str | None
    state: str
    """``passed``, ``failed``, ``skipped`` or ``not run``."""
    last: TestResult | None = None


@dataclass(frozen=True)
class Readiness:
    """Where a change stands on sign-offs, steps and tests, and what the policy still misses."""

    asked: tuple[str, ...]
    """What the catalog's ``policy: ready:`` asks for."""
    path: str
    """The path the steps and tests rules read (see the module's rule)."""
    signoffs: tuple[SignoffState, ...]
    steps: dict[str, Step]
    tests: tuple[TestState, ...]
    missing: tuple[Missing, ...]
    """Only of the kinds asked for."""
    warnings: tuple[str, ...]

    @property
    def shown(self) -> bool:
        """Worth a section in an answer: the policy asks for something, or the change file records some of it."""
        return bool(
            self.asked or self.steps or any(s.signoff for s in self.signoffs) or any(t.last for t in self.tests)
        )

    def count(self, state: str) -> int:
        """How many tests to run are in ``state``."""
        return sum(1 for t in self.tests if t.state == state)


def person_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def same_person(a: str, b: str) -> bool:
    """One person written twice: case and spaces aside."""
    return person_key(a) == person_key(b)


def last_results(results: Sequence[TestResult]) -> dict[str, TestResult]:
    """Each test's last result, in the order written."""
    return {r.test: r for r in results}


def tested_path(result: CheckResult) -> str:
    """The heavier of the declared path and the one the change needs (``major`` when neither is known)."""
    rp = result.release_path
    found = [p for p in ((rp.declared, rp.computed) if rp else (result.change.path,)) if p]
    return max(found, key=PATHS.index) if found else "major"


def _signoff_states(result: CheckResult) -> tuple[SignoffState, ...]:
    given = result.change.signoffs
    states = []
    asked = {s.team for s in result.sign_off}
    for s in result.sign_off:
        mine = [g for g in given if g.team == s.team]
        rejected = next((g for g in mine if g.decision == "rejected"), None)
        approved = next((g for g in reversed(mine) if g.decision == "approved"), None)
        pick = rejected or approved
        states.append(SignoffState(s.team, s.why, pick.decision if pick else "missing", pick))
    for g in given:
        if g.team not in asked:
            states.append(SignoffState(g.team, "", g.decision, g))
    return tuple(states)


def _signoffs_missing(states: Sequence[SignoffState]) -> list[Missing]:
    found = []
    for s in states:
        if s.state == "missing":
            found.append(
                Missing("signoffs", f"sign-off from {s.team} ({s.why}): not given", f"sign-off from {s.team} missing")
            )
        elif s.state == "rejected" and s.signoff is not None:
            g = s.signoff
            note = f': "{g.note}"' if g.note else ""
            when = f" on {g.at}" if g.at else ""
            found.append(Missing("signoffs", f"{s.team} rejected it ({g.by}{when}){note}", f"rejected by {s.team}"))
    return found


def _steps_missing(steps: dict[str, Step], path: str) -> list[Missing]:
    needed = STEPS if path in TESTED_PATHS else STEPS[:2]
    found = [
        Missing("steps", f"step {name}: nobody is recorded as having done it", f"no {name} step")
        for name in needed
        if name not in steps
    ]
    build = steps.get("build")
    for other in ("triage", "qa"):
        done = steps.get(other)
        if build is not None and done is not None and same_person(build.by, done.by):
            word = "QA" if other == "qa" else other
            found.append(
                Missing(
                    "steps",
                    f"{build.by} built the change and also did {word}: build needs different eyes",
                    f"builder did {word}",
                )
            )
    return found


def _test_states(result: CheckResult) -> tuple[TestState, ...]:
    last = last_results(result.change.results)
    return tuple(
        TestState(
            t.test.id,
            t.test.name,
            t.test.kind,
            last[t.test.id].result if t.test.id in last else "not run",
            last.get(t.test.id),
        )
        for t in result.tests
    )


def _tests_missing(states: Sequence[TestState], path: str) -> list[Missing]:
    if path not in TESTED_PATHS:
        return []
    found = []
    for t in states:
        if t.state == "passed":
            continue
        if t.last is None:
            found.append(Missing("tests", f"test {t.test}: no result yet", "not run"))
        else:
            when = f" on {t.last.at}" if t.last.at else ""
            found.append(Missing("tests", f"test {t.test}: last result {t.state} ({t.last.by}{when})", t.state))
    return found


def _member_warnings(result: CheckResult) -> tuple[str, ...]:
    teams = result.catalog.teams
    found = []
    for g in result.change.signoffs:
        team = teams.get(g.team)
        if team is None or not team.members or any(same_person(g.by, m) for m in team.members):
            continue
        where = f"{g.place}: " if g.place else ""
        found.append(
            f"{where}{g.by} signed off for {g.team} but is not a member of it (members: {', '.join(team.members)})"
        )
    return tuple(found)


def readiness(result: CheckResult, asked: Sequence[str] = ()) -> Readiness:
    """Where ``result``'s change stands, and what the kinds ``asked`` (``policy: ready:``) still miss."""
    path = tested_path(result)
    signoffs = _signoff_states(result)
    steps = {s.step: s for s in result.change.steps}
    tests = _test_states(result)
    missing: list[Missing] = []
    if "signoffs" in asked:
        missing += _signoffs_missing(signoffs)
    if "steps" in asked:
        missing += _steps_missing(steps, path)
    if "tests" in asked:
        missing += _tests_missing(tests, path)
    kinds = tuple(k for k in READY_KINDS if k in asked)
    return Readiness(kinds, path, signoffs, steps, tests, tuple(missing), _member_warnings(result))


def asked_of(result: CheckResult) -> tuple[str, ...]:
    """What the change's catalog asks (``policy: ready:``)."""
    policy = result.catalog.policy
    return policy.ready if policy is not None else ()


def readiness_of(result: CheckResult) -> Readiness:
    """:func:`readiness` with what the change's own catalog asks."""
    return readiness(result, asked_of(result))


def has_records(change: ChangeRequest) -> bool:
    return bool(change.steps or change.signoffs or change.results)
