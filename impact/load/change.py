"""Change requests (``change.yaml``): loading, finding their catalog, resolving targets."""

from __future__ import annotations

import difflib
import hashlib
import marshal
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from impact.core.aspects import EVERY, add_up, touched
from impact.core.catalog import Catalog, Place
from impact.core.errors import ImpactError, Problem, ProblemList, display_path
from impact.core.ids import Suggester, split_asset_id, suggest, team_list
from impact.read.limits import YAML_SUFFIXES, Limits, read_limited
from impact.store import cache

CATALOG_ENV = "IMPACT_CATALOG"
CONVENTIONAL_NAME = "catalog"


@dataclass(frozen=True, slots=True)
class ChangeItem:
    target: str
    action: str
    note: str | None
    place: Place
    aspects: tuple[str, ...] | None = None
    """What the item says it touches (see :mod:`impact.graph.aspects`); None when it does not say."""
    values: tuple[str, ...] | None = None
    """The values it says it adds, removes or renames (see :mod:`impact.core.aspects`); None when it does not say."""
    to: str | None = None
    """A rename's new id (``to:``), when the item gives it."""


@dataclass(frozen=True, slots=True)
class Step:
    """Who did one step of a change (``triage``, ``build`` or ``qa``), and when."""

    step: str
    by: str
    at: str | None = None


@dataclass(frozen=True, slots=True)
class Signoff:
    """One team's decision on a change (``signoffs:``)."""

    team: str
    by: str
    decision: str
    """``approved`` or ``rejected``."""
    at: str | None = None
    note: str | None = None
    place: Place | None = None


@dataclass(frozen=True, slots=True)
class TestResult:
    """One run of a regression test for a change (``results:``); the last per test counts."""

    __test__ = False  # not a pytest class

    test: str
    result: str
    """``passed``, ``failed`` or ``skipped``."""
    by: str
    at: str | None = None
    evidence: str | None = None
    note: str | None = None
    place: Place | None = None


@dataclass(frozen=True)
class ChangeRequest:
    """A change request as written, before it is matched against a catalog."""

    id: str
    title: str
    file: str
    items: tuple[ChangeItem, ...]
    requested_by: str | None = None
    status: str | None = None
    release: str | None = None
    path: str | None = None
    catalog: Path | None = None
    """The catalog its ``catalog:`` key names, resolved against the file's folder."""
    place: Place | None = None
    requested_by_place: Place | None = None
    steps: tuple[Step, ...] = ()
    """Who did triage, build and QA, in that order (only the steps written)."""
    signoffs: tuple[Signoff, ...] = ()
    results: tuple[TestResult, ...] = ()
    """In the order written: the last result of a test counts."""


@dataclass(frozen=True, slots=True)
class ChangedAsset:
    asset: str
    system: str
    action: str
    note: str | None
    target: str
    """What the change file named: the asset itself, or its whole system."""
    in_catalog: bool = True
    aspects: frozenset[str] = EVERY
    """What the change items on this asset touch, added up, with the values they name
    (:func:`impact.core.aspects.pack`).
    """


def load_change(path: str | os.PathLike[str], limits: Limits | None = None) -> ChangeRequest:
    """Read and shape-check one change file; raise :class:`ImpactError` with every problem."""
    file = Path(path)
    name = display_path(file)
    if not file.is_file():
        raise ImpactError(
            Problem(name, 0, 0, "no such change file" if not file.exists() else "this is a folder, not a change file")
        )
    raw = read_limited(file, (limits or Limits.from_env()).max_file_bytes)
    fields = _cached_fields(raw)
    if fields is None:
        fields = _parse_fields(raw, name)
        _store_fields(raw, fields)
    (
        id_,
        title,
        requested_by,
        status,
        release,
        path_,
        catalog,
        items_,
        id_at,
        requested_by_at,
        steps,
        signoffs,
        results,
    ) = fields
    return ChangeRequest(
        id=id_,
        title=title,
        file=name,
        items=tuple(
            ChangeItem(target, action, note, Place(name, line, col), _tuple(aspects), _tuple(values), to)
            for target, action, note, line, col, aspects, values, to in items_
        ),
        requested_by=requested_by,
        status=status,
        release=release,
        path=path_,
        catalog=(file.parent / catalog) if catalog else None,
        place=Place(name, *id_at),
        requested_by_place=Place(name, *requested_by_at) if requested_by_at else None,
        steps=tuple(Step(*s) for s in steps),
        signoffs=tuple(Signoff(s[0], s[1], s[2], s[3], s[4], Place(name, s[5], s[6])) for s in signoffs),
        results=tuple(TestResult(r[0], r[1], r[2], r[3], r[4], r[5], Place(name, r[6], r[7])) for r in results),
    )


