"""Release bundles: what ships in a release, what is held back, and why.

A release is the set of change requests whose ``release:`` names it. A change
request of the release ships only when all of these hold:

1. its status is ``approved``;
2. its declared path (``path:``) is not lighter than the path it needs;
3. it has no ``same-asset`` conflict with a change request that is not
   approved (in any release, or in none): unfinished work never rides along;
4. its impact does not reach an asset that a change request that is not
   approved changes (a ``downstream`` conflict *from* it): a later,
   unfinished change depends on what it touches;
5. what the catalog's ``policy: ready:`` asks is there: sign-offs, steps
   and test results (see :mod:`impact.analysis.readiness`).

A ``downstream`` conflict the other way (an unfinished change reaches what
this one changes) does not hold it back: it is listed, so that the later
change retests it. Released change requests are done and never conflict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from impact.analysis.check import CheckResult, check_change
from impact.analysis.conflicts import BLOCKING_KINDS, Conflict, find_conflicts
from impact.analysis.decision import Decision, decide
from impact.analysis.readiness import Missing
from impact.analysis.stakeholder_lists import (
    PlannedTest,
    TeamInvolvement,
    merge_stakeholders,
    merge_tests,
)
from impact.core.catalog import Catalog
from impact.core.distance import DEFAULT_MAX_TOOLS
from impact.core.errors import ImpactError, ProblemList
from impact.graph.depgraph import DependencyGraph
from impact.load.change import (
    ChangeRequest,
)
from impact.load.release_file import Release

SHOWN = 3


@dataclass(frozen=True)
class Held:
    """A change request of the release that does not ship, with every reason."""

    result: CheckResult
    reasons: tuple[str, ...]
    decision: Decision | None = None
    """The one verdict (see :mod:`impact.analysis.decision`): ``reasons`` are its missing things' lines."""


@dataclass
class ReleaseResult:
    """The answer of ``impact release check``."""

    release_id: str
    meta: Release | None
    ships: list[CheckResult]
    held: list[Held]
    released: list[CheckResult]
    """Change requests of the release whose status is already ``released``."""
    conflicts: list[Conflict]
    """Every conflict that involves a change request of the release."""
    stakeholders: list[TeamInvolvement]
    """The teams of what ships."""
    tests: list[PlannedTest]
    """The combined test plan of what ships."""
    untested: list[str]
    decisions: dict[str, Decision] = field(default_factory=dict)
    """The verdict of every change request of the release that is not released, by id."""

    @property
    def blocking(self) -> bool:
        """True when something is held back (exit code 1)."""
        return bool(self.held)


