"""Merging imported assets into a catalog file, keeping every hand-written field.

The rule is simple enough to predict: an import only *adds*. It adds systems,
assets and dependencies the file does not have yet, and fills fields that are
empty (type, owner, description). It never overwrites a value and never
deletes anything: descriptions, owners, ``critical``, ``consulted``,
``informed``, ``feeds`` and dependency notes survive every re-import. Assets
the source no longer lists are reported, for a person to decide.

The file is edited in place (ruamel.yaml's round-trip reader, see
:mod:`impact.importers.roundtrip`): comments, key order and quoting a person
wrote are kept.
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from impact.core.errors import ImpactError, Problem, ProblemList, display_path
from impact.importers import provenance, roundtrip, splice
from impact.load.files import catalog_files
from impact.read.gcpause import gc_paused
from impact.read.limits import Limits, read_limited
from impact.read.schema import AssetSpec, CatalogFileSpec, DependencySpec, plain_validator
from impact.read.shape_check import validate
from impact.read.yamlio import parse_yaml
from impact.store.fsio import atomic_write, guard_output


@dataclass
class ImportedAsset:
    type: str | None = None
    owner: str | None = None
    description: str | None = None
    depends_on: list[str] = field(default_factory=list)
    name: str | None = None  # display name (a label in the source); written when the catalog format has it
    uses: dict[str, list[str]] = field(default_factory=dict)  # dependency id → the aspects it uses of it
    # dependency id → the values it tests of it (issue #29)
    values: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportedTest:
    """A regression test found in the source (a dbt test), covering imported assets."""

    name: str
    covers: list[str]
    kind: str = "automated"
    run: str | None = None
    owner: str | None = None


@dataclass
class ImportedSystem:
    id: str
    name: str | None = None
    kind: str | None = None
    owner: str | None = None
    assets: dict[str, ImportedAsset] = field(default_factory=dict)

    def default_owner(self) -> str | None:
        """The declared owner, else the most common asset owner (ties: alphabetical)."""
        if self.owner:
            return self.owner
        counts = Counter(a.owner for a in self.assets.values() if a.owner)
        return min(counts, key=lambda team: (-counts[team], team)) if counts else None


@dataclass
class Imported:
    """What a reader found in a source file."""

    source: str
    command: str
    systems: dict[str, ImportedSystem] = field(default_factory=dict)
    tests: dict[str, ImportedTest] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # said to the user after the import

    def system(self, sid: str) -> ImportedSystem:
        return self.systems.setdefault(sid, ImportedSystem(sid))


@dataclass
class MergeReport:
    target: str
    created: bool
    systems_added: list[str]
    assets_added: int
    dependencies_added: int
    fields_filled: int
    teams_added: list[str]
    not_in_source: list[str]
    tests_added: int = 0
    dependencies_removed: int = 0
    tests_removed: int = 0
    dependencies_restated: int = 0  # dependencies it wrote before whose uses or values the newer export changed
    removed: list[str] = field(default_factory=list)  # what was removed, as plain items (the first ten of each)
    written: bool = True
    """False when the file was left exactly as it was (nothing new in the source)."""

    def lines(self) -> list[str]:
        verb = "Created" if self.created else "Updated"
        out = [
            f"{verb} {self.target}: {self.assets_added} asset(s) and {self.dependencies_added} dependency(ies) added, "
            f"{self.fields_filled} empty field(s) filled"
            + (f", {self.tests_added} test(s) added" if self.tests_added else "")
            + (f"; new systems: {', '.join(self.systems_added)}" if self.systems_added else "")
        ]
        if not self.written:
            out = [f"Unchanged {self.target}: nothing new in the source, the file was not written"]
        if self.teams_added:
            out.append(
                f"Added placeholder teams {', '.join(self.teams_added)} to {self.target}: give them real names, or "
                "define them elsewhere and delete them here"
            )
        if self.dependencies_removed or self.tests_removed:
            out.append(
                f"Removed {self.dependencies_removed} dependency(ies) and {self.tests_removed} test(s) "
                f"this import wrote before and the export no longer has: {'; '.join(self.removed)}"
            )
        if self.dependencies_restated:
            out.append(f"Rewrote {self.dependencies_restated} dependency(ies) whose uses or values the export changed")
        if self.not_in_source:
            shown = ", ".join(self.not_in_source[:10]) + (
                f" and {len(self.not_in_source) - 10} more" if len(self.not_in_source) > 10 else ""
            )
            out.append(
                f"Kept {len(self.not_in_source)} asset(s) the source no longer lists (delete them by hand if they "
                f"are gone): {shown}"
            )
        return out


def _other_definitions(catalog: Path, target: Path) -> tuple[set[str], dict[str, str]]:
    """Teams and systems defined in the catalog's other files (team ids; system id → file)."""
    teams: set[str] = set()
    systems: dict[str, str] = {}
    if not catalog.is_dir():
        return teams, systems
    limit = Limits.from_env().max_file_bytes
    for path in catalog_files(catalog, ProblemList()):  # the loader's rules; its problems are for 'impact validate'
        if path.resolve() == target.resolve():
            continue
        try:
            data = parse_yaml(read_limited(path, limit), display_path(path)).data
        except ImpactError:
            continue  # a broken file is for 'impact validate' to report
        if isinstance(data.get("teams"), dict):
            teams.update(data["teams"])
        if isinstance(data.get("systems"), dict):
            for sid in data["systems"]:
                systems.setdefault(sid, display_path(path))
    return teams, systems


