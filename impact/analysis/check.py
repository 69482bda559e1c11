"""``impact check``: what a change reaches, who to involve, what to test.

The use case behind the command, kept apart from the CLI so that releases,
reports and pictures reuse exactly the same answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from impact.analysis.answer import Risk, SignOff, TestCounts, count_tests, risk_of
from impact.analysis.asset_fields import AssetFields
from impact.analysis.raci import Reason as Reason  # re-exported: where callers have always found it
from impact.analysis.raci import Stakeholder as Stakeholder
from impact.analysis.raci import stakeholders_for
from impact.analysis.release_path import ReleasePath, compute_release_path
from impact.core.catalog import Catalog, RegressionTest
from impact.core.distance import DEFAULT_MAX_TOOLS
from impact.graph.depgraph import DependencyGraph, Reach
from impact.load.change import ChangedAsset, ChangeRequest, resolve_change


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
    blocking: bool = False
    """True when the answer should stop the change (exit code 1)."""
    notes: Mapping[tuple[str, str], str | None] = field(default_factory=dict)
    """The note of every dependency on the impacted assets' paths, by ``(upstream, downstream)``."""
    risk: dict[str, Risk] = field(default_factory=dict)
    """Each impacted asset's risk (see :mod:`impact.analysis.answer`)."""
    left_out: list[str] = field(default_factory=list)
    """Assets a value-level change leaves out: they test the changed field only for values it does not name."""
    asset_fields: AssetFields | None = field(default=None, repr=False, compare=False)

    @property
    def fields(self) -> AssetFields:
        """The catalog's asset fields, read without building assets (see :mod:`impact.analysis.asset_fields`)."""
        if self.asset_fields is None:
            self.asset_fields = AssetFields(self.catalog)
        return self.asset_fields

    @property
    def test_counts(self) -> TestCounts:
        return count_tests([(t.test.kind, t.test.minutes) for t in self.tests])

    @property
    def untested_critical(self) -> list[str]:
        """Changed or impacted critical assets that no test covers, in id order."""
        is_critical = self.fields.is_critical
        return [a for a in self.untested if is_critical(a)]

    @cached_property
    def sign_off(self) -> list[SignOff]:
        """The teams that must sign the change off: responsible or accountable ones, then owners of high-risk assets."""
        found: list[SignOff] = []
        seen = set()
        for s in self.stakeholders:
            if s.role in ("responsible", "accountable"):
                found.append(SignOff(s.team.id, s.role))
                seen.add(s.team.id)
        owners: dict[str, int] = defaultdict(int)
        row = self.fields.row
        for r in self.impacted:
            if self.risk.get(r.asset, _NO_RISK).level == "high":
                owners[row(r.asset)[3]] += 1
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
    def path_sentence(self) -> str | None:
        """The release path part of :attr:`verdict`, as a sentence ("The change fits its declared major release path.").
        """
        _, sep, rest = self.verdict.partition(": ")
        return rest[:1].upper() + rest[1:] if sep else None

    @property
    def distance_of(self) -> dict[str, int]:
        found = {c.asset: 0 for c in self.changed}
        found.update({r.asset: r.tool_distance for r in self.impacted})
        return found

    @cached_property
    def systems_reached(self) -> list[str]:
        return sorted(set(self.fields.systems(r.asset for r in self.impacted)))


_NO_RISK = Risk("low", ())


class PathNotes(Mapping[tuple[str, str], str | None]):
    """``(via, asset) → note`` of the dependency by which each impacted asset is reached, read off the search when
    asked.

    Holds what the ``dict`` ``{(r.via, r.asset): r.note for r in impacted if r.via is not None}``
    would, without making it.
    """

    def __init__(self, impacted: Sequence[Reach]) -> None:
        self._impacted = impacted
        self._by_asset: dict[str, Reach] | None = None

    def __getitem__(self, key: tuple[str, str]) -> str | None:
        if self._by_asset is None:
            self._by_asset = {r.asset: r for r in self._impacted}
        via, asset = key
        r = self._by_asset.get(asset)
        if r is None or via is None or r.via != via:
            raise KeyError(key)
        return r.note

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((r.via, r.asset) for r in self._impacted if r.via is not None)

    def __len__(self) -> int:
        return sum(1 for r in self._impacted if r.via is not None)


def risks_for(
    catalog: Catalog, changed: list[ChangedAsset], impacted: list[Reach], fields: AssetFields | None = None
) -> dict[str, Risk]:
    """Each impacted asset's risk, read from the changed asset its why-path starts from.

    The risk depends only on (critical, tool distance, tested, the changed
    asset the path starts from): it is worked out once per such combination
    (a few dozen), not once per asset, and shared.
    """
    action_of = {c.asset: c.action for c in changed}
    tested = catalog.tests_by_asset
    is_critical = (fields or AssetFields(catalog)).is_critical
    root: dict[str, str] = {}
    found = {}
    known: dict[tuple[bool, int, bool, str], Risk] = {}
    # Nearest first: the neighbour toward the change is always settled before.
    for r in impacted:
        aid = r.asset
        via = r.tree.toward.get(aid) or aid  # r.via, read directly (85,000 times)
        start = root.get(via, via)
        root[aid] = start
        key = (is_critical(aid), r.tool_distance, aid in tested, start)
        risk = known.get(key)
        if risk is None:
            level, reasons = risk_of(
                critical=key[0],
                tool_distance=key[1],
                tested=key[2],
                action=action_of.get(start, "modify"),
                source=start,
            )
            risk = known[key] = Risk(level, reasons)
        found[aid] = risk
    return found


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
    touched = {c.asset: c.aspects for c in changed if c.in_catalog}
    impacted = graph.impact_of(touched, max_tools)
    distance_of = {c.asset: 0 for c in changed if c.in_catalog}
    distance_of.update({r.asset: r.tool_distance for r in impacted})
    tests, untested = tests_for(catalog, distance_of)
    fields = AssetFields(catalog)
    fields.learn(graph, impacted)
    release_path = compute_release_path(
        catalog, graph, changed, change.path, known=(max_tools, impacted), fields=fields
    )
    return CheckResult(
        change=change,
        catalog=catalog,
        max_tools=max_tools,
        changed=changed,
        impacted=impacted,
        stakeholders=stakeholders_for(catalog, changed, impacted, fields),
        risk=risks_for(catalog, changed, impacted, fields),
        tests=tests,
        untested=untested,
        release_path=release_path,
        blocking=release_path.too_light,
        # Every path is made of the search tree's edges: one note per impacted
        # asset, never a walk of every path (a 5,000-long chain has 12.5 million steps);
        # the search found each one's note with it.
        notes=PathNotes(impacted),
        left_out=graph.left_out(touched),
        asset_fields=fields,
    )
