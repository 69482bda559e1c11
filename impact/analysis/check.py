"""``impact check``: what a change reaches, who to involve, what to test.

The use case behind the command, kept apart from the CLI so that releases,
reports and pictures reuse exactly the same answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from impact.analysis.answer import ROLES, Risk, SignOff, TestCounts, count_tests, risk_of, strongest_role
from impact.analysis.release_path import ReleasePath, compute_release_path
from impact.core.catalog import Catalog, RegressionTest, Team
from impact.core.distance import DEFAULT_MAX_TOOLS, tools_away
from impact.graph.depgraph import DependencyGraph, Reach
from impact.load.change import ChangedAsset, ChangeRequest, resolve_change


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a team holds a role: which asset brings it in, in a sentence."""

    role: str
    asset: str
    text: str


@dataclass(frozen=True)
class Stakeholder:
    team: Team
    roles: tuple[str, ...]
    assets: tuple[str, ...]
    reasons: tuple[Reason, ...]

    @property
    def role(self) -> str:
        """The strongest of ``roles`` (responsible > accountable > consulted > informed)."""
        return strongest_role(self.roles)

    @property
    def role_reason(self) -> Reason:
        """The first reason for :attr:`role`."""
        return next(r for r in self.reasons if r.role == self.role)


@dataclass(frozen=True)
class TestToRun:
    __test__ = False  # not a pytest class

    test: RegressionTest
    covers: tuple[str, ...]
    """The changed or impacted assets this test covers, nearest first."""
    tool_distance: int


@dataclass
class CheckResult:
    change: ChangeRequest
    catalog: Catalog
    max_tools: int
    changed: list[ChangedAsset]
    impacted: list[Reach]
    stakeholders: list[Stakeholder]
    tests: list[TestToRun]
    untested: list[str]
    release_path: ReleasePath | None = None
    """The path the change declares and the one the catalog's policy says it needs."""
    """Sections added by later analyses (the release path), keyed by JSON name."""
    blocking: bool = False
    """True when the answer should stop the change (exit code 1)."""
    notes: dict[tuple[str, str], str | None] = field(default_factory=dict)
    """The note of every dependency on the impacted assets' paths."""
    risk: dict[str, Risk] = field(default_factory=dict)
    """Each impacted asset's risk (see :mod:`impact.analysis.answer`)."""

    @property
    def test_counts(self) -> TestCounts:
        return count_tests([(t.test.kind, t.test.minutes) for t in self.tests])

    @property
    def untested_critical(self) -> list[str]:
        """Changed or impacted critical assets that no test covers, in id order."""
        assets = self.catalog.assets
        return [a for a in self.untested if a in assets and assets[a].critical]

    @property
    def sign_off(self) -> list[SignOff]:
        """The teams that must sign the change off: responsible or accountable ones, then owners of high-risk assets."""
        found: list[SignOff] = []
        seen = set()
        for s in self.stakeholders:
            if s.role in ("responsible", "accountable"):
                found.append(SignOff(s.team.id, s.role))
                seen.add(s.team.id)
        owners: dict[str, int] = defaultdict(int)
        for r in self.impacted:
            if self.risk.get(r.asset, _NO_RISK).level == "high":
                owners[self.catalog.assets[r.asset].owner] += 1
        for team, n in sorted(owners.items(), key=lambda kv: (-kv[1], kv[0])):
            if team not in seen:
                found.append(SignOff(team, f"owns {n} high-risk asset{'s' if n != 1 else ''}"))
        return found

    @property
    def verdict(self) -> str:
        """Blocking or not, and why, in one line."""
        rp = self.release_path
        if rp is None:
            return "BLOCKING" if self.blocking else "Not blocking."
        if rp.too_light:
            return f"BLOCKING: the declared path {rp.declared} is lighter than the {rp.computed} this change needs."
        if self.blocking:
            return "BLOCKING."
        if rp.declared is None:
            return f"Not blocking: the change needs the {rp.computed} release path (none declared)."
        if rp.declared == rp.computed:
            return f"Not blocking: the change fits its declared {rp.declared} release path."
        return f"Not blocking: declared {rp.declared}, heavier than the {rp.computed} this change needs."

    @property
    def distance_of(self) -> dict[str, int]:
        found = {c.asset: 0 for c in self.changed}
        found.update({r.asset: r.tool_distance for r in self.impacted})
        return found

    @property
    def systems_reached(self) -> list[str]:
        return sorted({self.catalog.assets[r.asset].system for r in self.impacted})


_NO_RISK = Risk("low", ())


def risks_for(catalog: Catalog, changed: list[ChangedAsset], impacted: list[Reach]) -> dict[str, Risk]:
    """Each impacted asset's risk, read from the changed asset its why-path starts from."""
    action_of = {c.asset: c.action for c in changed}
    tested = catalog.tests_by_asset
    assets = catalog.assets
    root: dict[str, str] = {}
    found = {}
    # Nearest first: the neighbour toward the change is always settled before.
    for r in impacted:
        via = r.via or r.asset
        start = root.get(via, via)
        root[r.asset] = start
        asset = assets[r.asset]
        level, reasons = risk_of(
            critical=asset.critical, tool_distance=r.tool_distance, tested=r.asset in tested,
            action=action_of.get(start, "modify"), source=start,
        )  # fmt: skip
        found[r.asset] = Risk(level, reasons)
    return found