def _tuple(words: Any) -> tuple[str, ...] | None:
    """A list as written, each word once, in order (None stays None)."""
    return tuple(dict.fromkeys(words)) if words is not None else None


_Fields = tuple[Any, ...]
"""(id, title, requested_by, status, release, path, catalog, items, id place, requested_by place, steps, signoffs,
results).
"""
FIELD_COUNT = 13


def _parse_fields(raw: bytes, name: str) -> _Fields:
    """Parse and shape-check a change file: its fields as plain values, places as (line, col)."""
    # Only for a change file not in the cache: a warm check needs neither pydantic nor PyYAML (start-up time).
    from impact.read.schema import ChangeSpec
    from impact.read.shape_check import validate
    from impact.read.slips import known_keys
    from impact.read.yamlio import parse_yaml

    doc = parse_yaml(raw, name, keys=known_keys(ChangeSpec))
    spec, problems = validate(ChangeSpec, doc)
    if spec is None:
        raise ImpactError(problems)
    items = tuple(
        (
            item.target,
            item.action,
            item.note,
            *doc.locate(("changes", i, "target")),
            _tuple(item.aspects),
            _tuple(item.values),
            item.to,
        )
        for i, item in enumerate(spec.changes)
    )
    return (
        spec.id, spec.title, spec.requested_by, spec.status, spec.release, spec.path, spec.catalog, items,
        doc.locate(("id",)), doc.locate(("requested_by",)) if spec.requested_by else None,
        *_readiness_fields(spec, doc),
    )  # fmt: skip


def _readiness_fields(spec: Any, doc: Any) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """``steps:``, ``signoffs:`` and ``results:`` as plain tuples (marshal-friendly), each entry's place last."""
    steps = tuple(
        (name, step.by, step.at)
        for name in ("triage", "build", "qa")
        if spec.steps and (step := getattr(spec.steps, name)) is not None
    )
    signoffs = tuple(
        (s.team, s.by, s.decision, s.at, s.note, *doc.locate(("signoffs", i, "team")))
        for i, s in enumerate(spec.signoffs)
    )
    results = tuple(
        (r.test, r.result, r.by, r.at, r.evidence, r.note, *doc.locate(("results", i, "test")))
        for i, r in enumerate(spec.results)
    )
    return steps, signoffs, results


# A valid change file's fields are cached by the digest of its bytes (and impact's
# code), like catalog files: a check on a cached catalog then imports no YAML
# parser or pydantic. Only valid files are stored, so every error is found afresh.


def _fields_entry(raw: bytes) -> tuple[Path, str]:
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    return cache.cache_dir() / "changes" / f"{digest}.bin", cache.digest(cache.code_version(), "change", digest)


def _cached_fields(raw: bytes) -> _Fields | None:
    if not cache.enabled():
        return None
    blob = cache.read(*_fields_entry(raw))
    try:
        fields = marshal.loads(blob) if blob is not None else None
    except (ValueError, EOFError, TypeError):  # damaged: no entry
        return None
    return fields if isinstance(fields, tuple) and len(fields) == FIELD_COUNT else None


def _store_fields(raw: bytes, fields: _Fields) -> None:
    if cache.enabled():
        try:
            blob = marshal.dumps(fields)
        except ValueError:  # not plain values: no entry, nothing lost
            return
        cache.write(*_fields_entry(raw), blob)


def load_changes(paths: list[Path], limits: Limits | None = None) -> list[ChangeRequest]:
    """Load several change files, gathering every problem; ids must be unique."""
    problems = ProblemList()
    changes: list[ChangeRequest] = []
    for path in paths:
        try:
            changes.append(load_change(path, limits))
        except ImpactError as exc:
            problems.items.extend(exc.problems)
    first: dict[str, ChangeRequest] = {}
    for change in changes:
        if change.id in first and change.place:
            p = change.place
            problems.error(
                p.file, p.line, p.col, f"change request id {change.id!r} is also used by {first[change.id].file}"
            )
        first.setdefault(change.id, change)
    problems.raise_if_errors()
    return sorted(changes, key=lambda c: c.id)


