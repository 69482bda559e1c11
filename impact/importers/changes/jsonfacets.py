"""Canonical text of JSON exports, for the Marketo and HubSpot snapshot readers of ``impact changes``.

Values are canonical before they are compared (see
:mod:`impact.importers.changes.model`): keys sorted, the volatile ones that
every export rewrites (ids, timestamps, URLs, revision counters) left out.
"""

from __future__ import annotations

import json
from typing import Any

from impact.importers.changes.model import Tree

VOLATILE = frozenset({
    "id", "createdAt", "updatedAt", "createdById", "updatedById", "url", "computedUrl", "requestId", "revisionId",
    "filtersUpdatedAt", "listVersion", "size", "processingStatus", "nextAvailableActionId", "uuid", "actionId",
    "activityAttributeId", "ruleTypeId", "attributeId", "isError", "errorMessage",
})  # fmt: skip


def canonical(value: Any, drop: frozenset[str] = VOLATILE) -> str:
    """One string for a JSON value, volatile keys left out.

    >>> canonical({"b": [1, {"id": 4, "x": "y"}], "a": None, "updatedAt": "today"})
    '{"a":null,"b":[1,{"x":"y"}]}'
    """
    return json.dumps(_strip(value, drop), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _strip(value: Any, drop: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v, drop) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [_strip(v, drop) for v in value]
    return value


def load(tree: Tree, path: str) -> Any:
    """A JSON file of the tree; None when it is not there or not JSON (the importer reports bad files)."""
    try:
        return json.loads(tree.read(path).decode("utf-8-sig"))
    except (KeyError, ValueError, UnicodeDecodeError, RecursionError):
        return None


def results(tree: Tree, path: str, key: str = "result") -> list[dict[str, Any]]:
    """The records of one saved API body (``result`` for Marketo, ``results`` for HubSpot); [] when missing."""
    body = load(tree, path)
    found = body.get(key) if isinstance(body, dict) else None
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []
