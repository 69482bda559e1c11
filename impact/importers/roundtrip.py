"""Writing an import into a file people edit, keeping their comments and layout.

The merge (:func:`impact.importers.merge.merge`) decides what an import adds;
this module writes those additions into the file's own YAML tree, read with
ruamel.yaml's round-trip loader, so comments, key order and quoting that a
person wrote survive. Only additions are applied: a value already in the file
is never changed.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

_SORTED_MAPS = {"assets", "systems", "teams", "tests"}  # kept in key order by the importer
# Where a new field goes among an asset's, a system's or the file's keys.
_FIELD_ORDER = {
    key: i
    for i, key in enumerate(
        ("teams", "systems", "tests", "policy", "sources", "type", "name", "kind", "owner", "critical", "description", "depends_on", "feeds", "consulted", "informed", "covers", "steps", "run", "minutes", "assets")
    )
}


def _yaml(sequence: int = 2, offset: int = 0) -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never refold what a person wrote
    rt.indent(mapping=2, sequence=sequence, offset=offset)
    return rt


def load(text: str) -> Any:
    """The file's round-trip tree (comments attached)."""
    return _yaml().load(text)


def dump(tree: Any) -> str:
    out = io.StringIO()
    _yaml().dump(tree, out)
    return out.getvalue()


def list_indent(text: str) -> tuple[int, int]:
    """How the file indents its block lists: (sequence indent, dash offset), as ruamel.yaml guesses them.

    ``"a:\n  - x\n"`` is (4, 2); ``"a:\n- x\n"`` is (2, 0).
    """
    _, indent, offset = load_yaml_guess_indent(text)
    if indent is None or offset is None:
        return 2, 0
    return max(indent, offset + 2), offset


def dump_like(tree: Any, text: str) -> str:
    """``tree`` written with the block-list indentation of ``text``, the file it was read from."""
    sequence, offset = list_indent(text)
    out = io.StringIO()
    _yaml(sequence, offset).dump(tree, out)
    return out.getvalue()


def _dep_id(item: Any) -> Any:
    if isinstance(item, dict):
        return item.get("asset")
    return item


def _to_tree(value: Any) -> Any:
    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _to_tree(item)
        return out
    if isinstance(value, list):
        seq = CommentedSeq()
        seq.extend(_to_tree(item) for item in value)
        return seq
    return value


def apply_additions(tree: Any, merged: dict[str, Any], parent_key: str = "") -> None:
    """Add to ``tree`` what ``merged`` has and it lacks; replace ``sources`` entries the import recorded."""
    for key, value in merged.items():
        if key not in tree:
            node = _to_tree(value)
            keys = list(tree.keys())
            if parent_key in _SORTED_MAPS:
                index = next((i for i, existing in enumerate(keys) if str(existing) > str(key)), len(keys))
            elif key in _FIELD_ORDER:
                rank = _FIELD_ORDER[key]
                index = next((i for i, existing in enumerate(keys) if _FIELD_ORDER.get(str(existing), -1) > rank), len(keys))
            else:
                index = len(keys)
            tree.insert(index, key, node)
            continue
        current = tree[key]
        if key == "sources" and parent_key == "":
            if _plain(current) != value:
                tree[key] = _to_tree(value)
            continue
        if isinstance(value, dict) and isinstance(current, dict):
            apply_additions(current, value, str(key))
        elif isinstance(value, list) and isinstance(current, list):
            have = {_dep_id(item) for item in current}
            for item in value:
                if _dep_id(item) not in have:
                    current.append(_to_tree(item))
                    have.add(_dep_id(item))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
