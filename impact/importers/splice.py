"""Re-importing into a large file: unchanged entries keep their own text, only the rest is written.

ruamel.yaml's round-trip reader and writer are pure Python: reading and
writing back a file of 16,000 imported models node by node took 20 s when a
newer export changed a handful of them. A file's large maps (each system's
``assets`` and the ``tests``) are therefore cut out of the text with the
places libyaml gives (:func:`impact.read.yamlio.parse_yaml`), and only the
rest of the file (teams, system headers, ``sources``) goes through ruamel.yaml,
each large map standing in it as one placeholder line. The maps are then put
back entry by entry:

- an entry the import does not change is its own lines, as a person left them
  (comments included);
- an entry it changes is read and written by ruamel.yaml alone, so its
  comments stay;
- a new entry is written by libyaml.

A map is cut only when its layout is plain enough to cut by lines (block
style, every key at one column on a line of its own, nothing after the map's
own key, no anchors in the file); anything else is written node by node, as
before. The caller reads the result back and validates it before writing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from impact.core.errors import ImpactError
from impact.importers import provenance, roundtrip
from impact.read.yamlio import YMap, parse_yaml

SPLICE_MIN = 64  # a smaller map costs little to write node by node
_PLACEHOLDER = "impact-spliced-map-"
_LINE = re.compile(rf"^( *)([^ \n].*?): {_PLACEHOLDER}(\d+)$", re.MULTILINE)
_ANCHOR_OR_ALIAS = re.compile(r"(?m)(?:^|[\s\[{,:-])[&*][^\s,\]}]")
_OWN_LINE = re.compile(r"^ *[^\s#][^#]*:[ \t]*\r?\n$")


@dataclass
class _Cut:
    path: tuple[str, ...]  # ("tests",) or ("systems", sid, "assets")
    own: int  # 0-based line of the map's own key
    end: int  # 0-based line after the map (its trailing comments included)
    col: int  # the column of the map's keys (0-based)
    prefix: str  # lines between the map's own key and its first entry
    suffix: str  # comment and blank lines after its last entry, at a lower indentation
    texts: dict[str, str]  # each entry's lines, in file order


def write_into(
    old_text: str, data: dict[str, Any], existing: dict[str, Any], removed: provenance.Written
) -> str | None:
    """``old_text`` with the merge's result ``data`` (from ``existing``) and the removals applied.

    None when the file holds no mapping (empty, or comments only): the
    caller writes it anew.
    """
    if roundtrip.can_hold_blocks(old_text) and _PLACEHOLDER not in old_text and not _ANCHOR_OR_ALIAS.search(old_text):
        try:
            return _spliced(old_text, data, existing, removed)
        except (LookupError, ImpactError, YAMLError):
            pass  # written the slow way below
    tree = roundtrip.load(old_text)
    if not isinstance(tree, CommentedMap):
        return None
    provenance.remove(tree, removed)
    blocks: list[Any] = []
    roundtrip.apply_additions(tree, data, blocks=blocks)
    try:
        return roundtrip.dump(tree, blocks)
    except LookupError:
        tree = roundtrip.load(old_text)
        provenance.remove(tree, removed)
        roundtrip.apply_additions(tree, data)
        return roundtrip.dump(tree)


def _spliced(old_text: str, data: dict[str, Any], existing: dict[str, Any], removed: provenance.Written) -> str | None:
    lines = old_text.splitlines(keepends=True)
    if not lines or not lines[-1].endswith("\n"):
        raise LookupError("the last line has no line break")
    root = parse_yaml(old_text, "re-import").data
    if not isinstance(root, YMap):
        raise LookupError("not a mapping")
    cuts = sorted(
        (cut for cut in (_cut(lines, parent, key, path) for parent, key, path in _large_maps(root)) if cut),
        key=lambda c: c.own,
    )
    skeleton = _skeleton(lines, cuts)
    tree = roundtrip.load(skeleton)
    if not isinstance(tree, CommentedMap):
        return None
    provenance.remove(tree, removed)
    blocks: list[Any] = []
    roundtrip.apply_additions(tree, data, blocks=blocks)
    text = roundtrip.dump(tree, blocks)

    def put(match: re.Match[str]) -> str:
        cut = cuts[int(match.group(3))]
        body = "".join(_entries(cut, _at(data, cut.path), _at(existing, cut.path), removed))
        return f"{match.group(1)}{match.group(2)}:\n{cut.prefix}{body}{cut.suffix}".rstrip("\n")

    text, count = _LINE.subn(put, text)
    if count != len(cuts) or _PLACEHOLDER in text:
        raise LookupError("a map's placeholder was not written as a plain line")
    return text


def _large_maps(root: YMap) -> Iterator[tuple[YMap, str, tuple[str, ...]]]:
    if isinstance(root.get("tests"), YMap):
        yield root, "tests", ("tests",)
    systems = root.get("systems")
    if isinstance(systems, YMap):
        for sid, system in systems.items():
            if isinstance(system, YMap) and isinstance(system.get("assets"), YMap):
                yield system, "assets", ("systems", sid, "assets")


def _cut(lines: list[str], parent: YMap, key: str, path: tuple[str, ...]) -> _Cut | None:
    node = parent[key]
    if len(node) < SPLICE_MIN:
        return None
    own = parent.key_marks[key][0] - 1
    rows = [node.key_marks[k][0] - 1 for k in node]
    cols = {node.key_marks[k][1] - 1 for k in node}
    if len(cols) != 1 or any(b <= a for a, b in pairwise(rows)) or rows[0] <= own or not _OWN_LINE.match(lines[own]):
        return None
    col = cols.pop()
    end, after = _end(lines, rows[-1], col)
    bounds = [*rows, end]
    texts = {k: "".join(lines[bounds[i] : bounds[i + 1]]) for i, k in enumerate(node)}
    return _Cut(path, own, after, col, "".join(lines[own + 1 : rows[0]]), "".join(lines[end:after]), texts)


def _end(lines: list[str], last: int, col: int) -> tuple[int, int]:
    """Where the last entry ends, and where the comment and blank lines after it end."""
    i = end = last + 1
    while i < len(lines):
        body = lines[i].lstrip(" ")
        indent = len(lines[i]) - len(body)
        if not body.strip() or body.startswith("#"):
            i += 1
            if body.strip() and indent > col:
                end = i  # a comment inside the entry
            continue
        if indent <= col:
            break
        i += 1
        end = i
    return end, i


def _skeleton(lines: list[str], cuts: list[_Cut]) -> str:
    out: list[str] = []
    at = 0
    for n, cut in enumerate(cuts):
        out.extend(lines[at : cut.own])
        out.append(f"{lines[cut.own].rstrip()} {_PLACEHOLDER}{n}\n")
        at = cut.end
    out.extend(lines[at:])
    return "".join(out)


def _at(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node: Any = data
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _entries(cut: _Cut, final: dict[str, Any], before: dict[str, Any], removed: provenance.Written) -> Iterator[str]:
    """The map's entries in order: unchanged ones as they were, changed ones by ruamel.yaml, new ones by libyaml."""
    for key in roundtrip.key_order(list(cut.texts), sorted(k for k in final if k not in cut.texts)):
        if key not in final:  # removed (a test the export dropped): the comments after it stay
            yield _trailing_comments(cut.texts[key])
            continue
        if key in cut.texts and final[key] == before.get(key):
            yield cut.texts[key]
        elif key in cut.texts:
            yield _changed(cut, key, final[key], removed)
        else:
            yield _indent(roundtrip.dump_plain({key: final[key]}), cut.col)


