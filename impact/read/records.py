"""One catalog file as a record: what it defines and where, as named tuples.

A record is what the cache keeps per file (keyed by the digest of its bytes,
see :mod:`impact.store.file_records`): the file's teams, systems with their
assets, tests and policy, and its dependencies as columns of ids, with where
each definition stands (line, column) if the file was read precisely, or
line 0 if it was read by the fast reader (:mod:`impact.read.fastyaml`): such
places are found when a message needs them (:mod:`impact.read.definition_places`).
"""

from __future__ import annotations

import marshal
from functools import cache
from typing import Any, NamedTuple, get_args

from impact.core.aspects import ordered, pack
from impact.core.errors import ImpactError

# Each field of a catalog file is declared once, below.

BASE_ASSET_FIELDS = ("type", "name", "owner", "critical", "description", "depends_on", "feeds", "consulted", "informed")
"""The fields of ``AssetSpec`` the record holds in columns of their own (below)."""


@cache
def extra_asset_fields() -> tuple[str, ...]:
    """Every other field of ``AssetSpec`` (``read/schema.py``), in the order declared there.

    A new asset field is declared on the model alone: the records, the cache,
    the snapshot and its patches carry its value as written to
    :attr:`impact.core.catalog.Asset.extra`, without naming it, and the fast
    reader checks its numbers as the model says (:func:`number_fields`).
    """
    from impact.read.schema import AssetSpec  # pydantic: only when records are built (start-up time)

    return tuple(name for name in AssetSpec.model_fields if name not in BASE_ASSET_FIELDS)


@cache
def number_fields() -> dict[str, tuple[str, ...]]:
    """The integer fields of each kind of definition, read from the models.

    The fast reader reads ``015`` as 15 where the precise reader refuses it
    (15, or octal 13?): a file whose valid data holds a value in one of these
    fields is checked for such numbers (:func:`_has_numbers`).
    """
    from impact.read.schema import (
        AssetSpec,
        PathRuleSpec,
        TestSpec,
    )  # pydantic: only when records are built (start-up time)

    def holds_int(tp: Any) -> bool:
        return tp is int or any(holds_int(arg) for arg in get_args(tp))

    def ints(model: Any) -> tuple[str, ...]:
        return tuple(name for name, f in model.model_fields.items() if holds_int(f.annotation))

    return {"assets": ints(AssetSpec), "tests": ints(TestSpec), "policy": ints(PathRuleSpec)}


class TeamRow(NamedTuple):
    id: str
    name: str
    email: str | None
    slack: str | None
    members: tuple[str, ...]
    line: int
    col: int


class Assets(NamedTuple):
    """A system's assets in columns, one position per asset, in the order written.

    Columns, not a row per asset: 100,000 rows of a named type take a quarter
    of a second to build; a few hundred columns take nothing.
    """

    keys: list[str]
    types: list[str]
    owners: list[str | None]
    """The asset's own owner; None: the system's."""
    critical: list[bool]
    descriptions: list[str | None]
    consulted: list[tuple[str, ...]]
    informed: list[tuple[str, ...]]
    lines: list[int]
    cols: list[int]
    spans: list[tuple[int, int]]
    """How many of the file's dependencies are the asset's ``depends_on``, then its ``feeds``."""
    names: list[str | None]
    """The asset's ``name:``, the name people know it by; None if not given."""
    extra: list[tuple[tuple[str, Any], ...]]
    """``(field, value)`` of each :func:`extra_asset_fields` the asset gives, one tuple per asset."""


class SystemRow(NamedTuple):
    id: str
    name: str
    owner: str
    kind: str | None
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    line: int
    col: int
    assets: Assets


class RegressionTestRow(NamedTuple):
    id: str
    name: str
    covers: tuple[str, ...]
    owner: str | None
    kind: str | None
    steps: tuple[str, ...]
    run: str | None
    minutes: int | None
    line: int
    col: int


class PolicyRow(NamedTuple):
    given: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    """What the policy sets, as :attr:`impact.core.policy.Policy.given`."""
    line: int
    col: int


class Edges(NamedTuple):
    """The file's dependencies as columns: ``ups[i]`` → ``downs[i]``, in the order written."""

    aids: list[str]
    """The file's asset ids, in order."""
    ups: list[str]
    downs: list[str]
    noted: list[tuple[int, str]]
    """``(position, note)`` of the few dependencies with a note."""
    used: list[tuple[int, tuple[str, ...]]]
    """``(position, aspects)`` of the dependencies that say what they use (``uses:``) or test (``values:``), packed."""


