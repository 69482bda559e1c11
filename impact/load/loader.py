"""Loading a catalog directory: find files, parse, check shape, merge, check links.

Every problem in every file is gathered and reported at once, in a stable
order, each with ``file:line:col``; the catalog is returned only when there is
no error. Warnings (an untested critical asset, a cycle) ride along on the
catalog.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from impact.core.catalog import Catalog, Place
from impact.core.errors import ImpactError, Problem, ProblemList, display_path
from impact.load.cached import LazyWarnings, check_cached
from impact.load.files import catalog_files
from impact.load.lookalike import lookalike_warnings
from impact.load.places import FileLocator
from impact.read.limits import Limits, read_limited
from impact.store import cache
from impact.store.compact import prefetch_places
from impact.store.snapshot import decode
from impact.store.snapshot_build import assemble, encode

if TYPE_CHECKING:
    from impact.read.records import FileRecord


def _check_size(root: Path, files: list[Path], limits: Limits) -> None:
    """Refuse a catalog larger than impact agrees to read (:mod:`impact.read.limits`)."""
    total = sum(p.stat().st_size for p in files)
    if total > limits.max_catalog_bytes:
        message = (
            f"the catalog is {total / 2**20:.0f} MiB, more than the limit of "
            f"{limits.max_catalog_bytes / 2**20:.0f} MiB (IMPACT_MAX_CATALOG_MB)"
        )
        raise ImpactError(Problem(display_path(root), 0, 0, message))


def read_catalog_records(
    root: Path, limits: Limits, problems: ProblemList
) -> tuple[list[str], list[Any], list[FileRecord], list[bytes]]:
    """Parse and shape-check each file, gathering problems; the files' records, to merge.

    Returns, for each file that parses, its path relative to ``root``, what
    locates a path in it (the parsed ``YamlDoc``, or a ``DeferredYamlDoc`` that
    parses the file only if asked), its record (see
    :mod:`impact.read.records`) and its bytes. A file that fails validation gives the
    record of its valid entries, so one typo does not hide the next problem.
    """
    files = catalog_files(root, problems)
    _check_size(root, files, limits)
    # Only when the catalog is read afresh: a warm run needs none of these (start-up time);
    # a valid catalog needs neither pydantic's models nor PyYAML.
    from impact.load.linking import DeferredYamlDoc
    from impact.load.workers import file_records_in_workers
    from impact.read.records import record_from
    from impact.read.schema import CatalogFileSpec
    from impact.read.shape_check import salvage_catalog_file, validate
    from impact.read.slips import known_keys
    from impact.read.yamlio import parse_yaml

    read: list[tuple[Path, str, bytes]] = []
    for path in files:
        try:
            read.append((path, display_path(path), read_limited(path, limits.max_file_bytes)))
        except ImpactError as exc:
            problems.root_causes(exc.problems, display_path(path), None)
    # Every valid file's record, from the cache or parsed now (in parallel for a
    # large catalog); only the files with a problem are parsed again below, here.
    found = file_records_in_workers([raw for _, _, raw in read], [name for _, name, _ in read], cache.enabled())
    rels: list[str] = []
    locators: list[Any] = []
    records: list[FileRecord] = []
    raws: list[bytes] = []
    for (path, name, raw), record in zip(read, found):
        if record is not None:  # valid: only what it references is left to check
            locator: Any = DeferredYamlDoc(name, raw, record)
        else:
            try:
                doc = parse_yaml(raw, name, keys=known_keys(CatalogFileSpec))
            except ImpactError as exc:
                problems.root_causes(exc.problems, name, raw)
                continue
            spec, errors = validate(CatalogFileSpec, doc)
            problems.items.extend(errors)
            if spec is None:
                # Keep checking the rest of the file: one typo must not hide the next problem.
                spec, dropped = salvage_catalog_file(doc.data)
                problems.known_invalid.update(dropped)
            record, locator = record_from(doc, spec), doc
        rels.append(path.relative_to(root).as_posix())
        locators.append(locator)
        raws.append(raw)
        records.append(record)
    return rels, locators, records, raws


def _untested(aid: str, p: Place) -> Problem:
    return Problem(p.file, p.line, p.col, f"critical asset {aid!r} is covered by no regression test", "warning")


def _warnings(catalog: Catalog) -> list[Problem]:
    found: list[Problem] = []
    covered = catalog.tests_by_asset
    untested = [aid for aid in catalog.assets.critical_ids() if aid not in covered]
    prefetch_places(catalog.places, (f"asset:{aid}" for aid in untested))
    for aid in untested:
        p = catalog.places[f"asset:{aid}"]
        found.append(_untested(aid, p))
    return found


def check_catalog(
    root: str | os.PathLike[str],
    limits: Limits | None = None,
    *,
    warnings_now: bool = True,
) -> tuple[Catalog | None, list[Problem]]:
    """Load a catalog and return it (None if it has errors) with every problem and warning, sorted.

    With ``warnings_now`` False, the catalog gets its warnings only when
    ``catalog.warnings`` is read, and the list returned
    holds only errors (a check needs no warnings, and finding them takes a
    second at 100,000 assets). A catalog with errors comes with the warnings
    of what could be read (untested critical assets, look-alike ids; not the
    dependency cycles, which need the graph).
    """
    path = Path(root)
    if not path.is_dir():
        what = "is a file, not a folder" if path.exists() else "does not exist"
        raise ImpactError(f"catalog {display_path(path)} {what}; give the folder that holds the catalog's YAML files")
    limits = limits or Limits.from_env()
    if cache.enabled():  # a valid catalog through the cache; anything wrong takes the path below
        cached = check_cached(path, limits.max_file_bytes, limits.max_catalog_bytes, _all_warnings, warnings_now)
        if cached is not None:
            return cached
    # Needed from here on only; the cached path above never imports them (start-up time).
    from impact.load.linking import Reporter, merge
    from impact.read.gcpause import gc_paused

    problems = ProblemList()
    with gc_paused():  # hundreds of thousands of objects, none in a cycle: see gc_paused
        rels, locators, records, raws = read_catalog_records(path, limits, problems)
        names = [display_path(path / rel) for rel in rels]
        # A valid catalog is assembled by columns, as the cache does; any
        # problem takes merge(), which reports every one with its place.
        data = assemble(records, rels) if records and not problems.items else None
        if data is None:
            reporter = Reporter(names, locators, problems)
            merged = merge(records, reporter)
            if not merged["places"] and not problems.items:
                message = "this folder holds no *.yaml or *.yml files; is it the catalog?"
                problems.error(display_path(path), 0, 0, message)
            if problems.errors:  # with the warnings of what could be read: fixing an error should not reveal them later
                locate = FileLocator([path / rel for rel in rels], names, [_digest(raw) for raw in raws], raws)
                places = _MergedPlaces(merged["places"], names, locate)
                warnings = sorted(problems.warnings + _merged_warnings(records, merged, places))
                return None, sorted(problems.errors + problems.notes) + warnings
            data = encode(merged, rels)
        # Places are found as through the cache: for many files at once, in parallel.
        hashes = [_digest(raw) for raw in raws]
        catalog = decode(data, path, FileLocator([path / rel for rel in rels], names, hashes, raws))
    if not warnings_now:
        catalog.warnings = LazyWarnings(lambda: _all_warnings(catalog))  # type: ignore[assignment]
        return catalog, []
    catalog.warnings = _all_warnings(catalog)
    return catalog, sorted(catalog.warnings)


def _digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


class _MergedPlaces(Mapping[str, Place]):
    """The places of a merge that found errors; one in a fast-read file is found when asked, as for a valid catalog."""

    def __init__(self, places: dict[str, tuple[int, int, int]], names: list[str], locate: FileLocator) -> None:
        self.places, self.names, self.locate = places, names, locate

    def prefetch(self, keys: Iterable[str]) -> None:
        """Find these places at once (see :func:`impact.store.compact.prefetch_places`)."""
        self.locate.prefetch({self.places[k][0] for k in keys if k in self.places and not self.places[k][1]})

    def __getitem__(self, key: str) -> Place:
        fi, line, col = self.places[key]
        if not line:
            line, col = self.locate(fi, key)
        return Place(self.names[fi], line, col)

    def __iter__(self) -> Iterator[str]:
        return iter(self.places)

    def __len__(self) -> int:
        return len(self.places)


def _merged_warnings(records: list[FileRecord], merged: dict[str, Any], places: _MergedPlaces) -> list[Problem]:
    """The warnings of a catalog with errors, from what could be read: untested critical assets, look-alike ids."""
    covered = {aid for test in merged["tests"].values() for aid in test.covers}
    untested = []
    for fi, record in enumerate(records):
        for system in record.systems:
            a = system.assets
            for key, critical, line, col in zip(a.keys, a.critical, a.lines, a.cols):
                aid = f"{system.id}:{key}"
                if critical and aid not in covered and merged["places"].get(f"asset:{aid}") == (fi, line, col):
                    untested.append(aid)
    places.prefetch(f"asset:{aid}" for aid in untested)
    found = []
    for aid in untested:
        p = places[f"asset:{aid}"]
        found.append(_untested(aid, p))
    return found + lookalike_warnings(places)


def _all_warnings(catalog: Catalog) -> list[Problem]:
    return _warnings(catalog) + lookalike_warnings(catalog.places)


def load_catalog(root: str | os.PathLike[str], limits: Limits | None = None) -> Catalog:
    """Load a catalog or raise :class:`ImpactError` with every error found."""
    catalog, problems = check_catalog(root, limits, warnings_now=False)
    if catalog is None:
        raise ImpactError([p for p in problems if p.severity != "warning"])
    return catalog
