"""A derived change request as a file: YAML by default, JSON with the same keys.

The id, unless given, is derived from the items (``derived-`` and ten hex
digits of their digest): the same change gives the same id, whatever folder
or revision it was read from.

Examples
--------
>>> from impact.importers.changes.diff import DerivedItem
>>> items = [DerivedItem("salesforce:field/Lead.Status", "modify", ("values",), "picklist values added: Recycled")]
>>> print(render(request(items, title="Lead statuses"), "yaml"), end="")
id: derived-...
title: Lead statuses
changes:
- target: salesforce:field/Lead.Status
  action: modify
  aspects:
  - values
  note: 'picklist values added: Recycled'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from impact.importers.changes.diff import DerivedItem


def default_id(items: Sequence[DerivedItem]) -> str:
    """``derived-`` and a digest of the items: stable for the same change."""
    blob = json.dumps([i.as_dict() for i in items], sort_keys=True, ensure_ascii=False).encode()
    return "derived-" + hashlib.blake2b(blob, digest_size=5).hexdigest()


def request(items: Sequence[DerivedItem], id_: str | None = None, title: str | None = None) -> dict[str, object]:
    """The change request's keys, in the change file's order."""
    count = f"{len(items)} change{'s' if len(items) != 1 else ''}"
    return {
        "id": id_ or default_id(items),
        "title": title or f"{count} derived from the exports",
        "changes": [i.as_dict() for i in items],
    }


def render(doc: dict[str, object], fmt: str) -> str:
    """The request as YAML or JSON text (deterministic: keys in the file's order, sorted items)."""
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    import yaml  # only for YAML output: the JSON form needs no YAML library

    return str(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False))
