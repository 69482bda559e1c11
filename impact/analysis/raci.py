"""Who to involve in a change (RACI), and why: one reason per team, role and asset.

Owner of a changed asset: responsible; owner of its system: accountable;
owners of impacted assets and of their systems: consulted; teams listed as
consulted or informed on any changed or impacted asset, or on its system:
consulted or informed. When several rules give a team the same role on the
same asset, the reason is the first rule's, in this order: the changed
assets (as the change file lists them), then for an impacted asset: its
owner, its system's owner, the teams listed on its system, the teams listed
on the asset.

A change that reaches 85,000 assets gives some teams 85,000 reasons each;
:func:`stakeholders_for` groups the impacted assets by owner and by system
and keeps, per team and role, which rule brought each asset in. The
sentences are written only when read (:class:`Reasons`): a text answer reads
one per team, a JSON answer reads them all while it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import overload

from impact.analysis.answer import ROLES, strongest_role
from impact.analysis.asset_fields import AssetFields, Row
from impact.core.catalog import Catalog, Team
from impact.core.distance import tools_away
from impact.graph.depgraph import Reach
from impact.load.change import ChangedAsset


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
    reasons: Sequence[Reason]
    """By role (strongest first), then asset id."""

    @property
    def role(self) -> str:
        """The strongest of ``roles`` (responsible > accountable > consulted > informed)."""
        return strongest_role(self.roles)

    @property
    def role_reason(self) -> Reason:
        """The first reason for :attr:`role`."""
        return next(r for r in self.reasons if r.role == self.role)


Why = str | tuple[str, str, bool]
"""A reason's sentence, or how it is made: ``(before, after, far)`` gives ``before + asset + after``, then, if ``far``,
how far the asset is.
"""

Segment = tuple[str, list[str], dict[str, Why]]
"""``(role, asset ids in order, asset id → why)``: a team's reasons for one role."""


class Reasons(Sequence[Reason]):
    """A team's reasons, by role then asset id, each :class:`Reason` made when read.

    Equal to the tuple of the same reasons.
    """

    __slots__ = ("_distance", "_length", "_segments", "_words")

    def __init__(self, segments: list[Segment], distance: Mapping[str, int], words: Mapping[int, str]) -> None:
        self._segments = segments
        self._distance = distance  # asset id -> its tool distance
        self._words = words  # tool distance -> in words
        self._length = sum(len(assets) for _, assets, _ in segments)

    def dicts(self) -> list[dict[str, str]]:
        """``{"role", "asset", "reason"}`` of every reason, in order (the JSON answer's; made in one tight loop)."""
        distance, words = self._distance, self._words
        found: list[dict[str, str]] = []
        add = found.append
        for role, assets, whys in self._segments:
            for asset in assets:
                why = whys[asset]
                if isinstance(why, str):
                    add({"role": role, "asset": asset, "reason": why})
                else:
                    before, after, far = why
                    add(
                        {
                            "role": role,
                            "asset": asset,
                            "reason": before + asset + after + words[distance[asset]]
                            if far
                            else before + asset + after,
                        }
                    )
        return found

    def _text(self, why: Why, asset: str) -> str:
        if isinstance(why, str):
            return why
        before, after, far = why
        return before + asset + after + self._words[self._distance[asset]] if far else before + asset + after

    def triples(self) -> Iterator[tuple[str, str, str]]:
        """``(role, asset, text)`` of every reason, in order, without making :class:`Reason` records."""
        distance, words = self._distance, self._words
        for role, assets, whys in self._segments:
            for asset in assets:
                why = whys[asset]
                if isinstance(why, str):
                    yield role, asset, why
                else:
                    before, after, far = why
                    yield (
                        role,
                        asset,
                        before + asset + after + words[distance[asset]] if far else before + asset + after,
                    )

    def __iter__(self) -> Iterator[Reason]:
        for role, asset, text in self.triples():
            yield Reason(role, asset, text)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, i: int) -> Reason: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Reason, ...]: ...
    def __getitem__(self, i: int | slice) -> Reason | tuple[Reason, ...]:
        if isinstance(i, slice):
            return tuple(self)[i]
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError(i)
        for role, assets, why in self._segments:
            if i < len(assets):
                return Reason(role, assets[i], self._text(why[assets[i]], assets[i]))
            i -= len(assets)
        raise AssertionError("unreachable")  # pragma: no cover

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Reasons({tuple(self)!r})"


def reason_dicts(reasons: Sequence[Reason]) -> list[dict[str, str]]:
    """``{"role", "asset", "reason"}`` of each reason (see :meth:`Reasons.dicts`)."""
    if isinstance(reasons, Reasons):
        return reasons.dicts()
    return [{"role": r.role, "asset": r.asset, "reason": r.text} for r in reasons]


def reason_triples(reasons: Sequence[Reason]) -> Iterator[tuple[str, str, str]]:
    """``(role, asset, text)`` of each reason (without making records when they are :class:`Reasons`)."""
    if isinstance(reasons, Reasons):
        return reasons.triples()
    return ((r.role, r.asset, r.text) for r in reasons)