def stakeholders_for(catalog: Catalog, changed: list[ChangedAsset], impacted: list[Reach]) -> list[Stakeholder]:
    """Derive RACI from ownership and the consulted/informed lists.

    Owner of a changed asset: responsible; owner of its system: accountable;
    owners of impacted assets and of their systems: consulted; teams listed as
    consulted or informed on any changed or impacted asset, or on its system:
    consulted or informed.
    """
    reasons: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)

    def add(team: str, role: str, asset: str, text: str) -> None:
        reasons[team].setdefault((role, asset), text)

    for item in changed:
        system = catalog.systems[item.system]
        asset = catalog.assets.get(item.asset)
        owner = asset.owner if asset else system.owner
        add(owner, "responsible", item.asset, f"owns {item.asset}, which this change will {item.action}")
        add(system.owner, "accountable", item.asset, f"owns the tool {system.name} ({system.id}), where {item.asset} changes")
        for role in ("consulted", "informed"):
            for team in getattr(system, role):
                add(team, role, item.asset, f"listed as {role} on the tool {system.id}, where {item.asset} changes")
            for team in getattr(asset, role, ()):
                add(team, role, item.asset, f"listed as {role} on {item.asset}, which changes")
    for reach in impacted:
        asset = catalog.assets[reach.asset]
        system = catalog.systems[asset.system]
        away = tools_away(reach.tool_distance, same="in the same tool")
        add(asset.owner, "consulted", asset.id, f"owns {asset.id}, impacted {away}")
        add(system.owner, "consulted", asset.id, f"owns the tool {system.name} ({system.id}), where {asset.id} is impacted")
        for role in ("consulted", "informed"):
            for team in getattr(system, role):
                add(team, role, asset.id, f"listed as {role} on the tool {system.id}, where {asset.id} is impacted")
            for team in getattr(asset, role):
                add(team, role, asset.id, f"listed as {role} on {asset.id}, impacted {away}")

    result = []
    rank = {role: i for i, role in enumerate(ROLES)}
    for team_id, found in reasons.items():
        present = {role for role, _ in found}
        roles = tuple(r for r in ROLES if r in present)
        ordered = sorted(found.items(), key=lambda kv: (rank[kv[0][0]], kv[0][1]))
        result.append(
            Stakeholder(
                team=catalog.teams[team_id],
                roles=roles,
                assets=tuple(sorted({asset for _, asset in found})),
                reasons=tuple(Reason(role, asset, text) for (role, asset), text in ordered),
            )
        )
    result.sort(key=lambda s: (ROLES.index(s.roles[0]), s.team.id))
    return result


def tests_for(catalog: Catalog, distance_of: dict[str, int]) -> tuple[list[TestToRun], list[str]]:
    """Tests covering any changed or impacted asset, nearest first; and the assets no test covers."""
    by_asset = catalog.tests_by_asset
    chosen: dict[str, set[str]] = defaultdict(set)
    untested = []
    for asset in distance_of:
        ids = by_asset.get(asset, ())
        if not ids:
            untested.append(asset)
        for tid in ids:
            chosen[tid].add(asset)
    tests = []
    for tid, assets in chosen.items():
        ordered = tuple(sorted(assets, key=lambda a: (distance_of[a], a)))
        tests.append(TestToRun(catalog.tests[tid], ordered, distance_of[ordered[0]]))
    tests.sort(key=lambda t: (t.tool_distance, t.test.id))
    return tests, sorted(untested)


def check_change(
    catalog: Catalog,
    graph: DependencyGraph,
    change: ChangeRequest,
    max_tools: int = DEFAULT_MAX_TOOLS,
) -> CheckResult:
    """Everything ``impact check`` reports for one change request."""
    changed = resolve_change(change, catalog)
    impacted = graph.impact_of({c.asset: c.aspects for c in changed if c.in_catalog}, max_tools)
    distance_of = {c.asset: 0 for c in changed if c.in_catalog}
    distance_of.update({r.asset: r.tool_distance for r in impacted})
    tests, untested = tests_for(catalog, distance_of)
    release_path = compute_release_path(catalog, graph, changed, change.path, known=(max_tools, impacted))
    return CheckResult(
        change=change,
        catalog=catalog,
        max_tools=max_tools,
        changed=changed,
        impacted=impacted,
        stakeholders=stakeholders_for(catalog, changed, impacted),
        risk=risks_for(catalog, changed, impacted),
        tests=tests,
        untested=untested,
        release_path=release_path,
        blocking=release_path.too_light,
        # Every path is made of the search tree's edges: one note per impacted
        # asset, never a walk of every path (a 5,000-long chain has 12.5 million steps);
        # the search found each one's note with it.
        notes={(r.via, r.asset): r.note for r in impacted if r.via is not None},
    )
