"""What each import wrote into a catalog file, so that a re-import removes what its export dropped.

An import only adds to the file people edit, so without a record it cannot
tell a dependency it wrote from one a person wrote, and a newer export that
drops a link would leave it in the catalog for good (``impact check`` would
then report impact through links that are gone). The record is kept beside
the catalog file, as ``<file stem>.imported.json``, one entry per source
(its kind and the systems it writes, with the export's path); commit it with
the file, like a lock file. On a re-import:

- a dependency or test this source wrote before and its export no longer has
  is removed from the file (and listed);
- what a person added by hand (anything in the file the record does not name)
  is never removed;
- with no record yet (a file imported by an older impact), nothing is removed
  this time; the record is started from what the export has.

Assets the source no longer lists are kept and named, as before: deleting an
asset is a person's decision. Their imported dependencies go, as a fresh
import of the newer export would not have them.

Examples
--------
>>> before = Written({"dbt:model/a": {"dbt:model/b", "dbt:model/c"}}, {"t1", "t2"})
>>> export = Written({"dbt:model/a": {"dbt:model/b"}}, {"t1"})
>>> removed, owned = reconcile(before, export, before)
>>> removed.dependencies, sorted(removed.tests)
({'dbt:model/a': {'dbt:model/c'}}, ['t2'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from impact.core.errors import ImpactError, Problem, display_path

SUFFIX = ".imported.json"
_ABOUT = (
    "Written by 'impact import': what each import wrote into {name}, so that importing again removes "
    "what its export no longer has and never what a person added. Commit it with {name}."
)


@dataclass
class Written:
    """Dependencies (asset id to the ids it depends on) and test ids."""

    dependencies: dict[str, set[str]] = field(default_factory=dict)
    tests: set[str] = field(default_factory=set)
    path: str = ""  # the export it was read from, as under ``sources:``

    def pairs(self) -> set[tuple[str, str]]:
        return {(asset, dep) for asset, deps in self.dependencies.items() for dep in deps}

    @classmethod
    def of_pairs(cls, pairs: Iterable[tuple[str, str]], tests: Iterable[str], path: str = "") -> Written:
        out = cls({}, set(tests), path)
        for asset, dep in pairs:
            out.dependencies.setdefault(asset, set()).add(dep)
        return out

    def __bool__(self) -> bool:
        return bool(self.dependencies or self.tests)

    def count(self) -> tuple[int, int]:
        return sum(len(deps) for deps in self.dependencies.values()), len(self.tests)


def record_path(target: Path) -> Path:
    """Where the record of ``target``'s imports is kept."""
    return target.with_name(target.stem + SUFFIX)


def source_key(kind: str, systems: Iterable[str]) -> str:
    """A source's key in the record: the import's kind and the systems it writes (``dbt dbt``)."""
    return " ".join([kind, *systems])


def read_record(target: Path) -> dict[str, Written]:
    """Every source's record for ``target``; empty when there is none yet."""
    path = record_path(target)
    if not path.is_file():
        return {}
    name = display_path(path)
    fix = "it is written by 'impact import': delete it to start it again (nothing is removed on that import)"
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ImpactError(Problem(name, exc.lineno, exc.colno, f"not valid JSON ({exc.msg}); {fix}")) from None
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, dict):
        raise ImpactError(Problem(name, 1, 1, f"no 'sources' object; {fix}"))
    out: dict[str, Written] = {}
    for key, entry in sources.items():
        deps = entry.get("dependencies", {}) if isinstance(entry, dict) else None
        tests = entry.get("tests", []) if isinstance(entry, dict) else None
        if (
            not isinstance(deps, dict)
            or not isinstance(tests, list)
            or not all(isinstance(v, list) for v in deps.values())
        ):
            raise ImpactError(Problem(name, 1, 1, f"source {key!r} is not in the expected shape; {fix}"))
        path_of = entry.get("path", "")
        out[str(key)] = Written(
            {str(a): {str(d) for d in v} for a, v in deps.items()}, {str(t) for t in tests}, str(path_of)
        )
    return out


