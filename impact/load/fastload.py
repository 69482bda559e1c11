"""Loading a valid catalog fast: per-file records and a whole-catalog snapshot, cached.

Two levels, both keyed on content, never on timestamps:

* a **record** per file, keyed by the digest of its bytes: what the file
  defines (teams, systems, assets, tests, policy) and its dependencies as
  columns, as plain tuples, with where each definition stands (line,
  column) if the file was read precisely, or line 0 if it was read by the
  fast reader (:mod:`impact.read.fastyaml`): such places are found when a
  message needs them (:class:`FileLocator`) and then kept by the file's
  digest too. Only a file whose bytes changed is read again.
* a **snapshot** per catalog folder, keyed by the list of (file, digest): the
  merged catalog in columns (see :mod:`impact.store.compact`), built by
  :func:`assemble`, and its warnings. A run over an unchanged catalog reads
  one file and parses no YAML; an edit that keeps a file's ids is patched in
  (:func:`patch`).

:func:`check_cached` handles only catalogs without errors. As soon as
anything is wrong (a file that does not parse or validate, an id defined
twice, a reference to nothing, a size over the limits) it returns None and
the loader takes its ordinary path, which merges the same records with
:func:`merge` reporting every problem (and parses again only the files
with a problem), so every error message comes from one place and is the
same with or without the cache. A large catalog's files are parsed in
worker processes (:func:`build_records`).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import marshal
import multiprocessing
import os
import pickle
from array import array
from collections import UserList
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import impact
from impact.core.catalog import Catalog, Place, RegressionTest, System, Team
from impact.core.errors import FOLLOW_ON, ROOT_CAUSE, Problem, ProblemList, display_path
from impact.core.vocabulary import ASPECTS
from impact.store import cache
from impact.store.compact import AssetColumns, AssetTable, EdgeList, Locate, PlaceTable, edge_list_from
from impact.store.freshness import FileIndex, fill

Record = tuple[Any, ...]
_T = TypeVar("_T")


def _code_fingerprint() -> str:
    # A developer editing impact keeps its version number: key the cache on
    # the code of the model layer too, so stale warnings are never replayed.
    folder = Path(__file__).parent
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(folder.glob("*.py")):
        with contextlib.suppress(OSError):  # a file removed meanwhile: the key just changes
            h.update(path.read_bytes())
    return f"{impact.__version__}/{cache.FORMAT}/{h.hexdigest()}"


# --- one file -> one record ---------------------------------------------------


def build_record(raw: bytes, name: str) -> Record | None:
    """Parse and validate one file; its record, or None if it has any problem.

    An ordinary file is read by the fast parser and gets a record without
    places (line 0, found later if ever needed: see
    :data:`impact.store.compact.Locate`); anything else is read precisely.
    Both are validated into plain dicts (:func:`~impact.read.schema.plain_validator`);
    a file with a problem is left to the loader, which explains it.
    """
    from pydantic import ValidationError

    from impact.core.errors import ImpactError
    from impact.read.fastyaml import odd_numbers, read_fast
    from impact.read.schema import CatalogFileSpec, plain_validator
    from impact.read.yamlio import gc_paused, parse_yaml

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
        try:
            doc = parse_yaml(raw, name)
            return record_of(doc, validator.validate_python(doc.data))
        except (ImpactError, ValidationError):
            return None


def _has_numbers(data: dict[str, Any]) -> bool:
    """Whether a valid file's data holds a number (the schema's only numbers: test minutes, policy distances)."""
    if any(t.get("minutes") is not None for t in data.get("tests", {}).values()):
        return True
    rules = (data.get("policy") or {}).values()
    return any(rule is not None and rule.get("max_tool_distance") is not None for rule in rules)


# Below this many bytes to parse, worker processes cost more than they save.
PARALLEL_BYTES = 4 * 2**20


def build_records(raws: list[bytes], names: list[str], use_cache: bool = True) -> list[Record | None]:
    """Each file's record, from the cache or parsed and validated now; None for a file with a problem.

    A large catalog's files are parsed in worker processes, one per core
    (parsing is pure Python, so threads would not help); the records are
    the same, in file order. New records are stored when ``use_cache``.
    """
    records = [cached_record(raw) if use_cache else None for raw in raws]
    todo = [i for i, record in enumerate(records) if record is None]
    built = _build_all([raws[i] for i in todo], [names[i] for i in todo], use_cache)
    for i, blob in zip(todo, built):
        records[i] = marshal.loads(blob) if blob is not None else None
    return records


def _build_blob(raw: bytes, name: str, store: bool) -> bytes | None:
    """A file's record, marshalled (and stored in the cache when ``store``); None if it has a problem.

    Marshalled by the worker that built it, once: the same bytes go to the
    cache and back to the parent process, which reads them faster than it
    would read a pickle.
    """
    record = build_record(raw, name)
    if record is None:
        return None
    blob = marshal.dumps(record)
    if store:
        path, key, _ = _record_entry(raw)
        cache.write(path, key, blob)
    return blob


def _build_all(raws: list[bytes], names: list[str], store: bool = False) -> list[bytes | None]:
    return _in_workers(_build_blob, raws, names, [store] * len(raws))


def _in_workers(job: Callable[..., _T], raws: list[bytes], *args: list[Any]) -> list[_T]:
    """``job(raw, *arg)`` for each file, in worker processes (one per core) if there is much to read.

    Reading YAML is pure Python, so threads would not help. Results come
    back in file order.
    """
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, len(raws))
    if workers > 1 and sum(map(len, raws)) >= PARALLEL_BYTES and "fork" in multiprocessing.get_all_start_methods():
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        try:
            # fork: the workers start with impact already imported.
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                return list(pool.map(job, raws, *args, chunksize=max(1, len(raws) // (workers * 4))))
        except (OSError, BrokenProcessPool):  # no processes to be had: read here
            pass
    return list(map(job, raws, *args))


def _nowhere(path: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
    return (0, 0)


def record_from(doc: Any, spec: Any) -> Record:
    """The record of a file validated by the models (the loader's path, for a file with problems)."""
    return record_of(doc, spec.model_dump(by_alias=True, exclude_unset=True))


def record_of(doc: Any, data: dict[str, Any]) -> Record:
    """The record of a valid file: what it defines and where, as plain tuples.

    ``data`` is the file validated into plain dicts, keys left out where the
    author left them out. ``doc`` is the precisely parsed file (a
    ``YamlDoc``), or None for a file read by the fast parser: its places are
    then line 0, found when needed.
    """
    locate = doc.locate if doc is not None else _nowhere
    teams = [
        (tid, t["name"], t.get("email"), t.get("slack"), tuple(t.get("members", ())), *locate(("teams", tid), key=True))
        for tid, t in data.get("teams", {}).items()
    ]
    systems = []
    # For assemble(), which runs in one process while records are built in
    # several: the file's asset ids, and its dependencies as (upstream,
    # downstream) columns in the order merge() meets them. Repeated strings
    # (types, owners) are made one object, so that they are hashed once.
    aids: list[str] = []
    ups: list[str] = []
    downs: list[str] = []
    noted: list[tuple[int, str]] = []
    used: list[tuple[int, tuple[str, ...]]] = []  # (position, aspects) of the dependencies that say what they use
    same: dict[str | None, str | None] = {}
    none: tuple[str, ...] = ()
    for sid, s in data.get("systems", {}).items():
        base = ("systems", sid)
        assets = []
        for key, a in s.get("assets", {}).items():
            aid = f"{sid}:{key}"
            aids.append(aid)
            # An asset's dependencies are its span of the file's columns:
            # (how many from depends_on, how many from feeds); see _dependencies().
            on, fed = a.get("depends_on", none), a.get("feeds", none)
            for entries, feeds in ((on, False), (fed, True)):
                for entry in entries:
                    if isinstance(entry, str):
                        other = entry
                    else:
                        other = entry["asset"]
                        if entry.get("note") is not None:
                            noted.append((len(ups), entry["note"]))
                        if entry.get("uses") is not None:
                            used.append((len(ups), tuple(dict.fromkeys(entry["uses"]))))
                    ups.append(aid if feeds else other)
                    downs.append(other if feeds else aid)
            line, col = locate((*base, "assets", key), key=True)
            atype, owner = same.setdefault(a["type"], a["type"]), same.setdefault(a.get("owner"), a.get("owner"))
            assets.append((
                key, atype, owner, a.get("critical", False), a.get("description"),
                tuple(a.get("consulted", none)), tuple(a.get("informed", none)), line, col, (len(on), len(fed)), a.get("name"),
            ))  # fmt: skip
        systems.append((
            sid, s["name"], s["owner"], s.get("kind"), tuple(s.get("consulted", none)), tuple(s.get("informed", none)),
            *locate(base, key=True), assets,
        ))  # fmt: skip
    tests = [
        (
            tid, t["name"], tuple(t["covers"]), t.get("owner"), t.get("kind"), tuple(t.get("steps", none)), t.get("run"), t.get("minutes"),
            *locate(("tests", tid), key=True),
        )
        for tid, t in data.get("tests", {}).items()
    ]
    policy = None
    if data.get("policy") is not None:
        from impact.read.schema import PolicySpec

        policy = (pickle.dumps(PolicySpec.model_validate(data["policy"])), *locate(("policy",), key=True))
    return (teams, systems, tests, policy, (aids, ups, downs, noted, used))


def _dependencies(record: Record) -> list[list[tuple[tuple[bool, str, str | None, tuple[str, ...] | None], ...]]]:
    """Per system, per asset: its dependencies as ``(feeds, other asset, note, uses)``, in the order written.

    Rebuilt from the file's columns, which hold each dependency once; only
    the loader's path for catalogs with problems needs them per asset.
    """
    _teams, f_systems, _tests, _policy, (_aids, ups, downs, noted, used) = record
    notes = dict(noted)
    uses = dict(used)
    out = []
    at = 0
    for system in f_systems:
        per_asset = []
        for asset in system[8]:
            n_on, n_feeds = asset[9]
            on = [(False, ups[q], notes.get(q), uses.get(q)) for q in range(at, at + n_on)]
            fed = [(True, downs[q], notes.get(q), uses.get(q)) for q in range(at + n_on, at + n_on + n_feeds)]
            per_asset.append((*on, *fed))
            at += n_on + n_feeds
        out.append(per_asset)
    return out


@functools.cache
def _code() -> str:
    return _code_fingerprint()


def code_version() -> str:
    """What cache entries are keyed on besides their input: impact's version and model code."""
    return _code()


def _record_entry(raw: bytes) -> tuple[Path, str, str]:
    digest_ = hashlib.blake2b(raw, digest_size=16).hexdigest()
    return cache.cache_dir() / "files" / digest_[:2] / f"{digest_}.bin", cache.digest(_code(), digest_), digest_


def cached_record(raw: bytes) -> Record | None:
    """The cached record of a file with these bytes, if any."""
    path, key, _ = _record_entry(raw)
    blob = cache.read(path, key)
    if blob is None:
        return None
    try:
        return marshal.loads(blob)  # type: ignore[no-any-return]
    except (ValueError, EOFError, TypeError):  # damaged: no entry
        return None


def store_record(raw: bytes, record: Record) -> None:
    path, key, _ = _record_entry(raw)
    cache.write(path, key, marshal.dumps(record))


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


class _Conflict(Exception):
    """Something the ordinary loader reports as an error: leave it to that path."""


def merge(records: list[Record], report: Reporter | None = None) -> dict[str, Any]:
    """Merge records in file order exactly as the loader always has.

    Without ``report`` (the cache's path, for a catalog expected to be
    valid), the first error raises :class:`_Conflict`. With it, every error
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
    edge_uses: dict[tuple[str, str], frozenset[str] | None] = {}  # what a dependency uses: see merge_uses()
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
                raise _Conflict(key)
            first_at = report.place(report.found(first, key))
            report.error(report.found(where, key), f"{kind} {ident!r} is defined twice; the first is at {first_at}", ROOT_CAUSE if kind == "system" else FOLLOW_ON)
            return False
        places[key] = where
        return True

    for fi, record in enumerate(records):
        f_teams, f_systems, f_tests, f_policy, _edges = record
        for tid, name, email, slack, members, line, col in f_teams:
            if define("team", tid, (fi, line, col)):
                teams[tid] = Team(tid, name, email, slack, members)
        for (sid, name, owner, kind, consulted, informed, line, col, f_assets), f_deps in zip(f_systems, _dependencies(record)):
            if not define("system", sid, (fi, line, col)):
                if report is not None:  # its assets exist somewhere: links to them are follow-on errors
                    at = report.place(report.found((fi, line, col), f"system:{sid}"))
                    for entry in f_assets:
                        report.shadowed.setdefault(f"{sid}:{entry[0]}", (at.file, at.line, at.col))
                continue
            team_refs.add(owner)
            team_refs.update(consulted)
            team_refs.update(informed)
            ids = []
            for (key, atype, aowner, critical, desc, aconsulted, ainformed, aline, acol, _span, aname), deps in zip(f_assets, f_deps):
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
                    tuple(dict.fromkeys(aconsulted)), tuple(dict.fromkeys(ainformed)), fi, aline, acol, aname,
                )  # fmt: skip
                for feeds, other, note, uses in deps:
                    pair = (aid, other) if feeds else (other, aid)
                    if pair[0] == pair[1]:
                        if report is None:
                            raise _Conflict(aid)
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
                    said = frozenset(uses) if uses is not None else None
                    edge_uses[pair] = merge_uses(edge_uses[pair], said) if pair in edge_uses else said
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
                    raise _Conflict("policy")
                assert policy_fi is not None
                first = report.place(report.found((policy_fi, policy[1], policy[2]), "policy"))
                second = report.found((fi, f_policy[1], f_policy[2]), "policy")
                report.error(second, f"the policy is defined twice; the first is at {first}")
            else:
                policy, policy_fi = f_policy, fi
    merged = {
        "teams": teams, "systems": systems, "assets": assets, "tests": tests, "edges": edges, "places": places, "policy": policy,
        "uses": {pair: found for pair, found in edge_uses.items() if found is not None},
    }  # fmt: skip
    if not team_refs.issubset(teams) or not asset_refs.issubset(assets):
        if report is None:
            raise _Conflict("reference")
        _report_references(records, merged, report)
    return merged


def merge_uses(first: frozenset[str] | None, second: frozenset[str] | None) -> frozenset[str] | None:
    """What a dependency declared twice (``depends_on`` and ``feeds``) uses: what either says; None (every aspect) wins.

    >>> sorted(merge_uses(frozenset({"name"}), frozenset({"data"}))), merge_uses(frozenset({"name"}), None)
    (['data', 'name'], None)
    """
    if first is None or second is None:
        return None
    return first | second


def _self_dependencies(aid: str, deps: tuple[Any, ...]) -> list[tuple[str, int]]:
    """Where an asset's dependencies on itself are: ``(field, index)`` in its entry."""
    found = []
    for feeds, field in ((False, "depends_on"), (True, "feeds")):
        found += [(field, i) for i, other in enumerate(d[1] for d in deps if d[0] == feeds) if other == aid]
    return found


def definition_path(key: str) -> tuple[str, ...]:
    """Where in its file the definition ``'<kind>:<id>'`` is (the path of its key).

    Examples
    --------
    >>> definition_path("asset:web:/products/"), definition_path("team:web"), definition_path("policy")
    (('systems', 'web', 'assets', '/products/'), ('teams', 'web'), ('policy',))
    """
    kind, _, ident = key.partition(":")
    if kind == "asset":
        system, _, asset_key = ident.partition(":")
        return ("systems", system, "assets", asset_key)
    if kind == "policy":
        return ("policy",)
    return (f"{kind}s", ident)


def definition_places(raw: bytes, name: str) -> dict[str, tuple[int, int]]:
    """Where each definition of a valid file stands: ``'<kind>:<id>'`` → ``(line, col)`` of its key.

    Reads the file precisely (the fast reader keeps no places). Raises
    :class:`~impact.core.errors.ImpactError` if it does not parse.
    """
    from impact.read.yamlio import YMap, parse_yaml

    doc = parse_yaml(raw, name)
    data = doc.data
    found: dict[str, tuple[int, int]] = {}

    def section(name: str) -> Any:
        value = data.get(name) if isinstance(data, YMap) else None
        return value if isinstance(value, YMap) else None

    for kind in ("team", "system", "test"):
        entries = section(kind + "s")
        if entries is not None:
            found.update((f"{kind}:{ident}", entries.key_marks[ident]) for ident in entries)
    systems = section("systems")
    for sid, system in (systems or {}).items():
        assets = system.get("assets") if isinstance(system, YMap) else None
        if isinstance(assets, YMap):
            found.update((f"asset:{sid}:{key}", assets.key_marks[key]) for key in assets)
    if isinstance(data, YMap) and "policy" in data:
        found["policy"] = data.key_marks["policy"]
    return found


def _places_entry(digest_: str) -> tuple[Path, str]:
    return cache.cache_dir() / "places" / digest_[:2] / f"{digest_}.bin", cache.digest(_code(), "places", digest_)


def _places_of(raw: bytes, name: str, digest_: str, store: bool) -> dict[str, tuple[int, int]]:
    """:func:`definition_places`, kept in the cache by the file's digest (a worker's job, too)."""
    places = definition_places(raw, name)
    if store:
        path, key = _places_entry(digest_)
        cache.write(path, key, marshal.dumps(places))
    return places


class FileLocator:
    """Finds where definitions stand in a catalog's files (a :data:`~impact.store.compact.Locate`).

    A file read by the fast reader has a record without places. The first
    place asked of such a file reads it precisely, once, for the places of
    all its definitions, which the cache then keeps by the file's digest: a
    catalog's places are found at most once per file content, and only for
    files that have an error or a warning to show. :meth:`prefetch` finds
    those of many files at once, in parallel. The bytes read are checked
    against the digest the catalog was loaded from, so a place is never
    taken from a file edited meanwhile.
    """

    def __init__(self, paths: list[Path], names: list[str], hashes: list[str], raws: Sequence[bytes | None] | None = None) -> None:
        self.paths = paths
        self.names = names
        self.hashes = hashes
        self.raws = raws
        self._places: dict[int, dict[str, tuple[int, int]]] = {}

    def _raw(self, fi: int) -> bytes:
        from impact.core.errors import ImpactError

        raw = self.raws[fi] if self.raws is not None else None
        if raw is None:  # not read yet (see store/freshness.py)
            raw = self.paths[fi].read_bytes()
        if hashlib.blake2b(raw, digest_size=16).hexdigest() != self.hashes[fi]:
            message = "this file changed while impact was reading the catalog; run the command again"
            raise ImpactError(Problem(self.names[fi], 0, 0, message))
        return raw

    def _cached(self, fi: int) -> dict[str, tuple[int, int]] | None:
        if not cache.enabled():
            return None
        blob = cache.read(*_places_entry(self.hashes[fi]))
        try:
            return marshal.loads(blob) if blob is not None else None
        except (ValueError, EOFError, TypeError):
            return None

    def prefetch(self, files: set[int]) -> None:
        """Find the places of these files now, reading those not cached in parallel."""
        todo = []
        for fi in sorted(files - self._places.keys()):
            found = self._cached(fi)
            if found is not None:
                self._places[fi] = found
            else:
                todo.append(fi)
        if not todo:
            return
        raws = [self._raw(fi) for fi in todo]
        names = [self.names[fi] for fi in todo]
        digests = [self.hashes[fi] for fi in todo]
        for fi, places in zip(todo, _in_workers(_places_of, raws, names, digests, [cache.enabled()] * len(todo))):
            self._places[fi] = places

    def __call__(self, fi: int, key: str) -> tuple[int, int]:
        if fi not in self._places:
            self.prefetch({fi})
        line, col = self._places[fi].get(key, (0, 0))
        return line, col


class Reporter:
    """Reports the merge's errors: file indices turned into names, references located on demand.

    ``locators[i]`` is the parsed file ``i`` (a ``YamlDoc``) or a
    :class:`RecordDoc`, which parses its file only when first asked.
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
    import re

    if raw is None:
        return True
    text = raw.decode("utf-8", "replace")

    def mentions(word: str) -> bool:
        return re.search(r"(?<![\w.-])" + re.escape(word) + r"(?![\w.-])", text) is not None

    if kind == "team":
        return mentions(ident)
    system, _, key = ident.partition(":")
    return mentions(system) and key in text


def _report_references(records: list[Record], merged: dict[str, Any], report: Reporter) -> None:
    """Report every reference to a team or asset that does not exist, as the loader always has.

    Walks the records again, visiting only the entries the merge kept (those
    whose place is their own), and locates each bad reference in its file.
    """
    from impact.load.loader import suggest

    teams, systems, assets, places = merged["teams"], merged["systems"], merged["assets"], merged["places"]
    known_invalid = report.problems.known_invalid

    def check(kind: str, ident: str, fi: int, path: tuple[Any, ...], context: str) -> None:
        if ident in (teams if kind == "team" else assets) or f"{kind}:{ident}" in known_invalid:
            return
        hidden = report.hidden_by(kind, ident)
        if hidden is not None:
            report.unchecked[hidden] = report.unchecked.get(hidden, 0) + 1
            return
        message = f"{context} {ident!r}, which is not {'an asset' if kind == 'asset' else 'a team'} of this catalog"
        hint = suggest(kind, ident, teams, systems, assets)
        report.error(report.locate(fi, path), message + (f"; did you mean {hint!r}?" if hint else ""))

    for fi, record in enumerate(records):
        _teams, f_systems, f_tests, _policy, _edges = record
        for (sid, _name, owner, _kind, consulted, informed, line, col, f_assets), f_deps in zip(f_systems, _dependencies(record)):
            if places.get(f"system:{sid}") != (fi, line, col):
                continue
            base = ("systems", sid)
            check("team", owner, fi, (*base, "owner"), f"system {sid!r} owner")
            for role, members in (("consulted", consulted), ("informed", informed)):
                for i, team in enumerate(members):
                    check("team", team, fi, (*base, role, i), f"system {sid!r} {role}")
            for (key, _type, aowner, _crit, _desc, aconsulted, ainformed, aline, acol, _span, _name), deps in zip(f_assets, f_deps):
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
    for (file, line, col), n in sorted(report.unchecked.items()):
        refs = f"{n} reference{'s' if n != 1 else ''} to {'an id' if n == 1 else 'ids'} defined in no other file"
        if line == 0:
            why = "may be defined in this file, which could not be read: fix it, then run again"
        else:
            why = "may be defined in this second definition of the system: define each system once, then run again"
        report.problems.note(file, line, col, f"{refs} {'is' if n == 1 else 'are'} not reported as missing: {'it' if n == 1 else 'they'} {why}")


# --- records -> snapshot payload in one pass, for a catalog expected to be valid --


def assemble(records: list[Record], rels: list[str]) -> dict[str, Any] | None:
    """``encode(merge(records), rels)``, built column by column; None where :func:`merge` finds an error.

    :func:`merge` builds a dict entry and a tuple per asset and per
    dependency, then :func:`encode` turns them into columns: about a second
    and a half at 100,000 assets, in the one process that cannot share it.
    A valid catalog needs neither: each system's assets are transposed into
    columns at once, each file brings its dependencies as columns (built by
    the worker that read it), ids are sorted once, and conflicts (an id
    defined twice, a dangling reference, a dependency on itself) are found
    with set operations over whole columns. On any conflict this returns
    None and the caller takes :func:`merge`'s path, which reports it. The snapshot also keeps each
    file's dependencies as declared (``edge_*``), for :func:`patch`.
    ``tests/test_cache_assemble.py`` checks that both give the same snapshot.
    """
    order: list[str] = []  # every definition, in the order merge() meets them
    others: dict[str, tuple[int, int, int]] = {}
    teams: list[Team] = []
    systems: list[tuple[Any, ...]] = []
    tests: list[RegressionTest] = []
    policy: Any = None
    team_refs: set[str | None] = set()
    asset_refs: set[str] = set()
    ids: list[str] = []
    system_of: list[str] = []
    types: list[str] = []
    owners: list[str] = []
    critical: list[bool] = []
    descriptions: list[str | None] = []
    display_names: list[str | None] = []
    consulted: list[tuple[str, ...]] = []
    informed: list[tuple[str, ...]] = []
    file_of: list[int] = []
    lines: list[int] = []
    cols: list[int] = []
    ups: list[str] = []
    downs: list[str] = []
    noted: list[tuple[int, str]] = []  # (position in ups and downs, note): notes are rare
    used: list[tuple[int, tuple[str, ...]]] = []  # (position, aspects): uses too
    edge_files = [0]  # file i's dependencies are ups[edge_files[i]:edge_files[i + 1]]
    for fi, (f_teams, f_systems, f_tests, f_policy, (f_aids, f_ups, f_downs, f_noted, f_used)) in enumerate(records):
        at = 0  # the file's next asset in f_aids
        for tid, name, email, slack, members, line, col in f_teams:
            order.append("team:" + tid)
            others["team:" + tid] = (fi, line, col)
            teams.append(Team(tid, name, email, slack, members))
        for sid, name, owner, kind, s_consulted, s_informed, line, col, f_assets in f_systems:
            others["system:" + sid] = (fi, line, col)
            team_refs.add(owner)
            team_refs.update(s_consulted, s_informed)
            aids: list[str] = f_aids[at : at + len(f_assets)]
            at += len(f_assets)
            # The definitions' order, joined as the snapshot keeps it: no string per asset.
            order.append("\0asset:".join(["system:" + sid, *aids]))
            if f_assets:
                _, a_types, a_owners, a_critical, a_desc, a_consulted, a_informed, a_lines, a_cols, _, a_names = zip(*f_assets)
                ids += aids
                system_of += [sid] * len(aids)
                types += a_types
                owners += [o or owner for o in a_owners]
                team_refs.update(a_owners)
                critical += a_critical
                descriptions += a_desc
                display_names += a_names
                for roles, column in ((a_consulted, consulted), (a_informed, informed)):
                    if any(roles):
                        column += [tuple(dict.fromkeys(r)) for r in roles]
                        team_refs.update(*roles)
                    else:
                        column += roles
                file_of += [fi] * len(aids)
                lines += a_lines
                cols += a_cols
            systems.append((sid, name, owner, kind, tuple(dict.fromkeys(s_consulted)), tuple(dict.fromkeys(s_informed)), aids))
        if f_noted:
            noted += [(len(ups) + pos, note) for pos, note in f_noted]
        if f_used:
            used += [(len(ups) + pos, uses) for pos, uses in f_used]
        ups += f_ups
        downs += f_downs
        edge_files.append(len(ups))
        for tid, name, covers, owner, tkind, steps, run, minutes, line, col in f_tests:
            order.append("test:" + tid)
            others["test:" + tid] = (fi, line, col)
            tests.append(RegressionTest(tid, name, tuple(dict.fromkeys(covers)), owner, tkind, steps, run, minutes))
            asset_refs.update(covers)
            team_refs.add(owner)
        if f_policy is not None:
            if policy is not None:
                return None  # defined twice
            policy = f_policy
    team_refs.discard(None)  # an asset or a test without an owner of its own
    n = len(ids)
    by_id = sorted(range(n), key=ids.__getitem__)
    ids = list(map(ids.__getitem__, by_id))
    index = dict(zip(ids, range(n)))
    if len(index) != n or len(others) != len(teams) + len(systems) + len(tests):
        return None  # an id defined twice
    if not asset_refs <= index.keys() or not team_refs <= {t.id for t in teams}:
        return None  # a reference to nothing
    try:
        up_pos = list(map(index.__getitem__, ups))
        down_pos = list(map(index.__getitem__, downs))
    except KeyError:
        return None  # a dependency on nothing
    sys_t, sys_of = _table(list(map(system_of.__getitem__, by_id)))
    type_t, type_of = _table(list(map(types.__getitem__, by_id)))
    owner_t, owner_of = _table(list(map(owners.__getitem__, by_id)))
    adjacency = _adjacency(n, up_pos, down_pos, noted, used)
    if adjacency is None:
        return None  # a dependency on itself
    offsets, targets, notes, uses = adjacency
    return {
        "files": rels,
        "teams": [_slot_row(t) for t in sorted(teams, key=lambda t: t.id)],
        "systems": [
            (*row[:-1], array("i", map(index.__getitem__, row[-1])).tobytes()) for row in sorted(systems, key=lambda r: r[0])
        ],
        "tests": [_slot_row(t) for t in sorted(tests, key=lambda t: t.id)],
        "policy": policy,
        "ids": "\0".join(ids),
        "systems_t": sys_t, "system_of": sys_of,
        "types_t": type_t, "type_of": type_of,
        "owners_t": owner_t, "owner_of": owner_of,
        "critical": bytes(map(bool, map(critical.__getitem__, by_id))),
        "descriptions": list(map(descriptions.__getitem__, by_id)),
        "display_names": list(map(display_names.__getitem__, by_id)),
        "consulted": list(map(consulted.__getitem__, by_id)),
        "informed": list(map(informed.__getitem__, by_id)),
        "file_of": array("i", map(file_of.__getitem__, by_id)).tobytes(),
        "line": array("i", map(lines.__getitem__, by_id)).tobytes(),
        "col": array("i", map(cols.__getitem__, by_id)).tobytes(),
        "others": others,
        "order": "\0".join(order),
        "offsets": offsets, "targets": targets, "notes": notes, "uses": uses,
        # Every file's dependencies as declared, in positions: an edit to them
        # is patched by replacing one file's stretch (see patch()).
        "edge_up": array("i", up_pos).tobytes(), "edge_down": array("i", down_pos).tobytes(),
        "edge_files": array("i", edge_files).tobytes(), "edge_noted": noted, "edge_used": used,
    }  # fmt: skip


def _adjacency(
    n: int, ups: list[int], downs: list[int], noted: list[tuple[int, str]], used: list[tuple[int, tuple[str, ...]]] = ()  # type: ignore[assignment]
) -> tuple[bytes, bytes, dict[int, str], dict[int, tuple[str, ...]]] | None:
    """The snapshot's ``offsets``, ``targets``, ``notes`` and ``uses`` of dependencies given as position columns.

    Each (upstream, downstream) pair is coded as one number, ``up * n + down``;
    sorted and unique, the codes are the adjacency by upstream with
    downstreams ascending. NumPy does in milliseconds what took Python a
    second over 300,000 dependencies (sorting numbers too large for one
    machine word). An edge declared twice keeps a note as :func:`merge` does:
    the first declaration's, or, if that had none, the first non-empty later one;
    and uses what its declarations say together (:func:`merge_uses`).

    Examples
    --------
    >>> offsets, targets, notes, uses = _adjacency(3, [2, 0, 0, 2], [0, 1, 1, 1], [(2, "sync")], [(0, ("data",)), (1, ("name",))])
    >>> list(_ints(offsets)), list(_ints(targets)), notes, uses  # 0 -> 1 is declared twice, once without uses
    ([0, 1, 1, 3], [1, 0, 1], {0: 'sync'}, {1: ('data',)})
    >>> _adjacency(2, [1], [1], []) is None  # a dependency on itself
    True
    """
    import numpy as np

    up, down = np.asarray(ups, dtype=np.int64), np.asarray(downs, dtype=np.int64)
    if (up == down).any():
        return None
    pairs = up * n + down
    codes, first, counts = np.unique(pairs, return_index=True, return_counts=True)
    offsets = np.searchsorted(codes, np.arange(n + 1, dtype=np.int64) * n)
    targets = codes % n if n else codes
    notes: dict[int, str] = {}
    if noted:
        at = np.searchsorted(codes, pairs[[pos for pos, _ in noted]]).tolist()
        firsts = first.tolist()
        for (pos, note), edge in zip(noted, at):  # in order of position
            if edge not in notes and (pos == firsts[edge] or note):
                notes[edge] = note
    uses: dict[int, tuple[str, ...]] = {}
    if used:
        at = np.searchsorted(codes, pairs[[pos for pos, _ in used]]).tolist()
        said: dict[int, list[tuple[str, ...]]] = {}
        for (_pos, aspects), edge in zip(used, at):
            said.setdefault(edge, []).append(aspects)
        many = counts.tolist()
        for edge, found in said.items():
            if len(found) == many[edge]:  # every declaration says what it uses; one that does not uses everything
                every = {a for aspects in found for a in aspects}
                uses[edge] = tuple(a for a in ASPECTS if a in every)
    # np.intc is C's int: the same bytes as array("i"), which the snapshot is read with.
    return offsets.astype(np.intc).tobytes(), targets.astype(np.intc).tobytes(), notes, uses


# --- merged catalog <-> snapshot payload --------------------------------------


def _table(values: list[str]) -> tuple[list[str], bytes]:
    """Distinct values (in order of first appearance) and one index per value, as array bytes."""
    distinct = list(dict.fromkeys(values))
    index = dict(zip(distinct, range(len(distinct))))
    return distinct, array("i", map(index.__getitem__, values)).tobytes()


def _ints(raw: bytes) -> array[int]:
    out = array("i")
    out.frombytes(raw)
    return out


def encode(merged: dict[str, Any], rels: list[str]) -> dict[str, Any]:
    assets = merged["assets"]
    ids = sorted(assets)
    rows = [assets[a] for a in ids]
    sys_t, sys_of = _table([r[0] for r in rows])
    type_t, type_of = _table([r[2] for r in rows])
    owner_t, owner_of = _table([r[3] for r in rows])
    index = dict(zip(ids, range(len(ids))))
    edges = edge_list_from(ids, merged["edges"], merged["uses"])
    places = merged["places"]
    policy = merged["policy"]
    return {
        "files": rels,
        "teams": [tuple(t.__getattribute__(f) for f in Team.__slots__) for _, t in sorted(merged["teams"].items())],
        # A system's assets as positions in ``ids`` (array bytes): 100,000 ids
        # written a second time as strings would double the snapshot's load time.
        "systems": [
            (*(s.__getattribute__(f) for f in System.__slots__[:-1]), array("i", [index[a] for a in s.assets]).tobytes())
            for _, s in sorted(merged["systems"].items())
        ],
        "tests": [tuple(t.__getattribute__(f) for f in RegressionTest.__slots__) for _, t in sorted(merged["tests"].items())],
        "policy": policy,
        "ids": "\0".join(ids),
        "systems_t": sys_t, "system_of": sys_of,
        "types_t": type_t, "type_of": type_of,
        "owners_t": owner_t, "owner_of": owner_of,
        "critical": bytes(bool(r[4]) for r in rows),
        "descriptions": [r[5] for r in rows],
        "display_names": [r[11] for r in rows],
        "consulted": [r[6] for r in rows],
        "informed": [r[7] for r in rows],
        "file_of": array("i", [r[8] for r in rows]).tobytes(),
        "line": array("i", [r[9] for r in rows]).tobytes(),
        "col": array("i", [r[10] for r in rows]).tobytes(),
        "others": {k: v for k, v in places.items() if not k.startswith("asset:")},
        "order": "\0".join(places),
        "offsets": edges.offsets.tobytes(), "targets": edges.targets.tobytes(), "notes": edges.notes,  # type: ignore[attr-defined]
        "uses": {pos: tuple(a for a in ASPECTS if a in found) for pos, found in edges.uses.items()},
    }  # fmt: skip


def _system(row: list[Any], ids: Sequence[str]) -> System:
    """A stored system row: its fields, then the positions of its assets."""
    sid, name, owner, kind, consulted, informed, positions = row
    return System(sid, name, owner, kind, consulted, informed, tuple(map(ids.__getitem__, _ints(positions))))


def decode(data: dict[str, Any], root: Path, locate: Locate | None = None) -> Catalog:
    """The catalog of a snapshot; ``locate`` finds the places it does not hold (line 0)."""
    names = [display_path(root / rel) for rel in data["files"]]
    ids = data["ids"].split("\0") if data["ids"] else []
    cols = AssetColumns(
        ids, data["systems_t"], _ints(data["system_of"]), data["types_t"], _ints(data["type_of"]),
        data["owners_t"], _ints(data["owner_of"]), data["critical"], data["descriptions"],
        data["consulted"], data["informed"], names, _ints(data["file_of"]), _ints(data["line"]), _ints(data["col"]),
        locate, data["display_names"],
    )  # fmt: skip
    assets = AssetTable(cols)
    others = data["others"]  # (file, line, col) tuples, completed in place as places are found
    order = data["order"]  # split by PlaceTable when first iterated
    policy = data["policy"]
    return Catalog(
        root=display_path(root),
        teams={row[0]: Team(*row) for row in data["teams"]},
        systems={row[0]: _system(row, ids) for row in data["systems"]},
        assets=assets,  # type: ignore[arg-type]  # a read-only Mapping that builds on demand
        dependencies=EdgeList(  # type: ignore[arg-type]
            ids, _ints(data["offsets"]), _ints(data["targets"]), data["notes"], {pos: frozenset(u) for pos, u in data["uses"].items()}
        ),
        tests={row[0]: RegressionTest(*row) for row in data["tests"]},
        policy=pickle.loads(policy[0]) if policy is not None else None,
        places=PlaceTable(assets, others, order),  # type: ignore[arg-type]
    )


def _warning_rows(warnings: list[Problem], names: list[str]) -> list[tuple[Any, ...]]:
    where = {n: i for i, n in enumerate(names)}
    return [(where.get(p.file, p.file), p.line, p.col, p.message, p.severity) for p in warnings]


def _warnings_from(rows: list[tuple[Any, ...]], names: list[str]) -> list[Problem]:
    return [Problem(names[f] if isinstance(f, int) else f, line, col, msg, sev) for f, line, col, msg, sev in rows]


# --- bringing a snapshot up to date after an edit -------------------------------


def _record_by_digest(digest_: str) -> Record | None:
    path = cache.cache_dir() / "files" / digest_[:2] / f"{digest_}.bin"
    blob = cache.read(path, cache.digest(_code(), digest_))
    if blob is None:
        return None
    try:
        return marshal.loads(blob)  # type: ignore[no-any-return]
    except (ValueError, EOFError, TypeError):
        return None


def _shape(record: Record) -> tuple[Any, ...]:
    """What a file defines: its ids, in order.

    Two records of the same shape give the same ids and the same definition
    order, whatever else differs.
    """
    f_teams, f_systems, f_tests, f_policy, _edges = record
    return (
        [t[0] for t in f_teams],
        [(s[0], [a[0] for a in s[8]]) for s in f_systems],
        [t[0] for t in f_tests],
        f_policy is None,
    )


def _slot_row(obj: Any) -> tuple[Any, ...]:
    return tuple(obj.__getattribute__(f) for f in type(obj).__slots__)


def patch(data: dict[str, Any], fi: int, old: Record, new: Record) -> bool:
    """Replace file ``fi``'s ``old`` record by ``new`` in an encoded snapshot, in place.

    Only for an edit that keeps the file's shape (:func:`_shape`): the same
    ids in the same order. Dependencies may change: the file's stretch of
    the declared dependencies is replaced and the adjacency built again from
    them all. Anything else (an asset added, removed or renamed, a reference
    to nothing) returns False, and the caller rebuilds the snapshot from
    every record. The result is what :func:`assemble` would give for the
    records, up to the order of the string tables, which no reader sees.
    ``data`` is left half-patched on False: the caller drops it. Warnings are
    dropped, to be computed again.
    """
    if _shape(old) != _shape(new):
        return False
    f_teams, f_systems, f_tests, f_policy, new_edges = new
    ids = data["ids"].split("\0") if data["ids"] else []
    index = dict(zip(ids, range(len(ids))))
    if old[4][1:] != new_edges[1:] and not _patch_edges(data, fi, index, new_edges):
        return False
    teams_pos = {row[0]: i for i, row in enumerate(data["teams"])}
    systems_pos = {row[0]: i for i, row in enumerate(data["systems"])}
    tests_pos = {row[0]: i for i, row in enumerate(data["tests"])}
    team_refs: set[str] = set()
    others = data["others"]
    for tid, name, email, slack, members, line, col in f_teams:
        data["teams"][teams_pos[tid]] = _slot_row(Team(tid, name, email, slack, members))
        others[f"team:{tid}"] = (fi, line, col)
    cols = {k: _ints(data[k]) for k in ("type_of", "owner_of", "line", "col")}
    critical = bytearray(data["critical"])
    tables = {k: {v: i for i, v in enumerate(data[k])} for k in ("types_t", "owners_t")}

    def code(table: str, value: str) -> int:
        found = tables[table].setdefault(value, len(tables[table]))
        if found == len(data[table]):
            data[table].append(value)
        return found

    for sid, name, owner, kind, consulted, informed, line, col, f_assets in f_systems:
        team_refs.add(owner)
        team_refs.update(consulted, informed)
        row = data["systems"][systems_pos[sid]]
        data["systems"][systems_pos[sid]] = (sid, name, owner, kind, tuple(dict.fromkeys(consulted)), tuple(dict.fromkeys(informed)), row[-1])
        others[f"system:{sid}"] = (fi, line, col)
        for key, atype, aowner, crit, desc, aconsulted, ainformed, aline, acol, _deps, aname in f_assets:
            i = index[f"{sid}:{key}"]
            if aowner:
                team_refs.add(aowner)
            team_refs.update(aconsulted, ainformed)
            cols["type_of"][i] = code("types_t", atype)
            cols["owner_of"][i] = code("owners_t", aowner or owner)
            critical[i] = bool(crit)
            data["descriptions"][i] = desc
            data["display_names"][i] = aname
            data["consulted"][i] = tuple(dict.fromkeys(aconsulted))
            data["informed"][i] = tuple(dict.fromkeys(ainformed))
            cols["line"][i], cols["col"][i] = aline, acol
    for tid, name, covers, owner, tkind, steps, run, minutes, line, col in f_tests:
        if not set(covers).issubset(index):
            return False
        if owner:
            team_refs.add(owner)
        data["tests"][tests_pos[tid]] = _slot_row(RegressionTest(tid, name, tuple(dict.fromkeys(covers)), owner, tkind, steps, run, minutes))
        others[f"test:{tid}"] = (fi, line, col)
    if not team_refs.issubset(teams_pos):
        return False
    if f_policy is not None:
        data["policy"] = f_policy
    for k, values in cols.items():
        data[k] = values.tobytes()
    data["critical"] = bytes(critical)
    data["warnings"] = None
    return True


def _patch_edges(data: dict[str, Any], fi: int, index: dict[str, int], edges: tuple[Any, ...]) -> bool:
    """Put file ``fi``'s new dependencies in the snapshot; False for a reference to nothing or to itself."""
    _aids, ups, downs, noted, used = edges
    try:
        new_up = array("i", map(index.__getitem__, ups))
        new_down = array("i", map(index.__getitem__, downs))
    except KeyError:
        return False
    all_up, all_down, files = _ints(data["edge_up"]), _ints(data["edge_down"]), _ints(data["edge_files"])
    start, end = files[fi], files[fi + 1]
    shift = len(new_up) - (end - start)
    all_up[start:end], all_down[start:end] = new_up, new_down
    for i in range(fi + 1, len(files)):
        files[i] += shift
    all_noted = [(pos if pos < start else pos + shift, note) for pos, note in data["edge_noted"] if not start <= pos < end]
    all_noted += [(start + pos, note) for pos, note in noted]
    all_noted.sort()
    all_used = [(pos if pos < start else pos + shift, uses) for pos, uses in data["edge_used"] if not start <= pos < end]
    all_used += [(start + pos, uses) for pos, uses in used]
    all_used.sort()
    adjacency = _adjacency(len(index), list(all_up), list(all_down), all_noted, all_used)
    if adjacency is None:
        return False
    data["offsets"], data["targets"], data["notes"], data["uses"] = adjacency
    data["edge_used"] = all_used
    data["edge_up"], data["edge_down"], data["edge_files"] = all_up.tobytes(), all_down.tobytes(), files.tobytes()
    data["edge_noted"] = all_noted
    return True


def _patched(
    entry: tuple[str, bytes] | None, rels: list[str], hashes: list[str], raws: list[bytes | None], files: list[Path]
) -> dict[str, Any] | None:
    """The snapshot of a catalog whose files have the same names as before and few new contents."""
    if entry is None:
        return None
    old_key, payload = entry
    try:
        data: dict[str, Any] = marshal.loads(payload)
        old_hashes = data["hashes"]
        if data["files"] != rels or len(old_hashes) != len(hashes) or old_key != cache.digest(_code(), *rels, *old_hashes):
            return None
    except Exception:  # a damaged or foreign entry is no entry
        return None
    changed = [i for i, (a, b) in enumerate(zip(old_hashes, hashes)) if a != b]
    if len(changed) > max(1, len(rels) // 4) or not fill(raws, files, hashes, changed):
        return None  # many files changed (merging afresh is as quick), or one changed while being read
    for fi in changed:
        old = _record_by_digest(old_hashes[fi])
        raw = raws[fi]
        assert raw is not None  # filled above
        new = cached_record(raw)
        if new is None:
            new = build_record(raw, display_path(files[fi]))
            if new is None:
                return None
            store_record(raw, new)
        if old is None or not patch(data, fi, old, new):
            return None
    data["hashes"] = hashes
    return data


# --- the whole path -------------------------------------------------------------


class LazyWarnings(UserList[Problem]):
    """A catalog's warnings, computed when first read (``impact check`` never reads them)."""

    def __init__(self, compute: Callable[[], list[Problem]]) -> None:  # no super(): it would set data
        self._compute: Callable[[], list[Problem]] | None = compute
        self._data: list[Problem] = []

    @property
    def data(self) -> list[Problem]:
        if self._compute is not None:
            self._data, self._compute = self._compute(), None
        return self._data

    @data.setter
    def data(self, value: list[Problem]) -> None:
        self._data, self._compute = value, None


def check_cached(
    root: Path,
    max_file_bytes: int,
    max_catalog_bytes: int,
    finish: Callable[[Catalog], list[Problem]],
    warnings_now: bool = True,
) -> tuple[Catalog, list[Problem]] | None:
    """A valid catalog and its warnings through the cache, or None for the ordinary path.

    ``finish`` computes the warnings of a freshly merged catalog; they are
    stored with the snapshot and replayed as they were. With ``warnings_now``
    False they are computed only if someone reads ``catalog.warnings`` (and
    the list returned is empty).
    """
    from impact.load.loader import catalog_files

    found = ProblemList()
    files = catalog_files(root, found)
    if found.items or not files:
        return None
    stats = FileIndex.stats(files)
    sizes = [st[0] for st in stats]
    if sum(sizes) > max_catalog_bytes or max(sizes) > max_file_bytes:
        return None
    rels = [p.relative_to(root).as_posix() for p in files]
    # Files whose metadata vouches for them are not read (store/freshness.py):
    # an unchanged catalog is known by its files' stat alone.
    index = FileIndex.load(root)
    hashes, raws = index.digests(files, rels, stats)
    index.forget_others(rels)
    index.save(root)
    key = cache.digest(_code(), *rels, *hashes)
    base = cache.cache_dir()
    snapshot_path = base / "catalogs" / f"{cache.digest(str(root.resolve()))}.bin"
    names = [display_path(root / rel) for rel in rels]
    entry = cache.read_entry(snapshot_path)
    data: dict[str, Any] | None = None
    locate = FileLocator(files, names, hashes, raws)
    if entry is not None and entry[0] == key:
        try:
            data = marshal.loads(entry[1])
            catalog = decode(data, root, locate)
            return _finish(catalog, data, names, finish, warnings_now, snapshot_path, key)
        except Exception:  # a damaged or foreign entry is no entry, whatever it breaks
            data = None
    else:
        data = _patched(entry, rels, hashes, raws, files)
    if data is None:
        if not fill(raws, files, hashes, range(len(files))):
            return None  # a file changed while impact read the catalog: the ordinary path reads it afresh
        # One pause of the garbage collector for the whole build: paused per
        # file, each file's end set off a collection over everything kept so
        # far (a second at 100,000 assets); nothing here is in a cycle.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            data = _build(files, raws, rels, hashes)  # type: ignore[arg-type]  # every file read: filled above
        finally:
            if was_enabled:
                gc.enable()
        if data is None:
            return None
    catalog = decode(data, root, locate)
    return _finish(catalog, data, names, finish, warnings_now, snapshot_path, key, fresh=True)


def _build(files: list[Path], raws: list[bytes], rels: list[str], hashes: list[str]) -> dict[str, Any] | None:
    """The snapshot of a catalog from its files' records (cached or built now); None on any error."""
    found = build_records(raws, [display_path(path) for path in files])
    if None in found:
        return None
    records: list[Record] = found  # type: ignore[assignment]  # no None, as just checked
    data = assemble(records, rels)
    if data is None:
        return None
    data["hashes"] = hashes
    data["warnings"] = None
    return data


def _finish(
    catalog: Catalog,
    data: dict[str, Any],
    names: list[str],
    finish: Callable[[Catalog], list[Problem]],
    warnings_now: bool,
    snapshot_path: Path,
    key: str,
    fresh: bool = False,
) -> tuple[Catalog, list[Problem]]:
    """Attach the warnings (stored, computed now, or computed when read) and store a changed snapshot."""
    if data["warnings"] is not None:
        catalog.warnings = _warnings_from(data["warnings"], names)
    elif warnings_now:
        catalog.warnings = finish(catalog)
        data["warnings"] = _warning_rows(catalog.warnings, names)
        fresh = True
        if isinstance(catalog.assets, AssetTable) and isinstance(catalog.places, PlaceTable):
            # Places found for the warnings are kept: no later run reads those files again.
            cols = catalog.assets.cols
            data["line"], data["col"] = array("i", cols.line).tobytes(), array("i", cols.col).tobytes()
            data["others"] = catalog.places.others
    else:
        catalog.warnings = LazyWarnings(lambda: finish(catalog))  # type: ignore[assignment]
    if fresh:
        cache.write(snapshot_path, key, marshal.dumps(data))
    return catalog, (sorted(catalog.warnings) if warnings_now else [])