def change_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The change files of a folder (not recursive), sorted."""
    path = Path(folder)
    if not path.is_dir():
        raise ImpactError(f"--changes {display_path(path)}: no such folder")
    return sorted(p for p in path.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file() and not p.name.startswith("."))


def find_catalog(changes: list[ChangeRequest], option: str | None) -> Path:
    """Which catalog a command works on.

    The rule, first match wins (the command line, then files, then the
    environment, then what is discovered):

    1. ``--catalog DIR`` given on the command line;
    2. the change files' own ``catalog:`` key (relative to the change file);
    3. the ``IMPACT_CATALOG`` environment variable;
    4. a folder named ``catalog`` next to the change file's folder or any
       folder above it (``catalogs/example/changes/x.yaml`` finds
       ``catalogs/example/catalog/``), then ``./catalog``.
    """
    if option:
        return Path(option)
    declared = {c.catalog.resolve(): c for c in changes if c.catalog is not None}
    if len(declared) > 1:
        shown = ", ".join(f"{c.file} names {display_path(c.catalog)}" for c in declared.values() if c.catalog)
        raise ImpactError(
            f"these change files name different catalogs: {shown}; check them one catalog at a time, or give "
            "--catalog DIR"
        )
    if declared:
        change = next(iter(declared.values()))
        assert change.catalog is not None
        if not change.catalog.is_dir():
            p = change.place or Place(change.file, 0, 0)
            raise ImpactError(
                Problem(
                    p.file,
                    0,
                    0,
                    f"catalog: {display_path(change.catalog)} is not a folder (the path is relative to the change "
                    "file; --catalog DIR overrides it)",
                )
            )
        return change.catalog
    explicit = os.environ.get(CATALOG_ENV)
    if explicit:
        return Path(explicit)
    starts = [Path(c.file).resolve().parent for c in changes]
    for start in starts:
        for folder in (start, *start.parents):
            candidate = folder / CONVENTIONAL_NAME
            if candidate.is_dir():
                return Path(display_path(candidate))
    if Path(CONVENTIONAL_NAME).is_dir():
        return Path(CONVENTIONAL_NAME)
    raise ImpactError(
        "no catalog found: give --catalog DIR, set IMPACT_CATALOG, add 'catalog: <folder>' to the change file, "
        "or keep the catalog in a folder named 'catalog' beside the folder of your change files"
    )


def catalog_folder(option: str | None) -> Path:
    """The catalog of a command that reads no change file.

    ``--catalog DIR`` (or its argument), then ``IMPACT_CATALOG``, then ``./catalog``.
    """
    explicit = option or os.environ.get(CATALOG_ENV)
    if explicit:
        return Path(explicit)
    if Path(CONVENTIONAL_NAME).is_dir():
        return Path(CONVENTIONAL_NAME)
    raise ImpactError("no catalog given: use --catalog DIR or set IMPACT_CATALOG (there is no ./catalog folder here)")


def _not_an_asset(item: ChangeItem, system_id: str, catalog: Catalog, near: Suggester) -> str:
    """Why a target is not in the catalog, and what to write: the id meant, or ``action: create`` for a new asset."""
    hint = suggest("asset", item.target, catalog.teams, catalog.systems, catalog.assets, near)
    text = f"target {item.target!r} is not an asset of the catalog in {catalog.root.rstrip('/')}/"
    if system_id not in catalog.systems:
        return text + f" (there is no system {system_id!r})" + (f"; did you mean {hint!r}?" if hint else "")
    close = hint is not None and difflib.SequenceMatcher(None, item.target, hint).ratio() >= 0.85
    if close:
        return text + f"; did you mean {hint!r}?"
    create = "; if it is a new asset, write 'action: create'"
    return text + create + (f" (or did you mean {hint!r}?)" if hint else "")


def _renamed(item: ChangeItem, catalog: Catalog) -> str:
    """The catalog asset an item is about: its target, or a rename's new id (``to:``) once the catalog has only that."""
    if item.to is not None and item.target not in catalog.assets and item.to in catalog.assets:
        return item.to
    return item.target