class FileRecord(NamedTuple):
    """What one valid catalog file defines, and where."""

    teams: list[TeamRow]
    systems: list[SystemRow]
    tests: list[RegressionTestRow]
    policy: PolicyRow | None
    edges: Edges

    def dumps(self) -> bytes:
        """The record as marshal bytes (plain tuples and lists: marshal stores no named types)."""
        return marshal.dumps((
            [tuple(t) for t in self.teams],
            [(*s[:-1], tuple(s.assets)) for s in self.systems],
            [tuple(t) for t in self.tests],
            None if self.policy is None else tuple(self.policy),
            tuple(self.edges),
        ))  # fmt: skip

    @classmethod
    def loads(cls, blob: bytes) -> FileRecord:
        """The record back from :meth:`dumps`; ValueError, EOFError, TypeError or IndexError if damaged."""
        teams, systems, tests, policy, edges = marshal.loads(blob)
        return cls(
            [TeamRow._make(t) for t in teams],
            [SystemRow._make((*s[:-1], Assets._make(s[-1]))) for s in systems],
            [RegressionTestRow._make(t) for t in tests],
            None if policy is None else PolicyRow._make(policy),
            Edges._make(edges),
        )


# --- one file -> one record ---------------------------------------------------


def prepare() -> None:
    """Import and build now what :func:`read_file_record` needs (pydantic, the readers, the validator).

    Called before worker processes are forked, so that each starts with them
    instead of spending a fifth of a second importing them itself; the same
    work then serves the change file, which needs pydantic too.
    """
    import impact.read.fastyaml
    import impact.read.yamlio  # noqa: F401  # imported for the workers (a declined file is read with it)
    from impact.read.schema import CatalogFileSpec, plain_validator

    plain_validator(CatalogFileSpec)


def read_file_record(raw: bytes, name: str) -> FileRecord | None:
    """Parse and validate one file; its record, or None if it has any problem.

    An ordinary file is read by the fast parser and gets a record without
    places (line 0, found later if ever needed: see
    :data:`impact.store.compact.Locate`); anything else is read precisely.
    Both are validated into plain dicts (:func:`~impact.read.schema.plain_validator`);
    a file with a problem is left to the loader, which explains it.
    """
    # Imported here: a run over a cached catalog builds no record and needs neither
    # pydantic nor a YAML parser (start-up time).
    from pydantic import ValidationError

    from impact.read.fastyaml import odd_numbers, read_fast
    from impact.read.gcpause import gc_paused
    from impact.read.schema import CatalogFileSpec, plain_validator

    validator = plain_validator(CatalogFileSpec)
    with gc_paused():  # one pause for the whole file: see yamlio.gc_paused
        fast = read_fast(raw)
        if fast is not None:
            try:
                data = validator.validate_python(fast[1])
            except ValidationError:
                data = None  # the precise path below decides
            if data is not None and not (_has_numbers(data) and odd_numbers(fast[0])):
                return record_of(None, data)
        from impact.read.yamlio import parse_yaml  # PyYAML only for a file the fast reader declined (start-up time)

        try:
            doc = parse_yaml(raw, name)
            return record_of(doc, validator.validate_python(doc.data))
        except (ImpactError, ValidationError):
            return None


def _has_numbers(data: dict[str, Any]) -> bool:
    """Whether a valid file's data holds a number: a value in an integer field of the models (:func:`number_fields`)."""
    fields = number_fields()
    if any(t.get(f) is not None for t in data.get("tests", {}).values() for f in fields["tests"]):
        return True
    rules = (data.get("policy") or {}).values()
    if any(isinstance(rule, dict) and rule.get(f) is not None for rule in rules for f in fields["policy"]):
        return True
    assets = (
        [a for s in (data.get("systems") or {}).values() for a in (s.get("assets") or {}).values()]
        if fields["assets"]
        else []
    )
    return any(a.get(f) is not None for a in assets for f in fields["assets"])


