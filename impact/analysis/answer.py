"""The answer first: risk of each impacted asset, the verdict, who signs off, what to test.

Everything here is derived from what a :class:`~impact.analysis.check.CheckResult`
already holds; nothing is searched again.

**Risk of an impacted asset** (deterministic, from what the catalog knows):

- ``high``: the asset is critical; or no regression test covers it, it is at
  most 1 tool away, and the change deletes, renames or deprecates the changed
  asset its path starts from;
- ``medium``: otherwise, when it is at most 1 tool away, or no test covers
  it and it is at most 2 tools away;
- ``low``: everything else (2 or more tools away and covered by a test, or
  3 or more tools away).

``risk_reasons`` lists the facts the level was read from: critical (if so),
whether a test covers it, how far it is, and what the change does.

**Sign-off**: the teams responsible for or accountable for a changed asset,
and the owners of high-risk impacted assets.

Examples
--------
>>> risk_of(critical=False, tool_distance=1, tested=False, action="rename", source="web:/p/")
('high', ('no regression test covers it', '1 tool away', 'the change renames web:/p/'))
>>> risk_of(critical=False, tool_distance=3, tested=True, action="rename", source="web:/p/")
('low', ('covered by a regression test', '3 tools away', 'the change renames web:/p/'))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

RISKS = ("high", "medium", "low")
"""Risk levels, highest first."""

BREAKING_ACTIONS = ("delete", "rename", "deprecate")
"""Actions that take away what a dependent asset relies on."""

NEAR = 1
"""At most this many tools away counts as near."""

UNTESTED_NEAR = 2
"""An untested asset at most this many tools away is at least medium risk."""

ROLES = ("responsible", "accountable", "consulted", "informed")
"""RACI roles, strongest first."""

_VERB = {"modify": "modifies", "rename": "renames", "delete": "deletes", "create": "creates", "deprecate": "deprecates"}


def strongest_role(roles: Sequence[str]) -> str:
    """The one role a team is shown with: responsible > accountable > consulted > informed.

    >>> strongest_role(("consulted", "accountable", "informed"))
    'accountable'
    """
    return min(roles, key=ROLES.index)


def away_words(distance: int) -> str:
    if distance == 0:
        return "in the same tool"
    return f"{distance} tool{'s' if distance != 1 else ''} away"


def risk_of(
    *, critical: bool, tool_distance: int, tested: bool, action: str, source: str
) -> tuple[str, tuple[str, ...]]:
    """The risk level of one impacted asset and the facts it is read from (see the module's rule)."""
    breaking = action in BREAKING_ACTIONS
    near = tool_distance <= NEAR
    reasons = []
    if critical:
        reasons.append("critical asset")
    reasons.append("covered by a regression test" if tested else "no regression test covers it")
    reasons.append(away_words(tool_distance))
    reasons.append(f"the change {_VERB.get(action, action)} {source}")
    if critical or (breaking and near and not tested):
        level = "high"
    elif near or (not tested and tool_distance <= UNTESTED_NEAR):
        level = "medium"
    else:
        level = "low"
    return level, tuple(reasons)


@dataclass(frozen=True, slots=True)
class Risk:
    level: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SignOff:
    """A team that must sign the change off, and why, in a few words."""

    team: str
    why: str


@dataclass(frozen=True)
class TestCounts:
    """The tests to run, manual and automated counted apart."""

    __test__ = False  # not a pytest class

    manual: int
    manual_minutes: int
    """Minutes of the manual tests that say how long they take."""
    manual_unknown: int
    """Manual tests that do not say how long they take."""
    automated: int


def count_tests(kinds_minutes: Sequence[tuple[str | None, int | None]]) -> TestCounts:
    """Manual and automated tests counted apart; a test without ``kind`` needs a person, so it is manual.

    >>> count_tests([("manual", 15), ("automated", 10), (None, None)])
    TestCounts(manual=2, manual_minutes=15, manual_unknown=1, automated=1)
    """
    manual = [m for k, m in kinds_minutes if k != "automated"]
    return TestCounts(
        manual=len(manual),
        manual_minutes=sum(m or 0 for m in manual),
        manual_unknown=sum(1 for m in manual if m is None),
        automated=len(kinds_minutes) - len(manual),
    )


def tests_sentence(counts: TestCounts) -> str:
    """``'15 to run: 9 manual (about 165 minutes), 6 automated'``."""
    total = counts.manual + counts.automated
    if not total:
        return "no regression test covers the changed or impacted assets"
    return f"{total} to run: {tests_breakdown(counts)}"


def tests_breakdown(counts: TestCounts) -> str:
    """``'9 manual (about 165 minutes), 6 automated'``."""
    parts = []
    if counts.manual:
        minutes = ""
        if counts.manual_minutes:
            minutes = (
                f" (about {counts.manual_minutes} minutes"
                + (f"; {counts.manual_unknown} without an estimate" if counts.manual_unknown else "")
                + ")"
            )
        parts.append(f"{counts.manual} manual{minutes}")
    if counts.automated:
        parts.append(f"{counts.automated} automated")
    return ", ".join(parts)