def _existing(target: Path) -> dict[str, Any]:
    """The target file as plain data with real booleans and numbers, or empty."""
    if not target.exists():
        return {}
    doc = parse_yaml(read_limited(target, Limits.from_env().max_file_bytes), display_path(target))
    spec, problems = validate(CatalogFileSpec, doc)
    if spec is None:
        raise ImpactError([*problems, Problem(display_path(target), 0, 0, "fix this file before importing into it")])
    plain: dict[str, Any] = _plain(spec.model_dump(mode="python", by_alias=True, exclude_defaults=True))
    return plain


def _plain(data: Any) -> Any:
    """Short form for dependencies without a note, as people write them."""
    if isinstance(data, dict):
        if set(data) == {"asset"}:
            return data["asset"]
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(item) for item in data]
    return data


def _dep_id(dep: Any) -> str:
    return dep if isinstance(dep, str) else dep["asset"]


def merge(
    existing: dict[str, Any], imported: Imported, known_teams: set[str], other_systems: dict[str, str], target: str
) -> tuple[dict[str, Any], MergeReport]:
    """The merged file data and what changed. Pure: no reading or writing."""
    data = {key: value for key, value in existing.items()}
    systems: dict[str, Any] = dict(data.get("systems", {}))
    problems: list[Problem] = []
    report = MergeReport(target, not existing, [], 0, 0, 0, [], [])
    used_teams: set[str] = set()
    for sid in sorted(imported.systems):
        src = imported.systems[sid]
        if sid in other_systems:
            problems.append(_defined_elsewhere(imported, sid, other_systems[sid]))
            continue
        system = dict(systems.get(sid, {}))
        if not system:
            owner = src.default_owner()
            if owner is None:
                problems.append(
                    Problem(imported.source, 0, 0, f"system {sid!r} is new and has no owner: give --owner TEAM")
                )
                continue
            system = {"name": src.name or sid, **({"kind": src.kind} if src.kind else {}), "owner": owner}
            report.systems_added.append(sid)
        used_teams.add(system["owner"])
        assets: dict[str, Any] = dict(system.get("assets", {}))
        for key in sorted(src.assets):
            assets[key] = _merged_asset(assets, key, src.assets[key], system["owner"], report)
            if assets[key].get("owner"):
                used_teams.add(assets[key]["owner"])
        report.not_in_source.extend(f"{sid}:{key}" for key in sorted(assets) if key not in src.assets)
        system["assets"] = dict(sorted(assets.items()))
        systems[sid] = _ordered_system(system)
    if problems:
        raise ImpactError(problems)
    tests = _merged_tests(dict(data.get("tests", {})), imported.tests, report)
    if tests:
        data["tests"] = dict(sorted(tests.items()))
    teams = dict(data.get("teams", {}))
    for team in sorted(used_teams - known_teams - set(teams)):
        teams[team] = {"name": team}
        report.teams_added.append(team)
    out: dict[str, Any] = {}
    if teams:
        out["teams"] = dict(sorted(teams.items()))
    out["systems"] = systems
    out.update({key: value for key, value in data.items() if key not in ("teams", "systems")})
    return out, report


def _defined_elsewhere(imported: Imported, sid: str, there: str) -> Problem:
    """The problem of an imported system that another catalog file defines."""
    hint = f"import into that file instead (-o {there})"
    if imported.command == "csv":  # a CSV may list several systems: one import per file
        command = f"impact import csv {imported.source} --system {sid} -o {there}"
        hint = f"import its rows into that file instead: {command}"
    return Problem(imported.source, 0, 0, f"system {sid!r} is already defined in {there}; {hint}")


