"""dbt's ``target/manifest.json``, or a dbt project folder, → catalog assets, dependencies and tests.

A project folder with no compiled manifest is read by
:mod:`impact.importers.dbtproject` into the same ids and tests
(:func:`read_dbt_project`); a ``ref`` it cannot read statically is named in a
note, never guessed.

Canonical ids (system ``dbt`` unless ``--system``): ``model/<name>``,
``source/<source name>.<table name>``, ``seed/<name>``, ``snapshot/<name>``,
``exposure/<name>``. Each node depends on its parents (``parent_map``); an
exposure on the nodes it uses. Each dbt test becomes a catalog test
(automated, ``run: dbt test --select <name>``) covering the nodes it tests.

``links`` ties a dbt source to the tool it is loaded from: with
``{"salesforce": "salesforce"}``, ``source/salesforce.lead`` depends on
``salesforce:object/Lead`` and on the ``salesforce:field/Lead.<column>`` of
each documented column, when those assets exist in the catalog (names
matched case-insensitively).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from impact.core.errors import ImpactError, Problem, display_path
from impact.importers.merge import Imported, ImportedAsset, ImportedTest
from impact.importers.shapes import DbtManifest, check_shape
from impact.importers.xmlread import read_json

_KINDS = {"model": "model", "seed": "seed", "snapshot": "snapshot"}
_TEST_ID = re.compile(r"[^A-Za-z0-9_.\-]+")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _wrong_kind(data: Any) -> str | None:
    if isinstance(data, dict) and "containerVersion" in data:
        return "this is a Google Tag Manager container export, not a dbt manifest: use 'impact import gtm'"
    return None


def read_dbt_manifest(
    path: Path,
    system: str = "dbt",
    owner: str | None = None,
    links: dict[str, str] | None = None,
    known: dict[str, dict[str, str | None]] | None = None,
) -> Imported:
    """Assets, dependencies and tests of a dbt project from its manifest (see the module docstring)."""
    name = display_path(path)
    data = _read_manifest(path, name)
    nodes: dict[str, Any] = data["nodes"]
    sources = _dict(data.get("sources"))
    exposures = _dict(data.get("exposures"))
    keys = _asset_keys(nodes, sources, exposures)
    if not keys:
        raise ImpactError(Problem(name, 0, 0, "the manifest lists no models, sources, seeds, snapshots or exposures"))
    imported = Imported(name, "dbt")
    target = imported.system(system)
    target.name, target.kind, target.owner = "dbt", "transformation", owner
    parent_map = _dict(data.get("parent_map"))

    def parents(uid: str, entry: dict[str, Any]) -> list[str]:
        listed = parent_map.get(uid)
        if not isinstance(listed, list):
            listed = _list(_dict(entry.get("depends_on")).get("nodes"))
        return sorted(
            {f"{system}:{keys[p]}" for p in listed if isinstance(p, str) and p in keys and keys[p] != keys.get(uid)}
        )

    for uid, key in sorted(keys.items(), key=lambda item: item[1]):
        entry = nodes.get(uid) or sources.get(uid) or exposures.get(uid) or {}
        description = (
            entry.get("description") if isinstance(entry.get("description"), str) and entry.get("description") else None
        )
        label = entry.get("label") if isinstance(entry.get("label"), str) and entry.get("label") else None
        kind = key.split("/", 1)[0]
        item = target.assets.get(key)
        if item is None:
            item = target.assets[key] = ImportedAsset(kind, None, description, [], label)
        item.depends_on = sorted({*item.depends_on, *parents(uid, entry)})
        if kind == "source" and links and known:
            item.depends_on = sorted({*item.depends_on, *_linked(entry, links, known)})
    _add_tests(imported, system, owner, keys, nodes, _dict(data.get("unit_tests")))
    return imported


def _read_manifest(path: Path, name: str) -> dict[str, Any]:
    """The manifest's data, checked to be a dbt manifest of a shape it can be read in."""
    data = read_json(path, "dbt manifest.json")
    wrong = _wrong_kind(data)
    if wrong:
        raise ImpactError(Problem(name, 1, 1, wrong))
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict):
        raise ImpactError(
            Problem(
                name,
                1,
                1,
                "not a dbt manifest: it has no 'nodes'; run 'dbt parse' (or dbt compile) and give target/manifest.json",
            )
        )
    check_shape(DbtManifest, data, name, "dbt manifest.json")
    return data


def _asset_keys(nodes: dict[str, Any], sources: dict[str, Any], exposures: dict[str, Any]) -> dict[str, str]:
    """unique_id → asset key, for the models, seeds, snapshots, sources and exposures."""
    keys: dict[str, str] = {}
    for uid in sorted(nodes):
        node = nodes[uid]
        if not isinstance(node, dict):
            continue
        kind = _KINDS.get(str(node.get("resource_type")))
        if kind and isinstance(node.get("name"), str):
            keys[uid] = f"{kind}/{node['name']}"
    for uid in sorted(sources):
        src = sources[uid]
        if isinstance(src, dict) and isinstance(src.get("source_name"), str) and isinstance(src.get("name"), str):
            keys[uid] = f"source/{src['source_name']}.{src['name']}"
    for uid in sorted(exposures):
        exp = exposures[uid]
        if isinstance(exp, dict) and isinstance(exp.get("name"), str):
            keys[uid] = f"exposure/{exp['name']}"
    return keys