def _changed(cut: _Cut, key: str, value: Any, removed: provenance.Written) -> str:
    """One entry the import changed, read and written by ruamel.yaml so that its comments stay."""
    text = "".join(
        line[min(cut.col, len(line) - len(line.lstrip(" "))) :] for line in cut.texts[key].splitlines(keepends=True)
    )
    tree = roundtrip.load(text)
    if not isinstance(tree, CommentedMap) or list(tree) != [key]:
        raise LookupError(f"entry {key!r} does not read back alone")
    if cut.path[0] == "systems":
        gone = removed.dependencies.get(f"{cut.path[1]}:{key}", set())
        deps = tree[key].get("depends_on") if isinstance(tree[key], CommentedMap) else None
        if gone and deps is not None:
            for i in reversed(range(len(deps))):
                if provenance.dep_id(deps[i]) in gone:
                    del deps[i]
            if not deps:
                del tree[key]["depends_on"]
    roundtrip.apply_additions(tree, {key: value}, cut.path[-1])
    return _indent(roundtrip.dump(tree), cut.col)


def _trailing_comments(text: str) -> str:
    """The comment and blank lines after an entry's last line of content."""
    lines = text.splitlines(keepends=True)
    last = max((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), default=-1)
    return "".join(lines[last + 1 :])


def _indent(text: str, col: int) -> str:
    pad = " " * col
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))
