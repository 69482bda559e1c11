"""The catalog's rules across files: merging records, every problem reported with its place.

The rules: an id (team, system, asset, test) is defined once; the policy is
defined once; an owner, a consulted or informed team is a team of the
catalog; a dependency or a test's ``covers`` names an asset of the catalog;
no asset depends on itself. :func:`merge` applies them in file order and
reports each broken rule with the same message and place whatever path the
catalog took (the snapshot's :func:`~impact.store.snapshot_build.assemble` only
detects that some rule is broken, and leaves the telling to this module).
"""

from __future__ import annotations

import re
from typing import Any

from impact.core.aspects import merge_uses
from impact.core.catalog import Place, RegressionTest, System, Team
from impact.core.errors import FOLLOW_ON, ROOT_CAUSE, ProblemList
from impact.core.ids import Suggester, suggest, team_list
from impact.read.definition_places import definition_path
from impact.read.records import FileRecord, PolicyRow, dependencies, links

# --- a record standing in for a parsed file (the loader's error path) ---------


class DeferredYamlDoc:
    """Stands for the parsed file of a valid record, to locate a reference found wrong.

    Definitions are located from the record itself; a reference is located
    by parsing the file precisely, once, when first asked (most files never
    are): the place is then exactly the one the parser gives.
    """

    def __init__(self, file: str, raw: bytes, record: FileRecord) -> None:
        self.file = file
        self.raw = raw
        self.record = record
        self._doc: Any = None

    def locate(self, path: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
        if self._doc is None:
            from impact.read.yamlio import parse_yaml  # PyYAML only when a reference must be located (start-up time)

            self._doc = parse_yaml(self.raw, self.file)
        return self._doc.locate(path, key=key)  # type: ignore[no-any-return]


# --- records -> merged catalog, every problem reported or the first one raised --


class BrokenRule(Exception):
    """Something the ordinary loader reports as an error: leave it to that path."""


def merge(records: list[FileRecord], report: Reporter | None = None) -> dict[str, Any]:
    """Merge records in file order exactly as the loader always has.

    Without ``report`` (the cache's path, for a catalog expected to be
    valid), the first error raises :class:`BrokenRule`. With it, every error
    is reported, with the same message and place as ever, and the merge goes
    on without the offending entry, so every problem is found at once.
    Places are kept as ``(file index, line, col)``; a reference is located
    only when it is reported (most never are).
    """
    m = _Merge(report)
    for fi, record in enumerate(records):
        m.add(fi, record)
    merged = {
        "teams": m.teams, "systems": m.systems, "assets": m.assets, "tests": m.tests, "edges": m.edges,
        "places": m.places, "policy": m.policy, "records": records,
        "uses": {pair: found for pair, found in m.edge_uses.items() if found is not None},
    }  # fmt: skip
    if not m.team_refs.issubset(m.teams) or not m.asset_refs.issubset(m.assets):
        if report is None:
            raise BrokenRule("reference")
        _report_references(records, merged, report)
    return merged


def _add_links(
    record: FileRecord,
    fi: int,
    edges: dict[tuple[str, str], str | None],
    edge_uses: dict[tuple[str, str], frozenset[str] | None],
    asset_refs: set[str],
    report: Reporter | None,
) -> None:
    """The file's ``links:`` as dependencies, merged as an asset's own ``depends_on`` are."""
    for i, (down, up, note, uses) in enumerate(links(record)):
        if up == down:
            if report is None:
                raise BrokenRule(down)
            report.error(
                report.locate(fi, ("links", i, "depends_on")), f"link {i + 1}: asset {down!r} cannot depend on itself"
            )
            continue
        asset_refs.update((up, down))
        pair = (up, down)
        known = edges.get(pair, False)
        if known is False or (known is None and note):
            edges[pair] = note
        said = frozenset(uses) if uses is not None else None
        edge_uses[pair] = merge_uses(edge_uses[pair], said) if pair in edge_uses else said


def _link_ends(record: FileRecord) -> list[tuple[int, str, str]]:
    """``(index, field, asset id)`` of both ends of each of a file's links (a link to itself: the merge reports it)."""
    return [
        (i, f, ident)
        for i, (down, up, _n, _u) in enumerate(links(record))
        if up != down
        for f, ident in (("asset", down), ("depends_on", up))
    ]


class _Merge:
    """What :func:`merge` has met so far, and the rules it applies as it meets each definition."""

    def __init__(self, report: Reporter | None) -> None:
        self.report = report
        self.teams: dict[str, Team] = {}
        self.systems: dict[str, System] = {}
        self.assets: dict[str, tuple[int, int, int]] = {}  # asset id -> (file, system, position) in the records
        self.tests: dict[str, RegressionTest] = {}
        self.edges: dict[tuple[str, str], str | None] = {}
        self.edge_uses: dict[tuple[str, str], frozenset[str] | None] = {}  # see impact.core.aspects.merge_uses()
        self.places: dict[str, tuple[int, int, int]] = {}
        self.team_refs: set[str] = set()
        self.asset_refs: set[str] = set()
        self.policy: PolicyRow | None = None
        self.policy_fi: int | None = None
        self.self_deps: set[str] = set()

    def define(self, kind: str, ident: str, where: tuple[int, int, int]) -> bool:
        key = f"{kind}:{ident}"
        first = self.places.get(key)
        if first is not None:
            report = self.report
            if report is None:
                raise BrokenRule(key)
            first_at = report.place(report.found(first, key))
            report.error(
                report.found(where, key),
                f"{kind} {ident!r} is defined twice; the first is at {first_at}",
                ROOT_CAUSE if kind == "system" else FOLLOW_ON,
            )
            return False
        self.places[key] = where
        return True

    def add(self, fi: int, record: FileRecord) -> None:
        for team in record.teams:
            if self.define("team", team.id, (fi, team.line, team.col)):
                self.teams[team.id] = Team(team.id, team.name, team.email, team.slack, team.members)
        for si, (system, f_deps) in enumerate(zip(record.systems, dependencies(record))):
            self._add_system(fi, si, system, f_deps)
        _add_links(record, fi, self.edges, self.edge_uses, self.asset_refs, self.report)
        for t in record.tests:
            if not self.define("test", t.id, (fi, t.line, t.col)):
                continue
            covers = tuple(dict.fromkeys(t.covers))
            self.tests[t.id] = RegressionTest(t.id, t.name, covers, t.owner, t.kind, t.steps, t.run, t.minutes)
            self.asset_refs.update(t.covers)
            if t.owner:
                self.team_refs.add(t.owner)
        if record.policy is not None:
            self._add_policy(fi, record.policy)

    def _add_system(self, fi: int, si: int, system: Any, f_deps: list[Any]) -> None:
        sid, owner, report = system.id, system.owner, self.report
        if not self.define("system", sid, (fi, system.line, system.col)):
            if report is not None:  # its assets exist somewhere: links to them are follow-on errors
                at = report.place(report.found((fi, system.line, system.col), f"system:{sid}"))
                for key in system.assets.keys:
                    report.shadowed.setdefault(f"{sid}:{key}", (at.file, at.line, at.col))
            return
        places, team_refs, assets = self.places, self.team_refs, self.assets
        team_refs.add(owner)
        team_refs.update(system.consulted)
        team_refs.update(system.informed)
        ids = []
        a = system.assets
        for ai, (key, aowner, aconsulted, ainformed, aline, acol, deps) in enumerate(
            zip(a.keys, a.owners, a.consulted, a.informed, a.lines, a.cols, f_deps)
        ):
            aid = f"{sid}:{key}"
            pkey = "asset:" + aid  # define(), inlined: this loop runs once per asset
            if pkey in places and not self.define("asset", aid, (fi, aline, acol)):
                continue
            places[pkey] = (fi, aline, acol)
            ids.append(aid)
            if aowner:
                team_refs.add(aowner)
            if aconsulted or ainformed:
                team_refs.update(aconsulted, ainformed)
            assets[aid] = (fi, si, ai)
            if deps:
                self._link(fi, sid, key, aid, deps)
        consulted, informed = tuple(dict.fromkeys(system.consulted)), tuple(dict.fromkeys(system.informed))
        self.systems[sid] = System(sid, system.name, owner, system.kind, consulted, informed, tuple(ids))

    def _link(self, fi: int, sid: str, key: str, aid: str, deps: tuple[Any, ...]) -> None:
        """The dependencies an asset declares: each edge once, its note and what it uses merged."""
        edges, edge_uses, report = self.edges, self.edge_uses, self.report
        for feeds, other, note, uses in deps:
            pair = (aid, other) if feeds else (other, aid)
            if pair[0] == pair[1]:
                if report is None:
                    raise BrokenRule(aid)
                if aid not in self.self_deps:  # every such entry of this asset, each at its place
                    self.self_deps.add(aid)
                    for field, i in _self_dependencies(aid, deps):
                        where = report.locate(fi, ("systems", sid, "assets", key, field, i))
                        report.error(where, f"asset {aid!r} cannot depend on itself")
                continue
            self.asset_refs.add(other)
            known = edges.get(pair, False)
            if known is False or (known is None and note):
                edges[pair] = note
            said = frozenset(uses) if uses is not None else None
            edge_uses[pair] = merge_uses(edge_uses[pair], said) if pair in edge_uses else said

    def _add_policy(self, fi: int, f_policy: PolicyRow) -> None:
        if self.policy is None:
            self.policy, self.policy_fi = f_policy, fi
            return
        report = self.report
        if report is None:
            raise BrokenRule("policy")
        assert self.policy_fi is not None
        first = report.place(report.found((self.policy_fi, self.policy.line, self.policy.col), "policy"))
        second = report.found((fi, f_policy.line, f_policy.col), "policy")
        report.error(second, f"the policy is defined twice; the first is at {first}")


def _self_dependencies(aid: str, deps: tuple[Any, ...]) -> list[tuple[str, int]]:
    """Where an asset's dependencies on itself are: ``(field, index)`` in its entry."""
    found = []
    for feeds, field in ((False, "depends_on"), (True, "feeds")):
        found += [(field, i) for i, other in enumerate(d[1] for d in deps if d[0] == feeds) if other == aid]
    return found


class Reporter:
    """Reports the merge's errors: file indices turned into names, references located on demand.

    ``locators[i]`` is the parsed file ``i`` (a ``YamlDoc``) or a
    :class:`DeferredYamlDoc`, which parses its file only when first asked.
    """

    def __init__(self, names: list[str], locators: list[Any], problems: ProblemList) -> None:
        self.names = names
        self.locators = locators
        self.problems = problems
        self.shadowed: dict[str, tuple[str, int, int]] = {}
        """Asset ids of a system's second definition (dropped): the place of that definition."""
        self.unchecked: dict[tuple[str, int, int], int] = {}
        """How many references were not reported because of each root cause."""

    def place(self, where: tuple[int, int, int]) -> Place:
        return Place(self.names[where[0]], where[1], where[2])

    def found(self, where: tuple[int, int, int], key: str) -> tuple[int, int, int]:
        """``where`` of the definition ``key``, its place found if not known (line 0)."""
        return where if where[1] else self.locate(where[0], definition_path(key), key=True)

    def locate(self, fi: int, path: tuple[Any, ...], *, key: bool = False) -> tuple[int, int, int]:
        line, col = self.locators[fi].locate(path, key=key)
        return (fi, line, col)

    def error(self, where: tuple[int, int, int], message: str, rank: int = FOLLOW_ON) -> None:
        self.problems.error(self.names[where[0]], where[1], where[2], message, rank)

    def hidden_by(self, kind: str, ident: str) -> tuple[str, int, int] | None:
        """Where a missing id may be defined after all: a file that could not be read, or a system's second definition.

        References to such ids are not reported as dangling (the root cause
        is reported first); the place is counted, for one note.
        """
        if kind == "asset" and ident in self.shadowed:
            return self.shadowed[ident]
        for name, raw in self.problems.unreadable.items():
            if _may_define(raw, kind, ident):
                return (name, 0, 0)
        return None


def _may_define(raw: bytes | None, kind: str, ident: str) -> bool:
    """Whether an unreadable file's text could define ``ident`` (every id, if its bytes are unknown)."""
    if raw is None:
        return True
    text = raw.decode("utf-8", "replace")

    def mentions(word: str) -> bool:
        return re.search(r"(?<![\w.-])" + re.escape(word) + r"(?![\w.-])", text) is not None

    if kind == "team":
        return mentions(ident)
    system, _, key = ident.partition(":")
    return mentions(system) and key in text


def _report_references(records: list[FileRecord], merged: dict[str, Any], report: Reporter) -> None:
    """Report every reference to a team or asset that does not exist, as the loader always has.

    Walks the records again, visiting only the entries the merge kept (those
    whose place is their own), and locates each bad reference in its file.
    """
    teams, systems, assets, places = merged["teams"], merged["systems"], merged["assets"], merged["places"]
    known_invalid = report.problems.known_invalid
    near = Suggester()  # one look-alike index per collection of ids, for every miss

    def check(kind: str, ident: str, fi: int, path: tuple[Any, ...], context: str) -> None:
        if ident in (teams if kind == "team" else assets) or f"{kind}:{ident}" in known_invalid:
            return
        hidden = report.hidden_by(kind, ident)
        if hidden is not None:
            report.unchecked[hidden] = report.unchecked.get(hidden, 0) + 1
            return
        message = f"{context} {ident!r}, which is not {'an asset' if kind == 'asset' else 'a team'} of this catalog"
        hint = suggest(kind, ident, teams, systems, assets, near)
        found = f"; did you mean {hint!r}?" if hint else (f"; {team_list(teams)}" if kind == "team" else "")
        report.error(report.locate(fi, path), message + found)

    for fi, record in enumerate(records):
        for system, f_deps in zip(record.systems, dependencies(record)):
            sid = system.id
            if places.get(f"system:{sid}") != (fi, system.line, system.col):
                continue
            base = ("systems", sid)
            check("team", system.owner, fi, (*base, "owner"), f"system {sid!r} owner")
            for role, members in (("consulted", system.consulted), ("informed", system.informed)):
                for i, team in enumerate(members):
                    check("team", team, fi, (*base, role, i), f"system {sid!r} {role}")
            a = system.assets
            for key, aowner, aconsulted, ainformed, aline, acol, deps in zip(
                a.keys, a.owners, a.consulted, a.informed, a.lines, a.cols, f_deps
            ):
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
        for i, field, ident in _link_ends(record):
            check("asset", ident, fi, ("links", i, field), f"link {i + 1} {field}")
        for t in record.tests:
            if places.get(f"test:{t.id}") != (fi, t.line, t.col):
                continue
            for i, asset in enumerate(t.covers):
                check("asset", asset, fi, ("tests", t.id, "covers", i), f"test {t.id!r} covers")
            if t.owner:
                check("team", t.owner, fi, ("tests", t.id, "owner"), f"test {t.id!r} owner")
    _note_unchecked(report)


def _note_unchecked(report: Reporter) -> None:
    """A note per place whose references were not checked (a file that could not be read, a system defined twice)."""
    for (file, line, col), n in sorted(report.unchecked.items()):
        refs = f"{n} reference{'s' if n != 1 else ''} to {'an id' if n == 1 else 'ids'} defined in no other file"
        if line == 0:
            why = "may be defined in this file, which could not be read: fix it, then run again"
        else:
            why = "may be defined in this second definition of the system: define each system once, then run again"
        message = f"{refs} {'is' if n == 1 else 'are'} not reported as missing: {'it' if n == 1 else 'they'} {why}"
        report.problems.note(file, line, col, message)