def stakeholders_for(
    catalog: Catalog, changed: list[ChangedAsset], impacted: list[Reach], fields: AssetFields | None = None
) -> list[Stakeholder]:
    """Derive RACI from ownership and the consulted/informed lists (see the module's rules)."""
    early = _changed_sentences(catalog, changed)
    distance = {r.asset: r.tool_distance for r in impacted}
    whys = _impacted_whys(catalog, (fields or AssetFields(catalog)).row, distance)
    words = {d: tools_away(d, same="in the same tool") for d in set(distance.values())}
    result = [
        _stakeholder(catalog, team_id, early.get(team_id, {}), whys, distance, words)
        for team_id in {**early, **whys["consulted"], **whys["informed"]}
    ]
    result.sort(key=lambda s: (ROLES.index(s.roles[0]), s.team.id))
    return result


def _changed_sentences(catalog: Catalog, changed: list[ChangedAsset]) -> dict[str, dict[tuple[str, str], str]]:
    """team -> (role, asset) -> sentence, for the changed assets (few): each keeps its first sentence."""
    systems = catalog.systems
    early: dict[str, dict[tuple[str, str], str]] = {}

    def add(team: str, role: str, asset: str, text: str) -> None:
        early.setdefault(team, {}).setdefault((role, asset), text)

    for item in changed:
        system = systems[item.system]
        asset = catalog.assets.get(item.asset)
        owner = asset.owner if asset else system.owner
        add(owner, "responsible", item.asset, f"owns {item.asset}, which this change will {item.action}")
        add(
            system.owner,
            "accountable",
            item.asset,
            f"owns the tool {system.name} ({system.id}), where {item.asset} changes",
        )
        for role in ("consulted", "informed"):
            for team in getattr(system, role):
                add(team, role, item.asset, f"listed as {role} on the tool {system.id}, where {item.asset} changes")
            for team in getattr(asset, role, ()):
                add(team, role, item.asset, f"listed as {role} on {item.asset}, which changes")
    return early


def _impacted_groups(
    row: Callable[[str], Row], distance: dict[str, int]
) -> tuple[dict[str, list[str]], dict[str, list[str]], list[tuple[str, tuple[str, ...], tuple[str, ...]]]]:
    """The impacted assets, in id order, by owner and by system; and those that list teams consulted or informed."""
    by_owner: dict[str, list[str]] = {}
    by_system: dict[str, list[str]] = {}
    listed: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
    for aid in sorted(distance):
        _, system_id, _, owner, _, consulted, informed = row(aid)
        group = by_owner.get(owner)
        if group is None:
            by_owner[owner] = [aid]
        else:
            group.append(aid)
        group = by_system.get(system_id)
        if group is None:
            by_system[system_id] = [aid]
        else:
            group.append(aid)
        if consulted or informed:
            listed.append((aid, consulted, informed))
    return by_owner, by_system, listed


def _impacted_whys(
    catalog: Catalog, row: Callable[[str], Row], distance: dict[str, int]
) -> dict[str, dict[str, dict[str, Why]]]:
    """role -> team -> impacted asset -> why, for the roles consulted and informed."""
    by_owner, by_system, listed = _impacted_groups(row, distance)
    # The last rule first, so that an earlier one overwrites it.
    whys: dict[str, dict[str, dict[str, Why]]] = {"consulted": {}, "informed": {}}
    for aid, consulted, informed in listed:
        for role, teams in (("consulted", consulted), ("informed", informed)):
            for team in teams:
                whys[role].setdefault(team, {})[aid] = (f"listed as {role} on ", ", impacted ", True)
    tools = [(catalog.systems[sid], group) for sid, group in by_system.items()]
    for system, group in tools:
        for role in ("consulted", "informed"):
            why: Why = (f"listed as {role} on the tool {system.id}, where ", " is impacted", False)
            for team in getattr(system, role):
                whys[role].setdefault(team, {}).update(dict.fromkeys(group, why))
    consulted_why = whys["consulted"]
    for system, group in tools:
        why = (f"owns the tool {system.name} ({system.id}), where ", " is impacted", False)
        consulted_why.setdefault(system.owner, {}).update(dict.fromkeys(group, why))
    for owner, group in by_owner.items():
        consulted_why.setdefault(owner, {}).update(dict.fromkeys(group, ("owns ", ", impacted ", True)))
    return whys


def _stakeholder(
    catalog: Catalog,
    team_id: str,
    first: dict[tuple[str, str], str],
    whys: dict[str, dict[str, dict[str, Why]]],
    distance: dict[str, int],
    words: dict[int, str],
) -> Stakeholder:
    """One team's roles and reasons: ``first`` its sentences about the changed assets, ``whys`` about the impacted."""
    segments: list[Segment] = []
    for role in ROLES:
        found: dict[str, Why] = whys[role].get(team_id, {}) if role in whys else {}
        found.update({asset: sentence for (r, asset), sentence in first.items() if r == role})
        if found:
            segments.append((role, sorted(found), found))
    every: dict[str, None] = {}
    for _, assets, _ in segments:
        every.update(dict.fromkeys(assets))
    return Stakeholder(
        team=catalog.teams[team_id],
        roles=tuple(role for role, _, _ in segments),
        assets=tuple(sorted(every)),
        reasons=Reasons(segments, distance, words),
    )
