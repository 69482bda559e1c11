"""Loading a catalog directory: find files, parse, check shape, merge, check links.

Every problem in every file is gathered and reported at once, in a stable
order, each with ``file:line:col``; the catalog is returned only when there is
no error. Warnings (an untested critical asset, a cycle) ride along on the
catalog.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from impact.core.catalog import Catalog, split_asset_id
from impact.core.errors import ImpactError, Problem, ProblemList, display_path
from impact.load.lookalike import lookalike_warnings
from impact.store.compact import AssetTable, prefetch_places

if TYPE_CHECKING:  # imported where used: a run over a cached catalog needs neither (pydantic is slow to import)
    from impact.load.fastload import Record

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Limits:
    """Sizes refused before parsing; overridable with environment variables."""

    max_file_bytes: int = 64 * 2**20
    max_catalog_bytes: int = 1024 * 2**20

    @classmethod
    def from_env(cls) -> Limits:
        def mib(name: str, default: int) -> int:
            raw = os.environ.get(name)
            try:
                return int(float(raw) * 2**20) if raw else default
            except (ValueError, OverflowError):  # "abc", "nan", "inf"
                raise ImpactError(f"{name}={raw!r} is not a number of MiB") from None

        return cls(
            mib("IMPACT_MAX_FILE_MB", cls.max_file_bytes),
            mib("IMPACT_MAX_CATALOG_MB", cls.max_catalog_bytes),
        )


def catalog_files(root: Path, problems: ProblemList) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` below ``root``, each once, sorted; links must stay inside.

    Hidden files and folders (``.git``, caches) are skipped. A link loop is
    walked once; a link that leaves the catalog is refused on its real path.
    """
    real_root = root.resolve()
    seen_dirs: set[Path] = set()
    seen_files: set[Path] = set()
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real_dir = Path(dirpath).resolve()
        if real_dir in seen_dirs or not real_dir.is_relative_to(real_root):
            if not real_dir.is_relative_to(real_root):
                problems.error(display_path(dirpath), 0, 0, f"this folder is a link to {real_dir}, outside the catalog; copy it in instead")
            dirnames[:] = []
            continue
        seen_dirs.add(real_dir)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(YAML_SUFFIXES):
                continue
            path = Path(dirpath) / name
            real = path.resolve()
            if not real.is_relative_to(real_root):
                problems.error(display_path(path), 0, 0, f"this file is a link to {real}, outside the catalog; copy it in instead")
            elif real not in seen_files and real.is_file():
                seen_files.add(real)
                found.append(path)
    return sorted(found, key=lambda p: p.as_posix())


def read_limited(path: Path, limit: int) -> bytes:
    size = path.stat().st_size
    if size > limit:
        raise ImpactError(
            Problem(display_path(path), 0, 0, f"this file is {size / 2**20:.1f} MiB, more than the limit of {limit / 2**20:.0f} MiB (IMPACT_MAX_FILE_MB)")
        )
    return path.read_bytes()


def read_catalog_records(
    root: Path, limits: Limits, problems: ProblemList
) -> tuple[list[str], list[Any], list[Record], list[bytes]]:
    """Parse and shape-check each file, gathering problems; the files' records, to merge.

    Returns, for each file that parses, its path relative to ``root``, what
    locates a path in it (the parsed ``YamlDoc``, or a ``RecordDoc`` that
    parses the file only if asked), its record (see
    :mod:`impact.load.fastload`) and its bytes. A file that fails validation gives the
    record of its valid entries, so one typo does not hide the next problem.
    """
    files = catalog_files(root, problems)
    total = sum(p.stat().st_size for p in files)
    if total > limits.max_catalog_bytes:
        raise ImpactError(
            Problem(display_path(root), 0, 0, f"the catalog is {total / 2**20:.0f} MiB, more than the limit of {limits.max_catalog_bytes / 2**20:.0f} MiB (IMPACT_MAX_CATALOG_MB)")
        )
    from impact.load import fastload
    from impact.read.schema import CatalogFileSpec, salvage_catalog_file, validate
    from impact.read.yamlio import parse_yaml
    from impact.store import cache

    read: list[tuple[Path, str, bytes]] = []
    for path in files:
        try:
            read.append((path, display_path(path), read_limited(path, limits.max_file_bytes)))
        except ImpactError as exc:
            problems.root_causes(exc.problems, display_path(path), None)
    # Every valid file's record, from the cache or parsed now (in parallel for a
    # large catalog); only the files with a problem are parsed again below, here.
    found = fastload.build_records([raw for _, _, raw in read], [name for _, name, _ in read], cache.enabled())
    rels: list[str] = []
    locators: list[Any] = []
    records: list[Record] = []
    raws: list[bytes] = []
    for (path, name, raw), record in zip(read, found):
        if record is not None:  # valid: only what it references is left to check
            locator: Any = fastload.RecordDoc(name, raw, record)
        else:
            try:
                doc = parse_yaml(raw, name)
            except ImpactError as exc:
                problems.root_causes(exc.problems, name, raw)
                continue
            spec, errors = validate(CatalogFileSpec, doc)
            problems.items.extend(errors)
            if spec is None:
                # Keep checking the rest of the file: one typo must not hide the next problem.
                spec, dropped = salvage_catalog_file(doc.data)
                problems.known_invalid.update(dropped)
            record, locator = fastload.record_from(doc, spec), doc
        rels.append(path.relative_to(root).as_posix())
        locators.append(locator)
        raws.append(raw)
        records.append(record)
    return rels, locators, records, raws


