"""Writing an import into a file people edit, keeping their comments and layout.

The merge (:func:`impact.importers.merge.merge`) decides what an import adds;
this module writes those additions into the file's own YAML tree, read with
ruamel.yaml's round-trip loader, so comments, key order and quoting that a
person wrote survive. Only additions are applied: a value already in the file
is never changed.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, merge_attrib
from ruamel.yaml.util import load_yaml_guess_indent

_SORTED_MAPS = {"assets", "systems", "teams", "tests"}  # kept in key order by the importer
# Where a new field goes among an asset's, a system's or the file's keys.
_FIELD_ORDER = {
    key: i
    for i, key in enumerate(
        (
            "teams",
            "systems",
            "tests",
            "policy",
            "sources",
            "type",
            "name",
            "kind",
            "owner",
            "critical",
            "description",
            "depends_on",
            "feeds",
            "consulted",
            "informed",
            "covers",
            "steps",
            "run",
            "minutes",
            "assets",
        )
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


def dump(tree: Any, blocks: list[Any] | None = None) -> str:
    """The tree as text; the new subtrees held in ``blocks`` written by :func:`dump_plain` in their places.

    Raises ``LookupError`` when a placeholder was emitted in another form than
    ``key: placeholder`` on one line: the caller writes the tree the slow way.
    """
    out = io.StringIO()
    _yaml().dump(tree, out)
    text = out.getvalue()
    if not blocks:
        return text

    def expand(match: re.Match[str]) -> str:
        indent = match.group(1) + "  "
        body = dump_plain(blocks[int(match.group(3))])
        return f"{match.group(1)}{match.group(2)}:\n" + "\n".join(indent + line for line in body.splitlines())

    text = _PLACEHOLDER_LINE.sub(expand, text)
    if _PLACEHOLDER in text:
        raise LookupError("a placeholder was not written as a plain line (a key too long for one?)")
    return text


def dump_plain(data: Any) -> str:
    """Block-style YAML of plain data; the safe dumper quotes every string YAML 1.1 would misread (``NO``, ``010``).

    libyaml's emitter when PyYAML has it (a whole org's 6,000 assets in a
    fraction of a second instead of seconds); long text stays on one line,
    so that a later re-import never refolds what a person wrote.
    """
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    if not isinstance(data, dict) or "sources" not in data:
        return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096)
    body = {key: value for key, value in data.items() if key != "sources"}
    text = (
        yaml.dump(body, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096)
        if body
        else ""
    )
    # A source's args on one line ([--owner, web]): "- --owner" reads like a nested list to the fast reader.
    sources = {"sources": data["sources"]}
    return text + yaml.dump(
        sources, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=4096
    )


def can_hold_blocks(text: str) -> bool:
    """Whether new subtrees may stand in ``text`` as placeholders (the file never names one itself)."""
    return _PLACEHOLDER not in text


# ruamel.yaml's emitter is pure Python: writing 16,000 new assets node by node
# took seconds. A new asset (a whole new subtree) stands in the tree as one
# placeholder scalar, and is written by libyaml where the placeholder is.
_PLACEHOLDER = "impact-new-block-"
_PLACEHOLDER_LINE = re.compile(rf"^( *)([^ \n].*?): {_PLACEHOLDER}(\d+)$", re.MULTILINE)


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


def apply_additions(tree: Any, merged: dict[str, Any], parent_key: str = "", blocks: list[Any] | None = None) -> None:
    """Add to ``tree`` what ``merged`` has and it lacks; replace ``sources`` entries the import recorded.

    With ``blocks``, a new asset, system or test is held there and stands in
    the tree as a placeholder that :func:`dump` writes out.
    """
    new_keys: list[tuple[Any, Any]] = []
    for key, value in merged.items():
        if key not in tree:
            new_keys.append((key, value))
            continue
        current = tree[key]
        if key == "sources" and parent_key == "":
            if _plain(current) != value:
                tree[key] = _sources_tree(value)
            continue
        if isinstance(value, dict) and isinstance(current, dict):
            apply_additions(current, value, str(key), blocks)
        elif isinstance(value, list) and isinstance(current, list):
            have = {_dep_id(item) for item in current}
            for item in value:
                if _dep_id(item) not in have:
                    current.append(_to_tree(item))
                    have.add(_dep_id(item))
    if parent_key in _SORTED_MAPS:
        _insert_sorted(tree, new_keys, blocks)
    else:
        for key, value in new_keys:
            rank = _FIELD_ORDER.get(key)
            keys = list(tree.keys())
            index = (
                len(keys)
                if rank is None
                else next((i for i, k in enumerate(keys) if _FIELD_ORDER.get(str(k), -1) > rank), len(keys))
            )
            tree.insert(index, key, _sources_tree(value) if key == "sources" and parent_key == "" else _to_tree(value))


def _sources_tree(sources: list[dict[str, Any]]) -> Any:
    """``sources:`` with each entry's args on one line (``args: [--owner, web]``), as people write options.

    A block list of options (``- --owner``) starts with ``- -``, which the fast
    reader takes for a nested list and leaves to the precise one.
    """
    seq = _to_tree(sources)
    for entry in seq:
        if isinstance(entry, CommentedMap) and isinstance(entry.get("args"), CommentedSeq):
            entry["args"].fa.set_flow_style()
    return seq


def _insert_sorted(tree: Any, new_keys: list[tuple[Any, Any]], blocks: list[Any] | None) -> None:
    """Each new key before the first key of the file's order that sorts after it, in one pass.

    Inserting keys one at a time costs a scan of the map each (16,000 dbt
    models re-imported into a file took 35 s); here the place of every new key
    is a binary search over the running maximum of the file's keys, and the
    map is put in order once with ``move_to_end`` (comments stay with their keys).
    The new keys come sorted, as the merge gives them.
    """
    if not new_keys:
        return
    if getattr(tree, merge_attrib, None):  # a '<<:' merge key: ruamel's own insert keeps its position right
        for key, value in new_keys:
            keys = list(tree.keys())
            tree.insert(next((i for i, k in enumerate(keys) if str(k) > str(key)), len(keys)), key, _to_tree(value))
        return
    old = list(tree.keys())
    order = key_order(old, [key for key, _ in new_keys])
    for key, value in new_keys:
        tree[key] = (
            _to_tree(value)
            if blocks is None or not isinstance(value, dict) or not value
            else _placeholder(blocks, value)
        )
    first = next(i for i, key in enumerate(order) if i >= len(old) or key != old[i])
    for key in order[first:]:
        tree.move_to_end(key)


def key_order(old: list[Any], new: list[Any]) -> list[Any]:
    """The keys ``old`` (a file's order) and ``new`` (in their given order) as one map's order.

    Each new key goes before the first old key that sorts after it: the place
    of each is a binary search over the running maximum of the old keys.

    >>> key_order(["b", "d", "a"], ["c", "e"])
    ['b', 'c', 'd', 'a', 'e']
    """
    running = list(accumulate((str(k) for k in old), max))
    before: dict[int, list[Any]] = {}
    for key in new:
        before.setdefault(bisect_right(running, str(key)), []).append(key)
    out: list[Any] = []
    for i, key in enumerate(old):
        out.extend(before.get(i, ()))
        out.append(key)
    out.extend(before.get(len(old), ()))
    return out


def _placeholder(blocks: list[Any], value: Any) -> str:
    blocks.append(value)
    return f"{_PLACEHOLDER}{len(blocks) - 1}"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
