"""One catalog file as a record: what it defines and where, as plain tuples.

A record is what the cache keeps per file (keyed by the digest of its bytes,
see :mod:`impact.store.record_cache`): the file's teams, systems with their
assets, tests and policy, and its dependencies as columns of ids, with where
each definition stands (line, column) if the file was read precisely, or
line 0 if it was read by the fast reader (:mod:`impact.read.fastyaml`): such
places are found when a message needs them (:func:`definition_places`).
"""

from __future__ import annotations

import pickle
from typing import Any

from impact.core.errors import ImpactError

Record = tuple[Any, ...]


# --- one file -> one record ---------------------------------------------------


def build_record(raw: bytes, name: str) -> Record | None:
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
    same: dict[str | None, str | None] = {}
    none: tuple[str, ...] = ()
    for sid, s in data.get("systems", {}).items():
        base = ("systems", sid)
        assets = []
        for key, a in s.get("assets", {}).items():
            aid = f"{sid}:{key}"
            aids.append(aid)
            # An asset's dependencies are its span of the file's columns:
            # (how many from depends_on, how many from feeds); see dependencies().
            on, fed = a.get("depends_on", none), a.get("feeds", none)
            for entries, feeds in ((on, False), (fed, True)):
                for entry in entries:
                    if isinstance(entry, str):
                        other = entry
                    else:
                        other = entry["asset"]
                        if entry.get("note") is not None:
                            noted.append((len(ups), entry["note"]))
                    ups.append(aid if feeds else other)
                    downs.append(other if feeds else aid)
            line, col = locate((*base, "assets", key), key=True)
            atype, owner = same.setdefault(a["type"], a["type"]), same.setdefault(a.get("owner"), a.get("owner"))
            assets.append((
                key, atype, owner, a.get("critical", False), a.get("description"),
                tuple(a.get("consulted", none)), tuple(a.get("informed", none)), line, col, (len(on), len(fed)),
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
    return (teams, systems, tests, policy, (aids, ups, downs, noted))


def dependencies(record: Record) -> list[list[tuple[tuple[bool, str, str | None], ...]]]:
    """Per system, per asset: its dependencies as ``(feeds, other asset, note)``, in the order written.

    Rebuilt from the file's columns, which hold each dependency once; only
    the loader's path for catalogs with problems needs them per asset.
    """
    _teams, f_systems, _tests, _policy, (_aids, ups, downs, noted) = record
    notes = dict(noted)
    out = []
    at = 0
    for system in f_systems:
        per_asset = []
        for asset in system[8]:
            n_on, n_feeds = asset[9]
            on = [(False, ups[q], notes.get(q)) for q in range(at, at + n_on)]
            fed = [(True, downs[q], notes.get(q)) for q in range(at + n_on, at + n_on + n_feeds)]
            per_asset.append((*on, *fed))
            at += n_on + n_feeds
        out.append(per_asset)
    return out


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
