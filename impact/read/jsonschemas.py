"""JSON Schemas for catalog, change and release files, generated from the pydantic models.

Editors that speak the YAML language server protocol (VS Code with the Red Hat
YAML extension, JetBrains IDEs, Neovim, Helix...) read a first-line comment

    # yaml-language-server: $schema=../schemas/catalog.schema.json

and then complete keys and underline mistakes as you type. The schemas are
generated, never hand-written, so they cannot drift from what impact accepts;
``schemas/`` in the repository holds the generated files and a test keeps them
equal to fresh output.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from impact.read.schema import CatalogFileSpec, ChangeSpec, ReleaseSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"

MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "catalog": (CatalogFileSpec, "impact catalog file (teams, systems and their assets, tests, policy)"),
    "change": (ChangeSpec, "impact change request"),
    "release": (ReleaseSpec, "impact release metadata"),
}
"""File kind → (model, title). The file name is ``<kind>.schema.json``."""


def file_name(kind: str) -> str:
    """``'catalog'`` → ``'catalog.schema.json'``."""
    return f"{kind}.schema.json"


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of file, keys as written in YAML.

    Examples
    --------
    >>> schema = json_schema("change")
    >>> schema["additionalProperties"], sorted(schema["required"])
    (False, ['changes', 'id', 'title'])
    """
    model, title = MODELS[kind]
    schema = _strict_keys(model.model_json_schema(by_alias=True, mode="validation"))
    return {"$schema": DIALECT, **schema, "title": title}


def _strict_keys(node: Any) -> Any:
    """Make mappings keyed by ids refuse keys that are not valid ids.

    pydantic writes ``dict[Id, X]`` as ``patternProperties``, which lets a key
    that misses the pattern through unchecked; ``propertyNames`` with the
    pattern plus ``additionalProperties`` says the same thing strictly, and
    editors complete from it.
    """
    if isinstance(node, list):
        return [_strict_keys(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict_keys(value) for key, value in node.items()}
    patterns = out.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1 and "properties" not in out:
        ((pattern, value),) = patterns.items()
        del out["patternProperties"]
        out["propertyNames"] = {**out.get("propertyNames", {}), "pattern": pattern}
        out["additionalProperties"] = value
    return out


def schema_texts() -> dict[str, str]:
    """File name → JSON text for every kind; the same bytes on every run."""
    return {
        file_name(kind): json.dumps(json_schema(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        for kind in MODELS
    }