def resolve_change(change: ChangeRequest, catalog: Catalog) -> list[ChangedAsset]:
    """The assets a change request touches: asset targets as they are, system targets expanded.

    A ``create`` may name an asset the catalog does not list yet, as long as
    its system exists. A rename with ``to:`` names its asset by the old id
    while the catalog has it, by the new id once the catalog was refreshed
    (the ``target`` said then is still the one the item gave).
    """
    problems = ProblemList()
    changed: dict[str, ChangedAsset] = {}
    near = Suggester()
    for item in change.items:
        if ":" not in item.target:
            _add_system_target(item, catalog, changed, problems, near)
        else:
            _add_asset_target(item, catalog, changed, problems, near)
    if change.requested_by and change.requested_by not in catalog.teams and change.requested_by_place:
        p = change.requested_by_place
        hint = suggest("team", change.requested_by, catalog.teams, {}, {})
        found = f"did you mean {hint!r}?" if hint else team_list(catalog.teams)
        where = f"the catalog in {catalog.root.rstrip('/')}/"
        problems.error(p.file, p.line, p.col, f"requested_by {change.requested_by!r} is not a team of {where}; {found}")
    _check_readiness_refs(change, catalog, problems)
    problems.raise_if_errors()
    aspects = _aspects_touched(change, catalog, changed)
    return sorted(
        (replace(c, aspects=aspects[c.asset]) if c.asset in aspects else c for c in changed.values()),
        key=lambda c: c.asset,
    )


def _add_system_target(
    item: ChangeItem, catalog: Catalog, changed: dict[str, ChangedAsset], problems: ProblemList, near: Suggester
) -> None:
    """Every asset of the system an item targets, changed (unless an earlier item changed it first)."""
    p = item.place
    system = catalog.systems.get(item.target)
    if system is None:
        close = near.index(catalog.systems).closest(item.target, 0.6)
        known = ", ".join(catalog.systems)
        mean = f"; did you mean {close!r}?" if close else ""
        what = f"target {item.target!r} is neither an asset id (system:key) nor a system; systems: {known}"
        problems.error(p.file, p.line, p.col, what + mean)
        return
    for aid in system.assets:
        changed.setdefault(aid, ChangedAsset(aid, system.id, item.action, item.note, item.target))


def _add_asset_target(
    item: ChangeItem, catalog: Catalog, changed: dict[str, ChangedAsset], problems: ProblemList, near: Suggester
) -> None:
    """The asset an item targets, changed (unless an earlier item changed it first); one to create may be new."""
    p = item.place
    system_id, _ = split_asset_id(item.target)
    if item.to is not None and split_asset_id(item.to)[0] != system_id:
        problems.error(
            p.file,
            p.line,
            p.col,
            f"to: {item.to!r} is in another system than {item.target!r}; a rename keeps an asset in its system",
        )
        return
    asset = _renamed(item, catalog)
    if asset in catalog.assets:
        changed.setdefault(asset, ChangedAsset(asset, system_id, item.action, item.note, item.target))
    elif item.action == "create" and system_id in catalog.systems:
        changed.setdefault(
            item.target, ChangedAsset(item.target, system_id, item.action, item.note, item.target, in_catalog=False)
        )
    else:
        problems.error(p.file, p.line, p.col, _not_an_asset(item, system_id, catalog, near))


def _aspects_touched(
    change: ChangeRequest, catalog: Catalog, changed: dict[str, ChangedAsset]
) -> dict[str, frozenset[str]]:
    """What each changed asset has touched, by asset id.

    Several items on one asset add up what they touch; a system target gives
    each of its assets the item's aspects.
    """
    aspects: dict[str, frozenset[str]] = {}
    for item in change.items:
        its = touched(item.action, item.aspects, item.values)
        if ":" in item.target:
            asset = _renamed(item, catalog)
            if asset in changed:
                aspects[asset] = add_up(aspects.get(asset, frozenset()), its)
        elif item.target in catalog.systems:
            for aid in catalog.systems[item.target].assets:
                aspects[aid] = add_up(aspects.get(aid, frozenset()), its)
    return aspects


def _check_readiness_refs(change: ChangeRequest, catalog: Catalog, problems: ProblemList) -> None:
    """Every sign-off names a team of the catalog, every result a test of it."""
    where = f"the catalog in {catalog.root.rstrip('/')}/"
    for signoff in change.signoffs:
        if signoff.team not in catalog.teams and signoff.place:
            p = signoff.place
            hint = difflib.get_close_matches(signoff.team, list(catalog.teams), n=1, cutoff=0.6)
            shown = f"did you mean {hint[0]!r}?" if hint else team_list(catalog.teams)
            problems.error(p.file, p.line, p.col, f"signoffs: team {signoff.team!r} is not a team of {where}; {shown}")
    for result in change.results:
        if result.test not in catalog.tests and result.place:
            p = result.place
            hint = difflib.get_close_matches(result.test, list(catalog.tests), n=1, cutoff=0.6)
            shown = f"; did you mean {hint[0]!r}?" if hint else ""
            problems.error(p.file, p.line, p.col, f"results: test {result.test!r} is not a test of {where}{shown}")
