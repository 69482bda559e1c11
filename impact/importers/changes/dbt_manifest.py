"""A dbt ``manifest.json`` read as the nodes of a project, for a catalog whose dbt source is a manifest.

:mod:`impact.importers.changes.dbt` compares projects; when the catalog was
imported from ``target/manifest.json`` (its ``sources:`` entry names that
file), both revisions are manifests. Each node gives what the project
folder would: its SQL (``raw_code``, ``raw_sql`` before dbt 1.3),
description, documented columns, alias and parents, under the ids the
manifest importer writes. A seed's rows are its checksum (the manifest holds
no rows).

Examples
--------
>>> manifest = {"nodes": {"model.p.orders": {"resource_type": "model", "name": "orders", "raw_code": "select 1 as id",
...     "depends_on": {"nodes": ["seed.p.raw"]}}, "seed.p.raw": {"resource_type": "seed", "name": "raw",
...     "checksum": {"checksum": "ab12"}}}}
>>> nodes = manifest_nodes(manifest)
>>> nodes["model/orders"].depends_on, nodes["seed/raw"].config["checksum"]
(['seed/raw'], 'ab12')
"""

from __future__ import annotations

import json
from typing import Any

from impact.core.errors import ImpactError, Problem
from impact.importers.changes.model import Tree
from impact.importers.dbtfiles import Node

_KINDS = ("model", "seed", "snapshot")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _keys(data: dict[str, Any]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for uid, node in _dict(data.get("nodes")).items():
        if isinstance(node, dict) and node.get("resource_type") in _KINDS and isinstance(node.get("name"), str):
            keys[uid] = f"{node['resource_type']}/{node['name']}"
    for uid, src in _dict(data.get("sources")).items():
        if isinstance(src, dict) and isinstance(src.get("source_name"), str) and isinstance(src.get("name"), str):
            keys[uid] = f"source/{src['source_name']}.{src['name']}"
    for uid, exp in _dict(data.get("exposures")).items():
        if isinstance(exp, dict) and isinstance(exp.get("name"), str):
            keys[uid] = f"exposure/{exp['name']}"
    return keys


def _node(key: str, entry: dict[str, Any], keys: dict[str, str]) -> Node:
    kind = key.split("/", 1)[0]
    node = Node(key, _text(entry.get("original_file_path")))
    node.text = _text(entry.get("raw_code")) or _text(entry.get("raw_sql"))
    if kind == "seed":
        node.text, node.config["checksum"] = "", _text(_dict(entry.get("checksum")).get("checksum"))
    node.description = _text(entry.get("description")).strip()
    node.label = _text(entry.get("label"))
    node.columns = {str(k): _text(_dict(v).get("description")).strip() for k, v in _dict(entry.get("columns")).items()}
    config = _dict(entry.get("config"))
    if kind in ("model", "snapshot") and isinstance(config.get("alias"), str):
        node.config["alias"] = config["alias"]
    if kind == "source" and isinstance(entry.get("identifier"), str) and entry["identifier"] != entry.get("name"):
        node.config["identifier"] = entry["identifier"]
    if kind == "source":
        node.config["relation"] = ".".join(
            _text(entry.get(k)) for k in ("database", "schema", "identifier") if _text(entry.get(k))
        )
    if kind == "exposure":
        node.config = {k: str(entry[k]) for k in ("type", "maturity", "url") if entry.get(k) is not None}
    parents = _dict(entry.get("depends_on")).get("nodes")
    node.depends_on = sorted(
        {keys[p] for p in parents if p in keys and keys[p] != key} if isinstance(parents, list) else set()
    )
    return node


def manifest_nodes(data: dict[str, Any]) -> dict[str, Node]:
    """Every model, seed, snapshot, source and exposure of a manifest, keyed as the importer keys them."""
    keys = _keys(data)
    entries = {**_dict(data.get("nodes")), **_dict(data.get("sources")), **_dict(data.get("exposures"))}
    return {key: _node(key, entries[uid], keys) for uid, key in sorted(keys.items(), key=lambda item: item[1])}


def read_manifest(tree: Tree, path: str) -> dict[str, Node]:
    """The nodes of the manifest at ``path``; refused with its place when it is not one."""
    try:
        data = json.loads(tree.read(path).decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImpactError(
            Problem(path, 0, 0, "this file is not UTF-8 text; is it really a dbt manifest.json?")
        ) from None
    except json.JSONDecodeError as exc:
        raise ImpactError(
            Problem(path, exc.lineno, exc.colno, f"not valid JSON ({exc.msg}); run 'dbt parse' again")
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict):
        raise ImpactError(
            Problem(
                path, 1, 1, "not a dbt manifest: it has no 'nodes'; give the project folder or target/manifest.json"
            )
        )
    return manifest_nodes(data)