def record_text(target: Path, record: dict[str, Written]) -> str:
    """The record as deterministic JSON (sorted keys and lists), for a clean diff in review."""
    body = {
        "about": _ABOUT.format(name=target.name),
        "sources": {
            key: {
                "path": w.path,
                "dependencies": {asset: sorted(deps) for asset, deps in sorted(w.dependencies.items()) if deps},
                "tests": sorted(w.tests),
            }
            for key, w in sorted(record.items())
        },
    }
    return orjson.dumps(body, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"


def of_file(data: dict[str, Any], systems: Iterable[str]) -> Written:
    """The dependencies of ``systems``' assets and every test in a catalog file's plain data."""
    out = Written()
    for sid in systems:
        system = data.get("systems", {}).get(sid) or {}
        for key, asset in (system.get("assets") or {}).items():
            deps = {dep_id(dep) for dep in (asset or {}).get("depends_on") or []}
            if deps:
                out.dependencies[f"{sid}:{key}"] = deps
    out.tests = set(data.get("tests") or {})
    return out


def reconcile(
    before_import: Written | None, export: Written, in_file: Written, others: Iterable[Written] = ()
) -> tuple[Written, Written]:
    """What to remove from the file, and what this source owns after the import.

    ``before_import`` is this source's record (None: no record yet),
    ``export`` what the newer export has, ``in_file`` what the file holds
    before the import, ``others`` the records of the file's other sources
    (what they still own is never removed).
    """
    if before_import is None:
        return Written(), Written.of_pairs(export.pairs(), export.tests, export.path)
    kept_by_others = set().union(*(o.pairs() for o in others))
    tests_by_others = set().union(*(o.tests for o in others))
    owned_pairs, owned_tests = before_import.pairs(), before_import.tests
    file_pairs = in_file.pairs()
    removed_pairs = (owned_pairs - export.pairs() - kept_by_others) & file_pairs
    removed_tests = (owned_tests - export.tests - tests_by_others) & in_file.tests
    by_hand_pairs = file_pairs - owned_pairs
    by_hand_tests = in_file.tests - owned_tests
    owned = Written.of_pairs(export.pairs() - by_hand_pairs, export.tests - by_hand_tests, export.path)
    return Written.of_pairs(removed_pairs, removed_tests), owned


def restate(data: Any, pairs: set[tuple[str, str]], entry: Callable[[str, str], Any]) -> set[tuple[str, str]]:
    """Write the dependencies in ``pairs`` (asset id, dependency id) again as the export says them; those that changed.

    Only what the import owns (its record names the pair from before) is
    restated: ``uses`` and ``values`` follow the newer export (a filter now
    testing ``Nurture`` instead of ``Recycled``), and any other key a person
    added to the dependency (a ``note``) stays. ``entry(asset id, dependency
    id)``: the dependency as the import writes it, an id or a mapping.
    """
    systems = data.get("systems") or {}
    changed: set[tuple[str, str]] = set()
    for asset_id, dep in sorted(pairs):
        sid, _, key = asset_id.partition(":")
        assets = (systems.get(sid) or {}).get("assets")
        asset = assets.get(key) if isinstance(assets, dict) else None
        items = asset.get("depends_on") if isinstance(asset, dict) else None
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if dep_id(item) != dep:
                continue
            said = entry(asset_id, dep)
            mine = ("asset", "uses", "values")
            kept = {k: v for k, v in item.items() if k not in mine} if isinstance(item, dict) else {}
            new = {**({"asset": dep} if isinstance(said, str) else said), **kept}
            now = dep if len(new) == 1 else new
            if now != (item if isinstance(item, str) else dict(item)):
                items[i] = now
                changed.add((asset_id, dep))
            break
    return changed


def remove(data: Any, removed: Written) -> None:
    """Remove ``removed`` from a catalog file's data in place: plain dicts or ruamel's round-trip tree alike."""
    systems = data.get("systems") or {}
    for asset_id, deps in removed.dependencies.items():
        sid, _, key = asset_id.partition(":")
        assets = (systems.get(sid) or {}).get("assets")
        asset = assets.get(key) if isinstance(assets, dict) else None  # not a dict: written elsewhere (splice)
        if not isinstance(asset, dict) or "depends_on" not in asset:
            continue
        items = asset["depends_on"]
        for i in reversed(range(len(items))):
            if dep_id(items[i]) in deps:
                del items[i]
        if not asset["depends_on"]:
            del asset["depends_on"]
    tests = data.get("tests")
    if isinstance(tests, dict) and tests:
        for tid in removed.tests:
            tests.pop(tid, None)
        if not tests:
            del data["tests"]


def shown(removed: Written, most: int = 10) -> Iterator[str]:
    """The removed dependencies and tests as plain lines' items, the first ``most`` of each."""
    pairs = sorted(removed.pairs())
    for asset, dep in pairs[:most]:
        yield f"{asset} → {dep}"
    if len(pairs) > most:
        yield f"and {len(pairs) - most} more dependencies"
    tests = sorted(removed.tests)
    for tid in tests[:most]:
        yield f"test {tid}"
    if len(tests) > most:
        yield f"and {len(tests) - most} more tests"


def dep_id(dep: Any) -> str:
    return str(dep if isinstance(dep, str) else dep["asset"])