def _add_tests(
    imported: Imported,
    system: str,
    owner: str | None,
    keys: dict[str, str],
    nodes: dict[str, Any],
    unit_tests: dict[str, Any],
) -> None:
    """The data tests and unit tests that cover an asset, as tests of ``imported``."""
    for uid in sorted(
        [*(u for u in nodes if isinstance(nodes[u], dict) and nodes[u].get("resource_type") == "test"), *unit_tests]
    ):
        test = nodes.get(uid) or unit_tests.get(uid)
        if not isinstance(test, dict) or not isinstance(test.get("name"), str):
            continue
        covered = [
            f"{system}:{keys[p]}"
            for p in _list(_dict(test.get("depends_on")).get("nodes"))
            if isinstance(p, str) and p in keys
        ]
        attached = test.get("attached_node")
        if isinstance(attached, str) and attached in keys and f"{system}:{keys[attached]}" not in covered:
            covered.insert(0, f"{system}:{keys[attached]}")
        if not covered:
            continue
        test_name: str = test["name"]
        tid = _TEST_ID.sub("_", f"dbt.{test_name}")[:200]
        meta = _dict(test.get("test_metadata"))
        what = meta.get("name") if isinstance(meta.get("name"), str) else "test"
        column = test.get("column_name") if isinstance(test.get("column_name"), str) else None
        title = test.get(
            "description"
        ) or f"dbt {what} test on {keys.get(attached or '', covered[0].split(':', 1)[1])}" + (
            f" ({column})" if column else ""
        )
        imported.tests[tid] = ImportedTest(
            str(title), sorted(set(covered)), "automated", f"dbt test --select {test_name}", owner
        )


def _linked(source: dict[str, Any], links: dict[str, str], known: dict[str, dict[str, str | None]]) -> list[str]:
    """Upstream assets of a dbt source in the tool it is loaded from: the object, and a field per documented column."""
    linked_system = links.get(str(source.get("source_name")))
    if not linked_system or linked_system not in known:
        return []
    keys = known[linked_system]
    by_lower = {k.lower(): k for k in sorted(keys)}
    tables = [t for t in (source.get("identifier"), source.get("name")) if isinstance(t, str) and t]
    out: list[str] = []
    for table in tables:
        obj = by_lower.get(f"object/{table.lower()}")
        if obj is None:
            # Another tool: an asset whose last path part is the table name.
            matches = sorted(k for k in keys if k.lower().rsplit("/", 1)[-1] == table.lower())
            obj = matches[0] if len(matches) == 1 else None
        if obj is None:
            continue
        out.append(f"{linked_system}:{obj}")
        object_name = obj.split("/", 1)[1]
        columns = _dict(source.get("columns"))
        for column in sorted(columns):
            col = by_lower.get(f"field/{object_name.lower()}.{str(column).lower()}")
            if col:
                out.append(f"{linked_system}:{col}")
        break
    return out


Known = dict[str, dict[str, str | None]]


def read_dbt_project(
    folder: Path,
    system: str = "dbt",
    owner: str | None = None,
    links: dict[str, str] | None = None,
    known: Known | None = None,
) -> Imported:
    """Assets, dependencies and tests of a dbt project folder, with the ids :func:`read_dbt_manifest` writes."""
    # Only a project folder needs the Jinja and SQL readers: a manifest import does not load them.
    from impact.importers.changes.model import FolderTree
    from impact.importers.dbtproject import read_project

    name = display_path(folder)
    if not folder.is_dir():
        raise ImpactError(Problem(name, 0, 0, "no such folder"))
    try:
        project = read_project(FolderTree(folder))
    except ImpactError as exc:  # places in the project are relative to it: say where it is
        raise ImpactError([replace(p, file=f"{name}/{p.file}") for p in exc.problems]) from None
    if not project.nodes:
        raise ImpactError(Problem(name, 0, 0, "the project has no models, sources, seeds, snapshots or exposures"))
    imported = Imported(name, "dbt")
    target = imported.system(system)
    target.name, target.kind, target.owner = "dbt", "transformation", owner
    for key, node in sorted(project.nodes.items()):
        kind = key.split("/", 1)[0]
        deps = {f"{system}:{d}" for d in node.depends_on}
        if kind == "source" and links and known:
            source, _, table = key.split("/", 1)[1].partition(".")
            entry = {"source_name": source, "name": table, "identifier": node.config.get("identifier")}
            entry["columns"] = node.columns
            deps |= set(_linked(entry, links, known))
        target.assets[key] = ImportedAsset(kind, None, node.description or None, sorted(deps), node.label or None)
        for dep in node.depends_on:  # a package's model or an undeclared source: an asset, as in a manifest
            target.assets.setdefault(dep, ImportedAsset(dep.split("/", 1)[0], None, None, []))
    for test_name, test in sorted(project.tests.items()):
        covered = [f"{system}:{k}" for k in test.covers if k in target.assets]
        if not covered:
            continue
        tid = _TEST_ID.sub("_", f"dbt.{test_name}")[:200]
        column = f" ({test.column})" if test.column else ""
        title = test.description or f"dbt {test.what} test on {test.covers[0]}{column}"
        run = f"dbt test --select {test_name}"
        imported.tests[tid] = ImportedTest(title, sorted(set(covered)), "automated", run, owner)
    imported.notes.extend(f"{name}: {w}" for w in project.warnings)  # paths in the notes are inside the folder
    return imported


def read_dbt(
    path: Path,
    system: str = "dbt",
    owner: str | None = None,
    links: dict[str, str] | None = None,
    known: Known | None = None,
) -> Imported:
    """A manifest file or a project folder, whichever ``path`` is."""
    if path.is_dir():
        return read_dbt_project(path, system, owner, links, known)
    return read_dbt_manifest(path, system, owner, links, known)
