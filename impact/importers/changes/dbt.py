"""A dbt project's snapshot: what ``impact changes dbt`` compares of each model, seed, snapshot, source and exposure.

The pinned rules (issue #22):

- a model's or snapshot's SQL → ``logic``, compared token by token, so that
  comments, whitespace, re-indentation and keyword case are no change; and
  ``schema`` when the columns its final ``select`` gives change (read with
  sqlglot; a model whose SQL cannot be read has no ``schema`` facet, on both
  sides alike);
- a description, of the asset or of a column → ``content``; columns
  documented in YAML (added or removed) → ``content``, never ``schema``;
- a seed's rows → ``data`` (its header → ``schema``);
- a source's table (``database.schema.identifier``, case aside) → ``name``;
- a model alias → ``name`` (the table it builds is named otherwise); an
  ``enabled`` set by Jinja (``var('x_enabled', True)``) → ``availability``;
  other ``config()`` settings (materialization, tags) are no change;
- a model whose file is renamed with the same SQL → ``rename``: the body is
  the SQL's tokens, which hold no name of the model, with the names of the
  models it refs taken out (models are often renamed together).

Ids are the ones ``impact import dbt`` writes (``dbt:model/orders``).

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "dbt_project.yml").write_text("name: shop\\n")
>>> (root / "models").mkdir()
>>> _ = (root / "models" / "orders.sql").write_text("select id, amount from {{ ref('raw_orders') }}")
>>> state = snapshot(FolderTree(root), "dbt")["dbt:model/orders"]
>>> state.facets["columns"].value
('amount', 'id')
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping

from impact.importers.changes.dbt_manifest import read_manifest
from impact.importers.changes.model import AssetState, Facet, FolderTree, Snapshot, Tree
from impact.importers.dbtfiles import Node
from impact.importers.dbtjinja import output_columns, rename_body, sql_tokens
from impact.importers.dbtproject import read_project

__all__ = ["FolderTree", "snapshot"]


def _seed_facets(text: str) -> tuple[dict[str, Facet], str]:
    """A seed's header (``schema``) and rows (``data``): line endings, blank lines and row order are no change."""
    rows = [tuple(cell.strip() for cell in row) for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    header, body = (rows[0], sorted(rows[1:])) if rows else ((), [])
    digest = hashlib.sha256(repr(body).encode()).hexdigest()[:12]
    facets = {
        "header": Facet("schema", tuple(sorted(header)), "seed columns"),
        "rows": Facet("data", f"{len(body)} rows, {digest}", "rows"),
    }
    return facets, f"{header}\n{digest}" if body else ""


def _code_facets(node: Node) -> tuple[dict[str, Facet], str]:
    tokens = sql_tokens(node.text)
    facets = {"sql": Facet("logic", tokens, "SQL")}
    columns = output_columns(node.text)
    if columns is not None:
        facets["columns"] = Facet("schema", columns, "output columns")
    alias = node.config.get("alias")
    if isinstance(alias, str):
        facets["alias"] = Facet("name", alias, "alias")
    enabled = node.config.get("enabled")
    if isinstance(enabled, str):  # enabled by a variable: its default says whether the model is built
        facets["enabled"] = Facet("availability", enabled, "enabled")
    return facets, rename_body(tokens)


def _doc_facets(node: Node) -> dict[str, Facet]:
    facets: dict[str, Facet] = {}
    if node.description:
        facets["description"] = Facet("content", " ".join(node.description.split()), "description")
    documented = tuple(sorted(c for c, text in node.columns.items() if text))
    if documented:  # a column listed only to carry tests documents nothing
        facets["documented"] = Facet("content", documented, "documented columns")
    for column, text in sorted(node.columns.items()):
        if text:
            facets[f"column:{column}"] = Facet("content", " ".join(text.split()), f"description of {column}")
    if node.label:
        facets["label"] = Facet("name", node.label, "label")
    return facets


def _state(aid: str, node: Node) -> AssetState:
    kind = node.key.split("/", 1)[0]
    facets: dict[str, Facet] = {}
    body = ""
    if kind in ("model", "snapshot") and node.text:
        facets, body = _code_facets(node)
    elif kind == "seed" and "checksum" in node.config:  # a manifest's seed: its file's checksum
        checksum = str(node.config["checksum"])
        facets, body = ({"rows": Facet("data", checksum, "rows (checksum)")}, checksum) if checksum else ({}, "")
    elif kind == "seed":
        facets, body = _seed_facets(node.text)
    elif kind == "exposure":
        facets["uses"] = Facet("logic", tuple(node.depends_on), "models used")
        facets |= {
            k: Facet("content", str(v), k) for k, v in sorted(node.config.items()) if k in ("url", "maturity", "owner")
        }
    elif kind == "source" and node.config.get("relation"):
        # The table it reads (database.schema.table); unquoted names are not case-sensitive in warehouses.
        facets["relation"] = Facet("name", str(node.config["relation"]).lower(), "table")
    facets |= _doc_facets(node)
    return AssetState(aid, facets, body)


def snapshot(
    tree: Tree, system: str = "dbt", only: set[str] | None = None, options: Mapping[str, object] | None = None
) -> Snapshot:
    """Every node of the project in ``tree`` (or of the files ``only`` names) as an asset state.

    A tree that is one manifest (a catalog imported from ``target/manifest.json``)
    is read by :mod:`impact.importers.changes.dbt_manifest`, with the same facets.
    """
    files = tree.files()
    if len(files) == 1 and files[0].endswith(".json"):
        nodes = read_manifest(tree, files[0])
    else:
        nodes = read_project(tree, only).nodes
    return {f"{system}:{key}": _state(f"{system}:{key}", node) for key, node in sorted(nodes.items())}
