"""The catalog's rules across files: merging records, every problem reported with its place.

The rules: an id (team, system, asset, test) is defined once; the policy is
defined once; an owner, a consulted or informed team is a team of the
catalog; a dependency or a test's ``covers`` names an asset of the catalog;
no asset depends on itself. :func:`merge` applies them in file order and
reports each broken rule with the same message and place whatever path the
catalog took (the snapshot's :func:`~impact.store.snapshot.assemble` only
detects that some rule is broken, and leaves the telling to this module).
"""

from __future__ import annotations

from typing import Any

from impact.core.catalog import Place, RegressionTest, System, Team
from impact.core.errors import ProblemList
from impact.core.ids import suggest
from impact.read.records import Record, definition_path, dependencies

# --- a record standing in for a parsed file (the loader's error path) ---------


class RecordDoc:
    """Stands for the parsed file of a valid record, to locate a reference found wrong.

    Definitions are located from the record itself; a reference is located
    by parsing the file precisely, once, when first asked (most files never
    are): the place is then exactly the one the parser gives.
    """

    def __init__(self, file: str, raw: bytes, record: Record) -> None:
        self.file = file
        self.raw = raw
        self.record = record
        self._doc: Any = None

    def locate(self, path: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
        if self._doc is None:
            from impact.read.yamlio import parse_yaml

            self._doc = parse_yaml(self.raw, self.file)
        return self._doc.locate(path, key=key)  # type: ignore[no-any-return]


# --- records -> merged catalog, every problem reported or the first one raised --


class BrokenRule(Exception):
    """Something the ordinary loader reports as an error: leave it to that path."""


def merge(records: list[Record], report: Reporter | None = None) -> dict[str, Any]:
    """Merge records in file order exactly as the loader always has.

    Without ``report`` (the cache's path, for a catalog expected to be
    valid), the first error raises :class:`BrokenRule`. With it, every error
    is reported, with the same message and place as ever, and the merge goes
    on without the offending entry, so every problem is found at once.
    Places are kept as ``(file index, line, col)``; a reference is located
    only when it is reported (most never are).
    """
    teams: dict[str, Team] = {}
    systems: dict[str, System] = {}
    assets: dict[str, tuple[Any, ...]] = {}
    tests: dict[str, RegressionTest] = {}
    edges: dict[tuple[str, str], str | None] = {}
    places: dict[str, tuple[int, int, int]] = {}
    team_refs: set[str] = set()
    asset_refs: set[str] = set()
    policy = policy_fi = None
    self_deps: set[str] = set()

    def define(kind: str, ident: str, where: tuple[int, int, int]) -> bool:
        key = f"{kind}:{ident}"
        first = places.get(key)
        if first is not None:
            if report is None:
                raise BrokenRule(key)
            first_at = report.place(report.found(first, key))
            report.error(report.found(where, key), f"{kind} {ident!r} is defined twice; the first is at {first_at}")
            return False
        places[key] = where
        return True

    for fi, record in enumerate(records):
        f_teams, f_systems, f_tests, f_policy, _edges = record
        for tid, name, email, slack, members, line, col in f_teams:
            if define("team", tid, (fi, line, col)):
                teams[tid] = Team(tid, name, email, slack, members)
        for (sid, name, owner, kind, consulted, informed, line, col, f_assets), f_deps in zip(f_systems, dependencies(record)):
            if not define("system", sid, (fi, line, col)):
                continue
            team_refs.add(owner)
            team_refs.update(consulted)
            team_refs.update(informed)
            ids = []
            for (key, atype, aowner, critical, desc, aconsulted, ainformed, aline, acol, _span), deps in zip(f_assets, f_deps):
                aid = f"{sid}:{key}"
                pkey = "asset:" + aid  # define(), inlined: this loop runs once per asset
                if pkey in places and not define("asset", aid, (fi, aline, acol)):
                    continue
                places[pkey] = (fi, aline, acol)
                ids.append(aid)
                if aowner:
                    team_refs.add(aowner)
                if aconsulted or ainformed:
                    team_refs.update(aconsulted, ainformed)
                assets[aid] = (
                    sid, key, atype, aowner or owner, critical, desc,
                    tuple(dict.fromkeys(aconsulted)), tuple(dict.fromkeys(ainformed)), fi, aline, acol,
                )  # fmt: skip
                for feeds, other, note in deps:
                    pair = (aid, other) if feeds else (other, aid)
                    if pair[0] == pair[1]:
                        if report is None:
                            raise BrokenRule(aid)
                        if aid not in self_deps:  # every such entry of this asset, each at its place
                            self_deps.add(aid)
                            for field, i in _self_dependencies(aid, deps):
                                where = report.locate(fi, ("systems", sid, "assets", key, field, i))
                                report.error(where, f"asset {aid!r} cannot depend on itself")
                        continue
                    asset_refs.add(other)
                    known = edges.get(pair, False)
                    if known is False or (known is None and note):
                        edges[pair] = note
            systems[sid] = System(sid, name, owner, kind, tuple(dict.fromkeys(consulted)), tuple(dict.fromkeys(informed)), tuple(ids))
        for tid, name, covers, owner, tkind, steps, run, minutes, line, col in f_tests:
            if not define("test", tid, (fi, line, col)):
                continue
            tests[tid] = RegressionTest(tid, name, tuple(dict.fromkeys(covers)), owner, tkind, steps, run, minutes)
            asset_refs.update(covers)
            if owner:
                team_refs.add(owner)
        if f_policy is not None:
            if policy is not None:
                if report is None:
                    raise BrokenRule("policy")
                assert policy_fi is not None
                first = report.place(report.found((policy_fi, policy[1], policy[2]), "policy"))
                second = report.found((fi, f_policy[1], f_policy[2]), "policy")
                report.error(second, f"the policy is defined twice; the first is at {first}")
            else:
                policy, policy_fi = f_policy, fi
    merged = {"teams": teams, "systems": systems, "assets": assets, "tests": tests, "edges": edges, "places": places, "policy": policy}
    if not team_refs.issubset(teams) or not asset_refs.issubset(assets):
        if report is None:
            raise BrokenRule("reference")
        _report_references(records, merged, report)
    return merged


def _self_dependencies(aid: str, deps: tuple[Any, ...]) -> list[tuple[str, int]]:
    """Where an asset's dependencies on itself are: ``(field, index)`` in its entry."""
    found = []
    for feeds, field in ((False, "depends_on"), (True, "feeds")):
        found += [(field, i) for i, other in enumerate(d[1] for d in deps if d[0] == feeds) if other == aid]
    return found


class Reporter:
    """Reports the merge's errors: file indices turned into names, references located on demand.

    ``locators[i]`` is the parsed file ``i`` (a ``YamlDoc``) or a
    :class:`RecordDoc`, which parses its file only when first asked.
    """

    def __init__(self, names: list[str], locators: list[Any], problems: ProblemList) -> None:
        self.names = names
        self.locators = locators
        self.problems = problems

    def place(self, where: tuple[int, int, int]) -> Place:
        return Place(self.names[where[0]], where[1], where[2])

    def found(self, where: tuple[int, int, int], key: str) -> tuple[int, int, int]:
        """``where`` of the definition ``key``, its place found if not known (line 0)."""
        return where if where[1] else self.locate(where[0], definition_path(key), key=True)

    def locate(self, fi: int, path: tuple[Any, ...], *, key: bool = False) -> tuple[int, int, int]:
        line, col = self.locators[fi].locate(path, key=key)
        return (fi, line, col)

    def error(self, where: tuple[int, int, int], message: str) -> None:
        self.problems.error(self.names[where[0]], where[1], where[2], message)


def _report_references(records: list[Record], merged: dict[str, Any], report: Reporter) -> None:
    """Report every reference to a team or asset that does not exist, as the loader always has.

    Walks the records again, visiting only the entries the merge kept (those
    whose place is their own), and locates each bad reference in its file.
    """
    teams, systems, assets, places = merged["teams"], merged["systems"], merged["assets"], merged["places"]
    known_invalid = report.problems.known_invalid

    def check(kind: str, ident: str, fi: int, path: tuple[Any, ...], context: str) -> None:
        if ident in (teams if kind == "team" else assets) or f"{kind}:{ident}" in known_invalid:
            return
        message = f"{context} {ident!r}, which is not {'an asset' if kind == 'asset' else 'a team'} of this catalog"
        hint = suggest(kind, ident, teams, systems, assets)
        report.error(report.locate(fi, path), message + (f"; did you mean {hint!r}?" if hint else ""))

    for fi, record in enumerate(records):
        _teams, f_systems, f_tests, _policy, _edges = record
        for (sid, _name, owner, _kind, consulted, informed, line, col, f_assets), f_deps in zip(f_systems, dependencies(record)):
            if places.get(f"system:{sid}") != (fi, line, col):
                continue
            base = ("systems", sid)
            check("team", owner, fi, (*base, "owner"), f"system {sid!r} owner")
            for role, members in (("consulted", consulted), ("informed", informed)):
                for i, team in enumerate(members):
                    check("team", team, fi, (*base, role, i), f"system {sid!r} {role}")
            for (key, _type, aowner, _crit, _desc, aconsulted, ainformed, aline, acol, _span), deps in zip(f_assets, f_deps):
                aid = f"{sid}:{key}"
                if places.get(f"asset:{aid}") != (fi, aline, acol):
                    continue
                apath = (*base, "assets", key)
                if aowner:
                    check("team", aowner, fi, (*apath, "owner"), f"asset {aid!r} owner")
                for role, members in (("consulted", aconsulted), ("informed", ainformed)):
                    for i, team in enumerate(members):
                        check("team", team, fi, (*apath, role, i), f"asset {aid!r} {role}")
                for feeds, field in ((False, "depends_on"), (True, "feeds")):
                    for i, other in enumerate(d[1] for d in deps if d[0] == feeds):
                        if other != aid:  # a dependency on itself was reported by the merge
                            check("asset", other, fi, (*apath, field, i), f"asset {aid!r} {field}")
        for tid, _name, covers, owner, *_rest, line, col in f_tests:
            if places.get(f"test:{tid}") != (fi, line, col):
                continue
            for i, asset in enumerate(covers):
                check("asset", asset, fi, ("tests", tid, "covers", i), f"test {tid!r} covers")
            if owner:
                check("team", owner, fi, ("tests", tid, "owner"), f"test {tid!r} owner")
