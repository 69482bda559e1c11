"""``impact coverage``: how much of the catalog the regression-test library covers.

Three measures, overall, per team and per tool:

* **assets**: an asset is covered when at least one test lists it in ``covers``;
* **critical assets**: the same, for assets marked ``critical: true``;
* **cross-tool dependencies**: a dependency between two tools is covered when
  one test covers both of its ends, so a test exercises the hand-over itself
  (the place where renames break things). It counts for the downstream
  asset's team and tool, the side that breaks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from impact.core.catalog import Catalog


@dataclass
class Tally:
    """Covered out of total; ``percent`` is 100 when there is nothing to cover."""

    covered: int = 0
    total: int = 0
    missing: list[str] = field(default_factory=list)

    def add(self, item: str, covered: bool) -> None:
        self.total += 1
        if covered:
            self.covered += 1
        else:
            self.missing.append(item)

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else round(100.0 * self.covered / self.total, 1)


MEASURES = ("assets", "critical", "cross_tool")


@dataclass
class Group:
    assets: Tally = field(default_factory=Tally)
    critical: Tally = field(default_factory=Tally)
    cross_tool: Tally = field(default_factory=Tally)


@dataclass
class CoverageResult:
    catalog: Catalog
    overall: Group
    by_team: dict[str, Group]
    by_tool: dict[str, Group]


def coverage(catalog: Catalog) -> CoverageResult:
    """Count covered assets, critical assets and cross-tool dependencies.

    Examples
    --------
    >>> from impact.core.catalog import Asset, Catalog, Dependency, RegressionTest
    >>> assets = {"w:a": Asset("w:a", "w", "a", "folder", "web", critical=True),
    ...           "m:b": Asset("m:b", "m", "b", "list", "ops")}
    >>> tests = {"t": RegressionTest("t", "T", ("w:a",))}
    >>> result = coverage(Catalog("c", {}, {}, assets, [Dependency("w:a", "m:b")], tests))
    >>> result.overall.assets.percent, result.overall.critical.percent, result.overall.cross_tool.missing
    (50.0, 100.0, ['w:a -> m:b'])
    """
    covered_by = catalog.tests_by_asset
    overall = Group()
    by_team: dict[str, Group] = defaultdict(Group)
    by_tool: dict[str, Group] = defaultdict(Group)
    for aid, asset in catalog.assets.items():
        hit = aid in covered_by
        for group in (overall, by_team[asset.owner], by_tool[asset.system]):
            group.assets.add(aid, hit)
            if asset.critical:
                group.critical.add(aid, hit)
    for dep in catalog.dependencies:
        up, down = catalog.assets[dep.upstream], catalog.assets[dep.downstream]
        if up.system == down.system:
            continue
        hit = bool(set(covered_by.get(up.id, ())) & set(covered_by.get(down.id, ())))
        label = f"{up.id} -> {down.id}"
        for group in (overall, by_team[down.owner], by_tool[down.system]):
            group.cross_tool.add(label, hit)
    return CoverageResult(catalog, overall, dict(sorted(by_team.items())), dict(sorted(by_tool.items())))
