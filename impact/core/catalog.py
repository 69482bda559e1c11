"""The merged, checked catalog: plain immutable records, ready for the graph layer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from impact.core.errors import Problem
from impact.core.policy import Policy


@dataclass(frozen=True, slots=True)
class Place:
    """Where something is defined, for messages."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    email: str | None = None
    slack: str | None = None
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class System:
    id: str
    name: str
    owner: str
    kind: str | None = None
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    assets: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Asset:
    id: str
    system: str
    key: str
    type: str
    owner: str
    critical: bool = False
    description: str | None = None
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    name: str | None = None
    """The name people know it by (display name), shown beside the id."""


@dataclass(frozen=True, slots=True)
class Dependency:
    """``downstream`` depends on ``upstream``: a change upstream can break downstream."""

    upstream: str
    downstream: str
    note: str | None = None
    uses: frozenset[str] | None = None
    """What ``downstream`` uses of ``upstream`` (aspects); None: every aspect."""


@dataclass(frozen=True, slots=True)
class RegressionTest:
    id: str
    name: str
    covers: tuple[str, ...]
    owner: str | None = None
    kind: str | None = None
    steps: tuple[str, ...] = ()
    run: str | None = None
    minutes: int | None = None


@dataclass
class Catalog:
    """Everything a catalog directory declares, merged and with every reference checked."""

    root: str
    teams: dict[str, Team]
    systems: dict[str, System]
    assets: dict[str, Asset]
    dependencies: list[Dependency]
    tests: dict[str, RegressionTest]
    policy: Policy | None = None
    places: dict[str, Place] = field(default_factory=dict)
    """``'asset:<id>'``, ``'team:<id>'``, ``'system:<id>'``, ``'test:<id>'`` → where it is defined."""
    warnings: list[Problem] = field(default_factory=list)
    content_key: str | None = field(default=None, compare=False, repr=False)
    """The digest of the catalog's files as the cache knows them (None when it was read without the cache):
    answers worked out from this catalog may be kept under it."""

    @cached_property
    def tests_by_asset(self) -> dict[str, tuple[str, ...]]:
        """Asset id → ids of the tests that cover it, sorted."""
        index: dict[str, list[str]] = defaultdict(list)
        for test in sorted(self.tests.values(), key=lambda t: t.id):
            for asset in test.covers:
                index[asset].append(test.id)
        return {asset: tuple(ids) for asset, ids in index.items()}