def suggest(kind: str, ident: str, teams: dict[str, Any], systems: dict[str, Any], assets: dict[str, Any]) -> str | None:
    """The closest existing id, to turn a typo into a one-line fix."""
    if kind == "team":
        candidates: Any = teams
    else:
        system, _ = split_asset_id(ident)
        if system in systems:
            candidates = systems[system].assets
        else:
            close = difflib.get_close_matches(system, list(systems), n=1, cutoff=0.7)
            if not close:
                return None
            candidates = systems[close[0]].assets
            ident = f"{close[0]}:{split_asset_id(ident)[1]}"
            if ident in assets:
                return ident
    matches = difflib.get_close_matches(ident, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggest_asset(ident: str, catalog: Catalog) -> str | None:
    """The asset id a person most likely meant: a typo of an id, or a bare key (``emea-inbound``) of one asset.

    """
    if ":" not in ident:
        # A key without its system: an asset whose key is it, or ends with it after a '/'.
        found = sorted(a for a in catalog.assets if (k := a.split(":", 1)[1]) == ident or k.endswith("/" + ident))
        if len(found) == 1:
            return found[0]
        close = difflib.get_close_matches(ident, [a.split(":", 1)[1] for a in catalog.assets], n=1, cutoff=0.75)
        if close:
            return min(a for a in catalog.assets if a.split(":", 1)[1] == close[0])
        return None
    return suggest("asset", ident, catalog.teams, catalog.systems, catalog.assets)


def suggest_system(ident: str, catalog: Catalog) -> str | None:
    """The system id a person most likely meant."""
    close = difflib.get_close_matches(ident, list(catalog.systems), n=1, cutoff=0.6)
    return close[0] if close else None


def _warnings(catalog: Catalog) -> list[Problem]:
    found: list[Problem] = []
    covered = catalog.tests_by_asset
    assets = catalog.assets
    critical = assets.critical_ids() if isinstance(assets, AssetTable) else [aid for aid, a in assets.items() if a.critical]
    untested = [aid for aid in critical if aid not in covered]
    prefetch_places(catalog.places, (f"asset:{aid}" for aid in untested))
    for aid in untested:
        p = catalog.places[f"asset:{aid}"]
        found.append(Problem(p.file, p.line, p.col, f"critical asset {aid!r} is covered by no regression test", "warning"))
    return found


def check_catalog(
    root: str | os.PathLike[str], limits: Limits | None = None, *, warnings_now: bool = True
) -> tuple[Catalog | None, list[Problem]]:
    """Load a catalog and return it (None if it has errors) with every problem and warning, sorted.

    With ``warnings_now`` False, the catalog gets its warnings only when
    ``catalog.warnings`` is read, and the list returned
    holds only errors (a check needs no warnings, and finding them takes a
    second at 100,000 assets).
    """
    path = Path(root)
    if not path.is_dir():
        what = "is a file, not a folder" if path.exists() else "does not exist"
        raise ImpactError(f"catalog {display_path(path)} {what}; give the folder that holds the catalog's YAML files")
    limits = limits or Limits.from_env()
    from impact.store import cache

    if cache.enabled():  # a valid catalog through the cache; anything wrong takes the path below
        from impact.load.fastload import check_cached

        cached = check_cached(path, limits.max_file_bytes, limits.max_catalog_bytes, _all_warnings, warnings_now)
        if cached is not None:
            return cached
    from impact.load import fastload
    from impact.read.yamlio import gc_paused

    problems = ProblemList()
    with gc_paused():  # hundreds of thousands of objects, none in a cycle: see gc_paused
        rels, locators, records, raws = read_catalog_records(path, limits, problems)
        names = [display_path(path / rel) for rel in rels]
        # A valid catalog is assembled by columns, as the cache does; any
        # problem takes merge(), which reports every one with its place.
        data = fastload.assemble(records, rels) if records and not problems.items else None
        if data is None:
            merged = fastload.merge(records, fastload.Reporter(names, locators, problems))
            if not merged["places"] and not problems.items:
                problems.error(display_path(path), 0, 0, "this folder holds no *.yaml or *.yml files; is it the catalog?")
            if problems.errors:
                return None, sorted(problems.errors + problems.notes) + problems.warnings
            data = fastload.encode(merged, rels)
        # Places are found as through the cache: for many files at once, in parallel.
        hashes = [hashlib.blake2b(raw, digest_size=16).hexdigest() for raw in raws]
        catalog = fastload.decode(data, path, fastload.FileLocator([path / rel for rel in rels], names, hashes, raws))
    if not warnings_now:
        catalog.warnings = fastload.LazyWarnings(lambda: _all_warnings(catalog))  # type: ignore[assignment]
        return catalog, []
    catalog.warnings = _all_warnings(catalog)
    return catalog, sorted(catalog.warnings)


def _all_warnings(catalog: Catalog) -> list[Problem]:
    return _warnings(catalog) + lookalike_warnings(catalog.places)


def load_catalog(root: str | os.PathLike[str], limits: Limits | None = None) -> Catalog:
    """Load a catalog or raise :class:`ImpactError` with every error found."""
    catalog, problems = check_catalog(root, limits, warnings_now=False)
    if catalog is None:
        raise ImpactError([p for p in problems if p.severity != "warning"])
    return catalog