def _merged_asset(
    assets: dict[str, Any], key: str, item: ImportedAsset, system_owner: str, report: MergeReport
) -> dict[str, Any]:
    """The asset ``key`` of a system's ``assets``, with the fields it lacks and the dependencies the import found."""
    asset = dict(assets.get(key, {}))
    if not asset:
        report.assets_added += 1
    fields = [("type", item.type or "asset"), ("owner", item.owner), ("description", item.description)]
    if _ASSET_HAS_NAME and item.name and item.name != key:
        fields.insert(0, ("name", item.name))
    for name, value in fields:
        if name == "owner" and value == system_owner:
            continue  # the system's owner is the default; writing it again is noise
        if value and not asset.get(name):
            if key in assets:
                report.fields_filled += 1
            asset[name] = value
    deps = list(asset.get("depends_on", []))
    have = {_dep_id(d) for d in deps}
    for dep in item.depends_on:
        if dep not in have:
            deps.append(_dependency(item, dep))
            have.add(dep)
            report.dependencies_added += 1
    if deps:
        asset["depends_on"] = deps
    return _ordered(asset)


def _merged_tests(tests: dict[str, Any], imported: dict[str, ImportedTest], report: MergeReport) -> dict[str, Any]:
    """The file's ``tests`` with the imported tests it lacks added (one it has may have been edited: kept as it is)."""
    for tid in sorted(imported):
        if tid in tests:
            continue
        test = imported[tid]
        tests[tid] = {
            "name": test.name,
            "covers": list(test.covers),
            "kind": test.kind,
            **({"run": test.run} if test.run else {}),
            **({"owner": test.owner} if test.owner else {}),
        }
        report.tests_added += 1
    return tests


def _dependency(item: ImportedAsset, dep: str) -> str | dict[str, Any]:
    """A new dependency as written: its id, or a mapping with what it uses and the values it tests."""
    said: dict[str, Any] = {"asset": dep}
    if _DEP_HAS_USES and dep in item.uses:
        said["uses"] = list(item.uses[dep])
    if _DEP_HAS_VALUES and item.values.get(dep):
        said["values"] = list(item.values[dep])
    return said if len(said) > 1 else dep


_DEP_HAS_USES = "uses" in DependencySpec.model_fields  # what a dependency uses (aspects), once the format has it
_DEP_HAS_VALUES = "values" in DependencySpec.model_fields  # the values it tests, once the format has them
_ASSET_HAS_NAME = "name" in AssetSpec.model_fields  # display names, once the catalog format has them
_ASSET_ORDER = ("type", "name", "owner", "critical", "description", "depends_on", "feeds", "consulted", "informed")
_SYSTEM_ORDER = ("name", "kind", "owner", "consulted", "informed", "assets")


def _ordered(asset: dict[str, Any]) -> dict[str, Any]:
    """Known keys in their usual order, then any other key as it was (never dropped)."""
    return {
        **{key: asset[key] for key in _ASSET_ORDER if key in asset},
        **{key: value for key, value in asset.items() if key not in _ASSET_ORDER},
    }


def _ordered_system(system: dict[str, Any]) -> dict[str, Any]:
    return {
        **{key: system[key] for key in _SYSTEM_ORDER if key in system},
        **{key: value for key, value in system.items() if key not in _SYSTEM_ORDER},
    }


def record_source(data: dict[str, Any], entry: dict[str, Any], replaces: str | None = None) -> dict[str, Any]:
    """``data`` with ``entry`` in its ``sources``: replacing the entry of the same kind and path (or path ``replaces``),
    else added.
    """
    sources = [dict(item) for item in data.get("sources", [])]
    for i, item in enumerate(sources):
        if item.get("kind") == entry["kind"] and item.get("path") in (entry["path"], replaces):
            sources[i] = entry
            break
    else:
        sources.append(entry)
    return {**data, "sources": sources}


def merge_into_file(
    target: Path,
    imported: Imported,
    catalog: Path | None = None,
    protected: list[Path] | None = None,
    source: dict[str, Any] | None = None,
) -> MergeReport:
    """Add ``imported`` to the catalog file ``target`` (created if missing), atomically.

    ``catalog`` is the catalog folder whose other files define teams and
    systems (default: the target's folder). The result is checked against
    the catalog file schema before anything is written.
    """
    guard_output(target, protected or [])
    guard_output(provenance.record_path(target), protected or [])
    known_teams, other_systems = _other_definitions(catalog or target.parent, target)
    existing = _existing(target)
    data, report = merge(existing, imported, known_teams, other_systems, display_path(target))
    record, removed, replaced, owned = _provenance(target, imported, existing, source)
    if source is not None:
        data = record_source(data, {key: value for key, value in source.items() if value or key != "args"}, replaced)
    data, removed_in_text = _removed_and_restated(data, imported, removed, owned, report)
    record_text = provenance.record_text(target, record)
    old_record = provenance.record_path(target)
    record_changed = not old_record.is_file() or old_record.read_text(encoding="utf-8") != record_text
    old_text = target.read_text(encoding="utf-8") if existing else None
    if old_text is not None and data == existing:
        if record_changed:
            atomic_write(old_record, record_text)
        report.written = False
        return report  # nothing new: the file stays exactly as it is
    # The file a person edits: additions go into its own tree, so comments, order and quoting stay.
    text = splice.write_into(old_text, data, existing, removed_in_text) if old_text is not None else None
    checked = False
    if text is None:
        header = _schema_line(target, catalog or target.parent) + (
            f"# Written by 'impact import {imported.command}' from {imported.source}.\n"
            "# Edit freely: importing again only adds what is new and keeps what you wrote,\n"
            "# comments included ('impact import refresh' re-runs the imports under sources:).\n"
        )
        text = header + dump(data)
        # The text is the safe dumper's, which gives back every string as it was:
        # checking the data is checking the file (a second of CPU less at 30,000 assets).
        checked = _valid_data(data)
    # Otherwise the result is read back the way every command will, before it is
    # written: a value from the source that impact would refuse is reported, with its place.
    if not checked:
        where = f"{display_path(target)} (imported from {imported.source}, not written)"
        _, problems = validate(CatalogFileSpec, parse_yaml(text, where))
        if problems:
            raise ImpactError(problems)
    atomic_write(target, text)
    if record_changed:
        atomic_write(old_record, record_text)
    return report


