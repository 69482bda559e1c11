"""Readiness in every answer: sign-offs in and missing, who did which step, tests passed, failed and not run.

One set of words for text, Markdown and JSON (the HTML report and the site
read the JSON); the verdict itself is :mod:`impact.analysis.decision`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from impact.analysis.decision import Decision
from impact.analysis.readiness import STEPS, Readiness, SignoffState, TestState
from impact.load.change import Step

Show = Callable[[str | None], str]
"""How a text is made safe for the output (``text.safe``, ``templating.md_text``); passed in, so no cycle."""

_STEP_WORD = {"triage": "triage", "build": "build", "qa": "QA"}


def readiness_dict(r: Readiness) -> dict[str, Any]:
    """The readiness of a change as JSON."""
    return {
        "asked": list(r.asked),
        "path": r.path,
        "signoffs": [
            {
                "team": s.team, "why": s.why or None, "state": s.state,
                "by": s.signoff.by if s.signoff else None, "at": s.signoff.at if s.signoff else None,
                "note": s.signoff.note if s.signoff else None,
            }
            for s in r.signoffs
        ],
        "steps": {
            name: ({"by": r.steps[name].by, "at": r.steps[name].at} if name in r.steps else None) for name in STEPS
        },
        "tests": [
            {
                "test": t.test, "name": t.name, "kind": t.kind, "state": t.state,
                "by": t.last.by if t.last else None, "at": t.last.at if t.last else None,
                "evidence": t.last.evidence if t.last else None, "note": t.last.note if t.last else None,
            }
            for t in r.tests
        ],
        "warnings": list(r.warnings),
    }  # fmt: skip


def _who(by: str, at: str | None, show: Show) -> str:
    return show(by) + (f", {show(at)}" if at else "")


def signoffs_words(r: Readiness, show: Show) -> str:
    """``1 of 3 in: mops approved (Priya Shah, 2026-11-05); missing: web, salesops``."""
    asked = [s for s in r.signoffs if s.why]
    given = [s for s in r.signoffs if s.signoff is not None]
    parts = [f"{show(s.team)} {s.state} ({_who(s.signoff.by, s.signoff.at, show)})" for s in given if s.signoff]
    missing = [show(s.team) for s in asked if s.state == "missing"]
    head = f"{sum(1 for s in asked if s.state == 'approved')} of {len(asked)} approved"
    text = head + (": " + "; ".join(parts) if parts else "")
    return text + (f"; missing: {', '.join(missing)}" if missing else "")


def steps_words(steps: dict[str, Step], show: Show) -> str:
    """``triage Ana Ruiz (2026-11-02) · build Li Wei (2026-11-04) · QA not recorded``."""
    parts = []
    for name in STEPS:
        step = steps.get(name)
        parts.append(
            f"{_STEP_WORD[name]} "
            + (f"{show(step.by)}" + (f" ({show(step.at)})" if step.at else "") if step else "not recorded")
        )
    return " · ".join(parts)


def tests_words(tests: tuple[TestState, ...]) -> str:
    """``3 passed, 1 failed, 11 not run`` (of the tests to run)."""
    if not tests:
        return "none to run"
    counts = {state: sum(1 for t in tests if t.state == state) for state in ("passed", "failed", "skipped", "not run")}
    return ", ".join(f"{n} {state}" for state, n in counts.items() if n)


def _not_passed(tests: tuple[TestState, ...]) -> list[TestState]:
    return [t for t in tests if t.state in ("failed", "skipped")]


def readiness_lines(decision: Decision, show: Show, indent: str = "  ") -> list[str]:
    """The readiness section of a text answer (empty when there is nothing to show)."""
    r = decision.readiness
    if not r.shown:
        return []
    asked = f" (the policy asks: {', '.join(r.asked)})" if r.asked else " (the policy asks for none of it)"
    lines = [f"Readiness{asked}"]
    lines.append(f"{indent}Sign-offs: {signoffs_words(r, show)}")
    lines.append(f"{indent}Steps: {steps_words(r.steps, show)}")
    lines.append(f"{indent}Tests: {tests_words(r.tests)}")
    for t in _not_passed(r.tests):
        assert t.last is not None
        note = f": {show(t.last.note)}" if t.last.note else ""
        lines.append(f"{indent}  {t.state}: {show(t.test)} ({_who(t.last.by, t.last.at, show)}){note}")
    lines.extend(f"{indent}warning: {show(w)}" for w in r.warnings)
    return lines


def missing_lines(decision: Decision, show: Show, indent: str = "  ") -> list[str]:
    """What keeps the change from shipping, one line each."""
    return [f"{indent}- {show(m.what)}" for m in decision.missing]


def readiness_markdown(decision: Decision, md_text: Show) -> str:
    """The readiness section of a Markdown answer ('' when there is nothing to show)."""
    r = decision.readiness
    if not r.shown:
        return _missing_markdown(decision, md_text) if len(decision.missing) > 1 else ""
    lines = ["**Readiness**" + (f" (the policy asks: {', '.join(r.asked)})" if r.asked else ""), ""]
    lines.append(f"- **Sign-offs:** {md_text(signoffs_words(r, plain))}")
    lines.append(f"- **Steps:** {md_text(steps_words(r.steps, plain))}")
    lines.append(f"- **Tests:** {tests_words(r.tests)}")
    for t in _not_passed(r.tests):
        assert t.last is not None
        lines.append(f"  - {t.state}: {md_text(t.test)} ({md_text(_who(t.last.by, t.last.at, plain))})")
    lines.extend(f"- warning: {md_text(w)}" for w in r.warnings)
    missing = _missing_markdown(decision, md_text)
    return "\n".join(lines) + (f"\n\n{missing}" if missing else "")


def _missing_markdown(decision: Decision, md_text: Show) -> str:
    if not decision.missing:
        return ""
    return "\n".join(["**Missing before it ships**", "", *(f"- {md_text(m.what)}" for m in decision.missing)])


def plain(text: str | None) -> str:
    """Text as it is, for outputs whose templates escape it themselves (HTML, the notification templates)."""
    return text or ""


def signed_off_by(states: tuple[SignoffState, ...]) -> list[str]:  # plain text: the templates escape it
    """``mops: Priya Shah (2026-11-05)`` for each approved sign-off."""
    return [
        f"{s.team}: {_who(s.signoff.by, s.signoff.at, plain)}"
        for s in states
        if s.signoff is not None and s.state == "approved"
    ]