def _named(items: Sequence[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def _describe(change: ChangeRequest, release_id: str) -> str:
    status = f"status {change.status}" if change.status else "no status"
    if change.release == release_id:
        where = "same release"
    elif change.release:
        where = f"release {change.release}"
    else:
        where = "no release"
    return f"{change.id} ({status}, {where})"


def conflict_missing(
    result: CheckResult, by_id: dict[str, CheckResult], conflicts: Sequence[Conflict], release_id: str
) -> list[Missing]:
    """The unapproved change requests that hold one change request of a release back, one line each."""
    change = result.change
    found = []
    for conflict in conflicts:
        if conflict.kind not in BLOCKING_KINDS or not conflict.involves(change.id):
            continue
        other = by_id[conflict.other(change.id)].change
        if other.status == "approved":
            continue
        assets = _named(conflict.assets)
        if conflict.kind == "same-asset":
            what = (
                f"{_describe(other, release_id)} also changes {assets} and is not approved: "
                "its unfinished work would ship along"
            )
        elif conflict.first == change.id:
            what = (
                f"its impact reaches {assets}, which {_describe(other, release_id)} changes; "
                "that change is not approved and depends on what this one touches: "
                f"ship them together, or this one once {other.id} is approved"
            )
        else:
            continue
        found.append(Missing("conflicts", what, other.id))
    return found


def hold_reasons(
    result: CheckResult, by_id: dict[str, CheckResult], conflicts: Sequence[Conflict], release_id: str
) -> list[str]:
    """Why one change request of a release does not ship (empty: it ships): see :func:`impact.analysis.decision.decide`.
    """
    return [m.what for m in decide(result, conflict_missing(result, by_id, conflicts, release_id)).missing]


def hold_reasons_alone(result: CheckResult) -> list[str]:
    """Why one change request, looked at on its own, would not ship (empty: it would).

    The release rule without the other change requests: its status is
    ``approved``, its declared path is not lighter than the one it needs,
    and what the catalog's ``policy: ready:`` asks is there. A change in
    ``build`` or ``qa`` never ships. Whether unfinished work rides along
    needs the other change requests: ``impact release check``.
    """
    return [m.what for m in decide(result).missing]


def check_release(
    catalog: Catalog,
    graph: DependencyGraph,
    changes: Sequence[ChangeRequest],
    release_id: str,
    releases_meta: dict[str, Release],
    max_tools: int = DEFAULT_MAX_TOOLS,
) -> ReleaseResult:
    """What ships in ``release_id`` and what is held back, with reasons, conflicts,
    the combined test plan and the stakeholders of what ships.

    ``changes`` are all the change requests known (every release, and none):
    conflicts with change requests of other releases count.
    """
    check_release_meta(catalog, releases_meta)
    known = sorted({c.release for c in changes if c.release} | set(releases_meta))
    if release_id not in known:
        raise ImpactError(
            f"no change request names release {release_id!r} and there is no release file for it; "
            f"releases: {', '.join(known) or 'none'}"
        )
    results = {c.id: check_change(catalog, graph, c, max_tools) for c in sorted(changes, key=lambda c: c.id)}
    active = [r for r in results.values() if r.change.status != "released"]
    conflicts = find_conflicts(active)
    members = [r for r in results.values() if r.change.release == release_id]
    ships, held, released = [], [], []
    decisions: dict[str, Decision] = {}
    for result in members:
        if result.change.status == "released":
            released.append(result)
            continue
        decision = decide(result, conflict_missing(result, results, conflicts, release_id))
        decisions[result.change.id] = decision
        if decision.missing:
            held.append(Held(result, tuple(m.what for m in decision.missing), decision))
        else:
            ships.append(result)
    member_ids = {r.change.id for r in members}
    tests, untested = merge_tests(ships)
    return ReleaseResult(
        release_id=release_id,
        meta=releases_meta.get(release_id),
        ships=ships,
        held=held,
        released=released,
        conflicts=[c for c in conflicts if c.first in member_ids or c.second in member_ids],
        stakeholders=merge_stakeholders(ships),
        tests=tests,
        untested=untested,
        decisions=decisions,
    )


def check_release_meta(catalog: Catalog, releases_meta: dict[str, Release]) -> None:
    """Release owners must be teams of the catalog."""
    problems = ProblemList()
    for release in releases_meta.values():
        if release.owner and release.owner not in catalog.teams and release.owner_place:
            p = release.owner_place
            problems.error(
                p.file,
                p.line,
                p.col,
                f"owner {release.owner!r} is not a team of the catalog in {catalog.root.rstrip('/')}/",
            )
    problems.raise_if_errors()


def waiting_for(
    change_id: str, conflicts: Sequence[Conflict], known: Mapping[str, ChangeRequest]
) -> list[dict[str, Any]]:
    """The unfinished change requests a held change request waits for, by id.

    The same rule as the release check's: a change request that is not
    approved and changes an asset this one changes (``same-asset``), or that
    changes an asset this one's impact reaches (``downstream`` from this one).
    Change requests not in ``known`` are left out (their status is unknown).
    """
    found: dict[str, dict[str, Any]] = {}
    for conflict in conflicts:
        if conflict.kind not in BLOCKING_KINDS or not conflict.involves(change_id):
            continue
        if conflict.kind == "downstream" and conflict.first != change_id:
            continue
        other = known.get(conflict.other(change_id))
        if other is None or other.status == "approved":
            continue
        entry = found.setdefault(
            other.id,
            {
                "change": other.id,
                "title": other.title,
                "status": other.status,
                "release": other.release,
                "kinds": [],
                "assets": [],
            },
        )
        entry["kinds"] = sorted({*entry["kinds"], conflict.kind})
        entry["assets"] = sorted({*entry["assets"], *conflict.assets})
    return [found[k] for k in sorted(found)]