def _valid_data(data: dict[str, Any]) -> bool:
    """Whether the catalog file's schema accepts ``data`` as it is."""
    try:
        with gc_paused():
            plain_validator(CatalogFileSpec).validate_python(data)
    except ValidationError:
        return False
    return True


def _removed_and_restated(
    data: dict[str, Any],
    imported: Imported,
    removed: provenance.Written,
    owned: set[tuple[str, str]],
    report: MergeReport,
) -> tuple[dict[str, Any], provenance.Written]:
    """``data`` without what the export dropped and with what it changed; what to take out of the file's text."""
    if not removed and not owned:
        return data, removed
    data = copy.deepcopy(data)  # the merge shares untouched parts with the file's data
    provenance.remove(data, removed)
    restated = provenance.restate(data, owned, lambda a, d: _restated(imported, a, d))
    report.dependencies_restated = len(restated)
    report.dependencies_removed, report.tests_removed = removed.count()
    report.removed = list(provenance.shown(removed))
    # In the file's text a restated dependency is taken out and written anew (at the end of its list).
    return data, provenance.Written.of_pairs(removed.pairs() | restated, removed.tests)


def _restated(imported: Imported, asset_id: str, dep: str) -> str | dict[str, Any]:
    """The dependency as this import writes it now (see :func:`provenance.restate`)."""
    sid, _, key = asset_id.partition(":")
    return _dependency(imported.systems[sid].assets[key], dep)


def _provenance(
    target: Path, imported: Imported, existing: dict[str, Any], source: dict[str, Any] | None
) -> tuple[dict[str, provenance.Written], provenance.Written, str | None, set[tuple[str, str]]]:
    """The file's import record after this import, what it removes, the export path it replaces, what it restates.

    One source per kind and systems written: importing a newer export of
    the same kind into the same systems (another file name, say) takes the
    older one's place (see :mod:`impact.importers.provenance`).
    """
    record = provenance.read_record(target)
    key = provenance.source_key(imported.command, sorted(imported.systems))
    path = source["path"] if source else imported.source
    export = provenance.Written(
        {
            f"{sid}:{k}": set(a.depends_on)
            for sid, system in imported.systems.items()
            for k, a in system.assets.items()
            if a.depends_on
        },
        set(imported.tests),
        path,
    )
    in_file = provenance.of_file(existing, imported.systems)
    others = [written for other, written in record.items() if other != key]
    removed, owned = provenance.reconcile(record.get(key), export, in_file, others)
    before = record.get(key)
    replaced = before.path if before is not None and before.path and before.path != path else None
    kept = before.pairs() & export.pairs() & in_file.pairs() if before is not None else set()  # its own, still there
    return {**record, key: owned}, removed, replaced, kept


def _schema_line(target: Path, catalog: Path) -> str:
    """The editor's ``$schema`` line when a ``schemas/catalog.schema.json`` is in or above the catalog."""
    for folder in (catalog.resolve(), *catalog.resolve().parents):
        schema = folder / "schemas" / "catalog.schema.json"
        if schema.is_file():
            rel = os.path.relpath(schema, target.resolve().parent)
            return f"# yaml-language-server: $schema={Path(rel).as_posix()}\n"
    return ""


def dump(data: dict[str, Any]) -> str:
    """A new catalog file's YAML (:func:`impact.importers.roundtrip.dump_plain`)."""
    with gc_paused():  # its nodes are in no cycle; collections over them took 40% of a 30,000-asset dump
        return roundtrip.dump_plain(data)
