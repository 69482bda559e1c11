"""Loading a catalog directory: find files, parse, check shape, merge, check links.

Every problem in every file is gathered and reported at once, in a stable
order, each with ``file:line:col``; the catalog is returned only when there is
no error. Warnings (an untested critical asset, a cycle) ride along on the
catalog.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from impact.model.catalog import (
    Asset,
    Catalog,
    Dependency,
    Place,
    RegressionTest,
    System,
    Team,
    split_asset_id,
)
from impact.model.compact import AssetTable
from impact.model.errors import ImpactError, Problem, ProblemList, display_path
from impact.model.lookalike import lookalike_warnings

if TYPE_CHECKING:  # imported where used: a run over a cached catalog needs neither (pydantic is slow to import)
    from impact.model.schema import CatalogFileSpec, PolicySpec
    from impact.model.yamlio import YamlDoc

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


def parse_catalog_files(root: Path, limits: Limits, problems: ProblemList) -> Iterator[tuple[YamlDoc, CatalogFileSpec]]:
    """Parse and shape-check each file, gathering problems; yield the good ones."""
    files = catalog_files(root, problems)
    total = sum(p.stat().st_size for p in files)
    if total > limits.max_catalog_bytes:
        raise ImpactError(
            Problem(display_path(root), 0, 0, f"the catalog is {total / 2**20:.0f} MiB, more than the limit of {limits.max_catalog_bytes / 2**20:.0f} MiB (IMPACT_MAX_CATALOG_MB)")
        )
    from impact.model import cache, fastload
    from impact.model.schema import CatalogFileSpec, salvage_catalog_file, validate
    from impact.model.yamlio import parse_yaml

    use_cache = cache.enabled()
    for path in files:
        name = display_path(path)
        try:
            raw = read_limited(path, limits.max_file_bytes)
            record = fastload.cached_record(raw) if use_cache else None
            if record is not None:  # valid when cached: only what it references is left to check
                yield fastload.RecordDoc(name, raw, record), fastload.spec_from_record(record)
                continue
            doc = parse_yaml(raw, name)
        except ImpactError as exc:
            problems.items.extend(exc.problems)
            continue
        spec, found = validate(CatalogFileSpec, doc)
        problems.items.extend(found)
        if use_cache and spec is not None and not found:
            fastload.store_record(raw, fastload.record_from(doc, spec))
        if spec is None:
            # Keep checking the rest of the file: one typo must not hide the next problem.
            spec, dropped = salvage_catalog_file(doc.data)
            problems.known_invalid.update(dropped)
        yield doc, spec


class _Merger:
    """Merges file specs into one catalog, remembering where everything came from."""

    def __init__(self, root: Path, problems: ProblemList) -> None:
        self.root = root
        self.problems = problems
        self.teams: dict[str, Team] = {}
        self.systems: dict[str, System] = {}
        self.assets: dict[str, Asset] = {}
        self.tests: dict[str, RegressionTest] = {}
        self.edges: dict[tuple[str, str], Dependency] = {}
        self.policy: PolicySpec | None = None
        self.policy_place: Place | None = None
        self.places: dict[str, Place] = {}
        # (kind of thing referred to, id, (doc, path) of the reference, context) for
        # checking once all is merged; located only when reported (most never are).
        self.refs: list[tuple[str, str, tuple[YamlDoc, tuple[Any, ...]], str]] = []

    def place(self, doc: YamlDoc, path: tuple[Any, ...], *, key: bool = False) -> Place:
        line, col = doc.locate(path, key=key)
        return Place(doc.file, line, col)

    def define(self, kind: str, ident: str, place: Place) -> bool:
        first = self.places.get(f"{kind}:{ident}")
        if first is not None:
            self.problems.error(place.file, place.line, place.col, f"{kind} {ident!r} is defined twice; the first is at {first}")
            return False
        self.places[f"{kind}:{ident}"] = place
        return True

    def ref(self, kind: str, ident: str, where: tuple[YamlDoc, tuple[Any, ...]], context: str) -> None:
        self.refs.append((kind, ident, where, context))

    def add(self, doc: YamlDoc, spec: CatalogFileSpec) -> None:
        for tid, team in spec.teams.items():
            if self.define("team", tid, self.place(doc, ("teams", tid), key=True)):
                self.teams[tid] = Team(tid, team.name, team.email, team.slack, tuple(team.members))
        for sid, system in spec.systems.items():
            self.add_system(doc, sid, system)
        for tid, test in spec.tests.items():
            if not self.define("test", tid, self.place(doc, ("tests", tid), key=True)):
                continue
            self.tests[tid] = RegressionTest(
                tid, test.name, tuple(dict.fromkeys(test.covers)), test.owner, test.kind, tuple(test.steps), test.run, test.minutes
            )
            for i, asset in enumerate(test.covers):
                self.ref("asset", asset, (doc, ("tests", tid, "covers", i)), f"test {tid!r} covers")
            if test.owner:
                self.ref("team", test.owner, (doc, ("tests", tid, "owner")), f"test {tid!r} owner")
        if spec.policy is not None:
            where = self.place(doc, ("policy",), key=True)
            if self.policy_place is not None:
                self.problems.error(where.file, where.line, where.col, f"the policy is defined twice; the first is at {self.policy_place}")
            else:
                self.policy, self.policy_place = spec.policy, where

    def add_system(self, doc: YamlDoc, sid: str, system: Any) -> None:
        base = ("systems", sid)
        if not self.define("system", sid, self.place(doc, base, key=True)):
            return
        self.ref("team", system.owner, (doc, (*base, "owner")), f"system {sid!r} owner")
        for role in ("consulted", "informed"):
            for i, team in enumerate(getattr(system, role)):
                self.ref("team", team, (doc, (*base, role, i)), f"system {sid!r} {role}")
        ids = []
        for key, spec in system.assets.items():
            apath = (*base, "assets", key)
            aid = f"{sid}:{key}"
            if not self.define("asset", aid, self.place(doc, apath, key=True)):
                continue
            ids.append(aid)
            if spec.owner:
                self.ref("team", spec.owner, (doc, (*apath, "owner")), f"asset {aid!r} owner")
            for role in ("consulted", "informed"):
                for i, team in enumerate(getattr(spec, role)):
                    self.ref("team", team, (doc, (*apath, role, i)), f"asset {aid!r} {role}")
            self.assets[aid] = Asset(
                aid,
                sid,
                key,
                spec.type,
                spec.owner or system.owner,
                spec.critical,
                spec.description,
                tuple(dict.fromkeys(spec.consulted)),
                tuple(dict.fromkeys(spec.informed)),
            )
            for field, upstream_side in (("depends_on", False), ("feeds", True)):
                for i, dep in enumerate(getattr(spec, field)):
                    up, down = (aid, dep.asset) if upstream_side else (dep.asset, aid)
                    if up == down:
                        where = self.place(doc, (*apath, field, i))
                        self.problems.error(where.file, where.line, where.col, f"asset {aid!r} cannot depend on itself")
                        continue
                    self.ref("asset", dep.asset, (doc, (*apath, field, i)), f"asset {aid!r} {field}")
                    edge = self.edges.get((up, down))
                    if edge is None or (edge.note is None and dep.note):
                        self.edges[(up, down)] = Dependency(up, down, dep.note)
        self.systems[sid] = System(
            sid,
            system.name,
            system.owner,
            system.kind,
            tuple(dict.fromkeys(system.consulted)),
            tuple(dict.fromkeys(system.informed)),
            tuple(ids),
        )

    def check_refs(self) -> None:
        known = {"team": self.teams, "asset": self.assets}
        for kind, ident, (doc, path), context in self.refs:
            if ident in known[kind] or f"{kind}:{ident}" in self.problems.known_invalid:
                continue
            where = self.place(doc, path)
            message = f"{context} {ident!r}, which is not {'an asset' if kind == 'asset' else 'a team'} of this catalog"
            hint = suggest(kind, ident, self.teams, self.systems, self.assets)
            self.problems.error(where.file, where.line, where.col, message + (f"; did you mean {hint!r}?" if hint else ""))
        # An edge to an asset that does not exist was reported above; drop it.
        for pair in [p for p in self.edges if p[0] not in self.assets or p[1] not in self.assets]:
            del self.edges[pair]


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


def _warnings(catalog: Catalog) -> list[Problem]:
    found: list[Problem] = []
    covered = catalog.tests_by_asset
    assets = catalog.assets
    critical = assets.critical_ids() if isinstance(assets, AssetTable) else [aid for aid, a in assets.items() if a.critical]
    for aid in critical:
        if aid not in covered:
            p = catalog.places[f"asset:{aid}"]
            found.append(Problem(p.file, p.line, p.col, f"critical asset {aid!r} is covered by no regression test", "warning"))
    return found


def build_catalog(root: Path, docs: Iterator[tuple[YamlDoc, CatalogFileSpec]], problems: ProblemList) -> Catalog:
    merger = _Merger(root, problems)
    for doc, spec in docs:
        merger.add(doc, spec)
    merger.check_refs()
    return Catalog(
        root=display_path(root),
        teams=dict(sorted(merger.teams.items())),
        systems=dict(sorted(merger.systems.items())),
        assets=dict(sorted(merger.assets.items())),
        dependencies=sorted(merger.edges.values(), key=lambda d: (d.upstream, d.downstream)),
        tests=dict(sorted(merger.tests.items())),
        policy=merger.policy,
        places=merger.places,
    )


def check_catalog(
    root: str | os.PathLike[str], limits: Limits | None = None, *, warnings_now: bool = True
) -> tuple[Catalog | None, list[Problem]]:
    """Load a catalog and return it (None if it has errors) with every problem and warning, sorted.

    With ``warnings_now`` False, a catalog that comes from the cache gets its
    warnings only when ``catalog.warnings`` is read, and the list returned
    holds only errors (a check needs no warnings, and finding them takes a
    second at 100,000 assets).
    """
    path = Path(root)
    if not path.is_dir():
        what = "is a file, not a folder" if path.exists() else "does not exist"
        raise ImpactError(f"catalog {display_path(path)} {what}; give the folder that holds the catalog's YAML files")
    limits = limits or Limits.from_env()
    from impact.model import cache

    if cache.enabled():  # a valid catalog through the cache; anything wrong takes the path below
        from impact.model.fastload import check_cached

        cached = check_cached(path, limits.max_file_bytes, limits.max_catalog_bytes, _all_warnings, warnings_now)
        if cached is not None:
            return cached
    problems = ProblemList()
    catalog = build_catalog(path, parse_catalog_files(path, limits, problems), problems)
    if not catalog.places and not problems.items:
        problems.error(display_path(path), 0, 0, "this folder holds no *.yaml or *.yml files; is it the catalog?")
    if problems.errors:
        return None, problems.errors + problems.warnings
    catalog.warnings = _all_warnings(catalog)
    return catalog, sorted(catalog.warnings)


def _all_warnings(catalog: Catalog) -> list[Problem]:
    return _warnings(catalog) + lookalike_warnings(catalog.places)


def load_catalog(root: str | os.PathLike[str], limits: Limits | None = None) -> Catalog:
    """Load a catalog or raise :class:`ImpactError` with every error found."""
    catalog, problems = check_catalog(root, limits, warnings_now=False)
    if catalog is None:
        raise ImpactError([p for p in problems if p.severity == "error"])
    return catalog
