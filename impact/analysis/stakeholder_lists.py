"""Stakeholders and tests of several change requests at once, deduplicated.

A release manager needs one list per release: every team once, with all its
roles, the change requests and assets that bring it in; and one test plan,
every test once, with the change requests it serves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from impact.analysis.answer import ROLES, strongest_role
from impact.analysis.check import CheckResult, Reason
from impact.core.catalog import RegressionTest, Team


@dataclass(frozen=True)
class TeamInvolvement:
    """One team across several change requests."""

    team: Team
    roles: tuple[str, ...]
    changes: tuple[str, ...]
    assets: tuple[str, ...]
    reasons: tuple[tuple[str, Reason], ...]
    """(change id, reason), by change then role then asset."""

    @property
    def role(self) -> str:
        """The strongest of ``roles`` (responsible > accountable > consulted > informed)."""
        return strongest_role(self.roles)

    @property
    def role_reason(self) -> tuple[str, Reason]:
        """(change id, the first reason for :attr:`role`)."""
        return next(r for r in self.reasons if r[1].role == self.role)


@dataclass(frozen=True)
class PlannedTest:
    """One regression test of a combined test plan."""

    test: RegressionTest
    changes: tuple[str, ...]
    covers: tuple[str, ...]
    tool_distance: int


def merge_stakeholders(results: Sequence[CheckResult]) -> list[TeamInvolvement]:
    """Every team of every result once: roles, change ids and assets united, sorted like ``check``.

    Teams come in role order (responsible first), then by id.
    """
    teams: dict[str, Team] = {}
    roles: dict[str, set[str]] = {}
    changes: dict[str, set[str]] = {}
    assets: dict[str, set[str]] = {}
    reasons: dict[str, list[tuple[str, Reason]]] = {}
    for result in sorted(results, key=lambda r: r.change.id):
        for s in result.stakeholders:
            tid = s.team.id
            teams[tid] = s.team
            roles.setdefault(tid, set()).update(s.roles)
            changes.setdefault(tid, set()).add(result.change.id)
            assets.setdefault(tid, set()).update(s.assets)
            reasons.setdefault(tid, []).extend((result.change.id, r) for r in s.reasons)
    merged = [
        TeamInvolvement(
            team=teams[tid],
            roles=tuple(r for r in ROLES if r in roles[tid]),
            changes=tuple(sorted(changes[tid])),
            assets=tuple(sorted(assets[tid])),
            reasons=tuple(reasons[tid]),
        )
        for tid in teams
    ]
    merged.sort(key=lambda t: (ROLES.index(t.roles[0]), t.team.id))
    return merged


def merge_tests(results: Sequence[CheckResult]) -> tuple[list[PlannedTest], list[str]]:
    """One test plan for several change requests (nearest first), and the assets no test covers."""
    tests: dict[str, RegressionTest] = {}
    changes: dict[str, set[str]] = {}
    covers: dict[str, dict[str, int]] = {}
    untested: set[str] = set()
    for result in results:
        distance = result.distance_of
        untested.update(result.untested)
        for t in result.tests:
            tid = t.test.id
            tests[tid] = t.test
            changes.setdefault(tid, set()).add(result.change.id)
            seen = covers.setdefault(tid, {})
            for asset in t.covers:
                seen[asset] = min(seen.get(asset, distance[asset]), distance[asset])
    plan = []
    for tid, test in tests.items():
        ordered = tuple(sorted(covers[tid], key=lambda a: (covers[tid][a], a)))
        plan.append(PlannedTest(test, tuple(sorted(changes[tid])), ordered, covers[tid][ordered[0]]))
    plan.sort(key=lambda p: (p.tool_distance, p.test.id))
    return plan, sorted(untested)