def _nowhere(path: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
    return (0, 0)


def record_from(doc: Any, spec: Any) -> FileRecord:
    """The record of a file validated by the models (the loader's path, for a file with problems)."""
    return record_of(doc, spec.model_dump(by_alias=True, exclude_unset=True))


def record_of(doc: Any, data: dict[str, Any]) -> FileRecord:
    """The record of a valid file: what it defines and where, as named tuples.

    ``data`` is the file validated into plain dicts, keys left out where the
    author left them out. ``doc`` is the precisely parsed file (a
    ``YamlDoc``), or None for a file read by the fast parser: its places are
    then line 0, found when needed.
    """
    locate = doc.locate if doc is not None else _nowhere
    teams = [
        TeamRow(
            tid,
            t["name"],
            t.get("email"),
            t.get("slack"),
            tuple(t.get("members", ())),
            *locate(("teams", tid), key=True),
        )
        for tid, t in data.get("teams", {}).items()
    ]
    # For assemble(), which runs in one process while records are built in
    # several: the file's asset ids, and its dependencies as (upstream,
    # downstream) columns in the order merge() meets them.
    edges = Edges([], [], [], [], [])
    shared: tuple[dict[str | None, str | None], dict[str, str]] = ({}, {})
    systems = [_system_row(sid, s, locate, doc is None, edges, shared) for sid, s in data.get("systems", {}).items()]
    none: tuple[str, ...] = ()
    if data.get("links"):  # after every asset's own dependencies: the tail of the file's columns (see links())
        _declare_links(data["links"], edges.ups, edges.downs, edges.noted, edges.used)
    tests = [
        RegressionTestRow(
            tid, t["name"], tuple(t["covers"]), t.get("owner"), t.get("kind"), tuple(t.get("steps", none)),
            t.get("run"), t.get("minutes"), *locate(("tests", tid), key=True),
        )
        for tid, t in data.get("tests", {}).items()
    ]  # fmt: skip
    policy = _policy_row(data["policy"], locate) if data.get("policy") is not None else None
    return FileRecord(teams, systems, tests, policy, edges)


def _system_row(
    sid: str,
    s: dict[str, Any],
    locate: Any,
    fast: bool,
    edges: Edges,
    shared: tuple[dict[str | None, str | None], dict[str, str]],
) -> SystemRow:
    """One system and its assets in columns; its assets' ids and dependencies added to ``edges``.

    Repeated strings (owners, types: ``shared``) are made one object, so that they are hashed once.
    """
    base = ("systems", sid)
    found = s.get("assets", {})
    keys = list(found)
    vals = list(found.values())
    none: tuple[str, ...] = ()
    # Column by column, each a loop in C or a comprehension: per asset
    # and per field, a Python loop cost a third of reading a file.
    prefix = sid + ":"
    own = [prefix + key for key in keys]
    edges.aids.extend(own)
    ups, downs, noted, used = edges.ups, edges.downs, edges.noted, edges.used
    ons = [a.get("depends_on", none) for a in vals]
    feds = [a.get("feeds", none) for a in vals]
    for aid, on, fed in zip(own, ons, feds):
        # An asset's dependencies are its span of the file's columns:
        # (how many from depends_on, how many from feeds); see dependencies().
        if on:  # each names an upstream asset of this one
            _declare(on, aid, ups, downs, noted, used)
        if fed:  # each names a downstream asset
            _declare(fed, aid, downs, ups, noted, used)
    if fast:
        lines, cols = [0] * len(keys), [0] * len(keys)
    else:
        places = [locate((*base, "assets", key), key=True) for key in keys]
        lines, cols = [p[0] for p in places], [p[1] for p in places]
    same, kinds = shared
    extra = extra_asset_fields()
    assets = Assets(
        keys,
        [kinds.setdefault(t, t) for t in [a["type"] for a in vals]],
        [same.setdefault(o, o) for o in [a.get("owner") for a in vals]],
        [a.get("critical", False) for a in vals],
        [a.get("description") for a in vals],
        [tuple(a["consulted"]) if "consulted" in a else none for a in vals],
        [tuple(a["informed"]) if "informed" in a else none for a in vals],
        lines,
        cols,
        list(zip(map(len, ons), map(len, feds))),
        [a.get("name") for a in vals],
        [tuple((f, a[f]) for f in extra if a.get(f) is not None) for a in vals] if extra else [()] * len(keys),
    )
    line, col = locate(base, key=True)
    return SystemRow(
        sid, s["name"], s["owner"], s.get("kind"), tuple(s.get("consulted", none)), tuple(s.get("informed", none)),
        line, col, assets,
    )  # fmt: skip


def _policy_row(policy: dict[str, Any], locate: Any) -> PolicyRow:
    from impact.read.schema import PolicySpec  # pydantic, only for a file with a policy (start-up time)

    spec = PolicySpec.model_validate(policy).model_dump(by_alias=True, exclude_none=True)
    given = tuple(
        (path, tuple(dict.fromkeys(fields)))  # ready: the kinds, once each
        if isinstance(fields, list)
        else (
            path,
            tuple(
                (name, tuple(dict.fromkeys(value)) if isinstance(value, list) else value)
                for name, value in fields.items()
            ),
        )
        for path, fields in spec.items()
    )
    return PolicyRow(given, *locate(("policy",), key=True))


def _declare(
    entries: list[Any],
    aid: str,
    named: list[str],
    own: list[str],
    noted: list[tuple[int, str]],
    used: list[tuple[int, tuple[str, ...]]],
) -> None:
    """Add the dependencies ``aid`` declares: the asset each names to ``named``, ``aid`` itself to ``own`` (the other
    column).

    A dependency written as a mapping keeps its note and aspects at its
    position (the two columns are as long as each other before and after).
    """
    for entry in entries:
        if not isinstance(entry, str):
            if entry.get("note") is not None:
                noted.append((len(named), entry["note"]))
            if entry.get("uses") is not None or entry.get("values") is not None:
                used.append((len(named), said(entry.get("uses"), entry.get("values"))))
            entry = entry["asset"]
        named.append(entry)
    own += [aid] * len(entries)


def _declare_links(
    entries: list[Any],
    ups: list[str],
    downs: list[str],
    noted: list[tuple[int, str]],
    used: list[tuple[int, tuple[str, ...]]],
) -> None:
    """Add a file's ``links:`` to its dependency columns, each with its note and aspects at its position."""
    for link in entries:
        if link.get("note") is not None:
            noted.append((len(ups), link["note"]))
        if link.get("uses") is not None:
            used.append((len(ups), tuple(dict.fromkeys(link["uses"]))))
        ups.append(link["depends_on"])
        downs.append(link["asset"])


def said(uses: list[str] | None, values: list[str] | None) -> tuple[str, ...]:
    """What one dependency says it uses and tests, as the record keeps it (see :func:`impact.core.aspects.pack`).

    >>> said(["values"], ["Closed", "New"]), said(["data"], None)
    (('values', '=Closed', '=New'), ('data',))
    """
    if not values:
        return tuple(dict.fromkeys(uses or ()))
    packed = pack(uses, values)
    assert packed is not None
    return tuple(dict.fromkeys(uses)) + ordered(packed - frozenset(uses)) if uses is not None else ordered(packed)


def dependencies(record: FileRecord) -> list[list[tuple[tuple[bool, str, str | None, tuple[str, ...] | None], ...]]]:
    """Per system, per asset: its dependencies as ``(feeds, other asset, note, uses)``, in the order written.

    Rebuilt from the file's columns, which hold each dependency once; only
    the loader's path for catalogs with problems needs them per asset.
    """
    ups, downs = record.edges.ups, record.edges.downs
    notes = dict(record.edges.noted)
    uses = dict(record.edges.used)
    out = []
    at = 0
    for system in record.systems:
        per_asset = []
        for n_on, n_feeds in system.assets.spans:
            on = [(False, ups[q], notes.get(q), uses.get(q)) for q in range(at, at + n_on)]
            fed = [(True, downs[q], notes.get(q), uses.get(q)) for q in range(at + n_on, at + n_on + n_feeds)]
            per_asset.append((*on, *fed))
            at += n_on + n_feeds
        out.append(per_asset)
    return out


def links(record: FileRecord) -> list[tuple[str, str, str | None, tuple[str, ...] | None]]:
    """The file's ``links:`` as ``(asset, depends_on, note, uses)``, in the order written.

    They are the tail of the file's dependency columns, after every asset's
    ``depends_on`` and ``feeds`` (counted by the assets' spans).
    """
    edges = record.edges
    start = sum(n_on + n_feeds for system in record.systems for n_on, n_feeds in system.assets.spans)
    notes = dict(edges.noted) if edges.noted else {}
    uses = dict(edges.used) if edges.used else {}
    return [(edges.downs[q], edges.ups[q], notes.get(q), uses.get(q)) for q in range(start, len(edges.ups))]
