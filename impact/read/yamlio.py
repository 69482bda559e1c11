"""Reading YAML safely, keeping what the author wrote, and remembering where.

Why not ``yaml.safe_load``:

* YAML 1.1 typing turns ``NO`` (Norway) into ``False``, ``010`` into ``8`` and
  ``2024-01-01`` into a date. A catalog is mostly names and ids, so here every
  scalar stays the string the author wrote; the schema layer decides what is a
  boolean or a number and rejects what is ambiguous, quoting the original text.
* Duplicate keys silently keep the last value; here they are an error that
  names the first place.
* Alias bombs and absurd nesting must be refused before anything walks them.
* Errors must point at ``file:line:col``, so every mapping and sequence keeps
  the marks of its entries.

The scanner and parser are libyaml's (through PyYAML's C binding when present,
its pure-Python twin otherwise). We only compose: events are consumed in one
flat loop with an explicit stack, so depth is checked before it can grow and
no recursion limit is ever hit.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from impact.core.errors import ImpactError, Problem
from impact.read.gcpause import gc_paused
from impact.read.indentation import indentation_problem
from impact.read.nesting import MAX_DEPTH, flow_too_deep_at, too_deep
from impact.read.scalars import NULL_WORDS, YAML11_BOOL, describe

try:  # libyaml through Cython: about ten times faster than the Python parser.
    _Loader: type = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.BaseLoader

MAX_ALIAS_EXPANSION = 10
"""Aliases may at most multiply the size of a document by this factor."""

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

# Plain scalars that YAML 1.1 would type differently: used to catch keys that
# collide for other YAML tools (``on:`` and ``true:`` are the same key there).
# The booleans are the YAML 1.1 spec's list (PyYAML leaves out y/n); numbers,
# dates and nulls are typed by PyYAML's own YAML 1.1 resolver, never by hand.
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_OK_TAGS = frozenset({*_ALLOWED_TAGS, None, "!"})  # None: no tag; "!": the non-specific tag
_PLAIN_STYLES = frozenset({None, ""})
# What YAML lets a file hold (its printable set; a byte-order mark is dropped first).
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@lru_cache(maxsize=4096)
def yaml11_reading(text: str) -> str | None:
    """What a YAML 1.1 tool makes of the plain scalar ``text``, when it is not text.

    Examples
    --------
    >>> yaml11_reading("on"), yaml11_reading("010"), yaml11_reading("1:20"), yaml11_reading("web")
    ('true', 'the number 8', 'the number 80', None)
    """
    if text in YAML11_BOOL:
        return YAML11_BOOL[text]
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
    if tag == _STR_TAG:
        return None
    construct = yaml.constructor.SafeConstructor.yaml_constructors.get(tag)
    try:  # called directly: construct_object would remember every node it saw
        value = construct(yaml.constructor.SafeConstructor(), yaml.ScalarNode(tag, text)) if construct else None
    except (ValueError, yaml.YAMLError, OverflowError):
        return None  # e.g. 2024-13-45: no tool reads it as a date either
    kind = tag.rsplit(":", 1)[-1]
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("int", "float"):
        return f"the number {value!r}"
    if kind == "timestamp" and value is not None:
        return f"the date {value.isoformat()}"
    return "null (no value)" if kind == "null" else None


class YMap(dict[str, Any]):
    """A mapping that remembers where each key and value stood (1-based)."""

    __slots__ = ("col", "key_marks", "line", "value_marks")

    def __init__(self, line: int, col: int) -> None:
        super().__init__()
        self.line = line
        self.col = col
        self.key_marks: dict[str, tuple[int, int]] = {}
        self.value_marks: dict[str, tuple[int, int]] = {}


class YSeq(list[Any]):
    """A sequence that remembers where each item stood (1-based)."""

    __slots__ = ("col", "line", "marks")

    def __init__(self, line: int, col: int) -> None:
        super().__init__()
        self.line = line
        self.col = col
        self.marks: list[tuple[int, int]] = []


@dataclass(frozen=True)
class YamlDoc:
    """A parsed file: its data and the name used in messages."""

    file: str
    data: Any

    def locate(self, path: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
        """The 1-based (line, col) of the value at ``path`` (or of its key).

        Walks as far down ``path`` as the data goes, so a path into a missing
        key points at the mapping that lacks it.
        """
        node: Any = self.data
        line, col = (getattr(node, "line", 1), getattr(node, "col", 1))
        for i, step in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, YMap) and isinstance(step, str) and step in node:
                marks = node.key_marks if (key and last) else node.value_marks
                line, col = marks[step]
                node = node[step]
            elif isinstance(node, YSeq) and isinstance(step, int) and 0 <= step < len(node):
                line, col = node.marks[step]
                node = node[step]
            else:
                break
        return line, col

    def problem(self, path: tuple[Any, ...], message: str, *, key: bool = False) -> Problem:
        line, col = self.locate(path, key=key)
        return Problem(self.file, line, col, message)


def _tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _decode(raw: bytes | str, file: str) -> str:
    """UTF-8 text with a BOM dropped; refuse anything else with its place."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        assert isinstance(raw, bytes)
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ImpactError(
            Problem(file, line, col, f"this file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8")
        ) from None
    text = text.removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise ImpactError(Problem(file, line, col, "this file contains a NUL character; is it a binary file?"))
    odd = _NOT_PRINTABLE.search(text)
    if odd is not None:  # libyaml's own message has no line and names its internals
        at = odd.start()
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        message = (
            f"this file contains the control character U+{ord(text[at]):04X}, which YAML does not allow; "
            "delete it (it often comes with pasted text)"
        )
        raise ImpactError(Problem(file, line, col, message))
    return text


def _syntax_hint(problem: str, context: str, at: str, char: str) -> str:
    """What to do about a libyaml syntax error, in words a catalog author knows."""
    if char == "\t":
        return "a tab is not allowed here: indent with spaces"
    if problem.startswith("did not find expected ',' or"):
        opener = "{" if problem.endswith("'}'") else "["
        closer = "}" if opener == "{" else "]"
        return (
            f"the '{opener}'{at} is not closed, or two of its entries lack a ',' between them; "
            f"add the '{closer}' or the ','"
        )
    if problem == "found unexpected end of stream" and "quoted scalar" in context:
        return f"the quote{at} is never closed; close it"
    if problem == "did not find expected key":
        item = " (a '- ' item cannot follow 'key: value' lines)" if char == "-" else ""
        return f"this line does not line up with the keys of the mapping{at}; indent it like them{item}"
    if problem.startswith("mapping values are not allowed"):
        return "a ': ' inside a value; put the whole value in quotes"
    if problem == "found character that cannot start any token":
        return f"a value cannot start with {char!r}; put the value in quotes"
    if problem == "found unknown escape character":
        return "inside double quotes a backslash starts an escape; use single quotes, or write \\\\ for one backslash"
    if problem == "could not find expected ':'":
        return f"the text{at} has no ':'; write 'key: value', or indent it under the line above"
    return (
        f"check this line and the one above it ({context}{at})" if context else "check this line and the one above it"
    )


def _syntax_problem(exc: yaml.YAMLError, file: str, text: str, keys: Collection[str] = ()) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    what = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None) or ""
    cmark = getattr(exc, "context_mark", None)
    at = (
        f" at line {cmark.line + 1}, column {cmark.column + 1}"
        if cmark is not None and mark is not None and cmark.index != mark.index
        else ""
    )
    char = text[mark.index] if mark is not None and 0 <= mark.index < len(text) else ""
    indent = indentation_problem(what, text.splitlines(), line, col, keys) if mark is not None else None
    if indent is not None:
        return Problem(file, indent[0], indent[1], f"YAML syntax error: {indent[2]}")
    return Problem(file, line, col, f"YAML syntax error: {what}; {_syntax_hint(what, context, at, char)}")


def parse_yaml(raw: bytes | str, file: str, *, max_depth: int = MAX_DEPTH, keys: Collection[str] = ()) -> YamlDoc:
    """Parse one YAML document into plain dicts, lists and strings.

    Every scalar stays a ``str`` exactly as written, except a plain empty value
    or ``~``/``null``, which is ``None``.

    Raises
    ------
    ImpactError
        With one problem at ``file:line:col`` for syntax errors (``keys``:
        the known keys of the file's format, to tell where a line indented
        wrong belongs), duplicate
        keys, unsafe tags, alias bombs, nesting deeper than ``max_depth``,
        several documents, an empty file or bytes that are not UTF-8.

    Examples
    --------
    >>> doc = parse_yaml("country: NO\\nzip: 010\\n", "a.yaml")
    >>> doc.data
    {'country': 'NO', 'zip': '010'}
    >>> doc.locate(("zip",))
    (2, 6)
    """
    text = _decode(raw, file)
    # impact's own limit comes first, whatever limit the installed libyaml has:
    # libyaml's scanner reads ahead, so a limit of its own (PyYAML 6.0.4 brought
    # one of 1,000 levels) would otherwise answer before ours, in its words.
    deep_at = flow_too_deep_at(text, max_depth)
    if deep_at is not None:
        # Confirmed by our own composer on the text up to there, which also
        # counts the block mappings around the brackets and gives its place.
        too_deep = _compose_prefix(text[: deep_at + 1], file, max_depth)
        if too_deep is not None:
            raise ImpactError(too_deep)
    loader = _Loader(text)
    try:
        with gc_paused():
            return YamlDoc(file, _compose(loader, file, max_depth))
    except yaml.YAMLError as exc:
        problem = _nesting_problem(exc, text, file, max_depth) or _syntax_problem(exc, file, text, keys)
        raise ImpactError(problem) from None
    finally:
        loader.dispose()


def _nesting_problem(exc: yaml.YAMLError, text: str, file: str, max_depth: int) -> Problem | None:
    """impact's own message when a libyaml version refuses deep nesting by itself.

    libyaml's scanner reads ahead of the events, so its limit can answer before
    ``_compose`` reaches ours. Composing the text up to where libyaml stopped
    then meets our limit first and gives our message at our place.
    """
    if "nesting depth" not in str(getattr(exc, "problem", "") or ""):
        return None
    mark = getattr(exc, "problem_mark", None)
    ours = _compose_prefix(text[: mark.index] if mark is not None else text, file, max_depth)
    if ours is not None:
        return ours
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(file, line, col, too_deep(max_depth))


def _compose_prefix(prefix: str, file: str, max_depth: int) -> Problem | None:
    """Our depth problem in ``prefix``, if composing it meets our limit first."""
    loader = _Loader(prefix)
    try:
        _compose(loader, file, max_depth)
    except ImpactError as ours:
        message = ours.problems[0]
        return message if message.message == too_deep(max_depth) else None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


# The composer keeps the innermost open mapping or sequence in locals: the
# container (None at the top), a key waiting for its value (with its place),
# size, typed keys and anchor. ``size`` counts the nodes the container would
# have if every alias were expanded; ``typed keys`` maps a YAML 1.1 reading of
# a plain key to that key. The containers around it are saved on a stack of
# such frames; the frame below the root's is the top's, so closing the root
# brings back None. A closed container's place is where it starts.
#
# Its loop runs once per YAML event (about a million for a 100,000-asset
# catalog), so it is written for speed: event classes are compared by
# identity, the common case (a scalar) comes first, and the rare checks only
# call out to a helper when they have something to report.
def _compose(loader: Any, file: str, max_depth: int) -> Any:
    """The one document of ``loader``'s stream: a mapping, with the marks of its entries."""
    loader.get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        raise ImpactError(Problem(file, 1, 1, "this file is empty; give it content or delete it"))
    start = loader.get_event()  # DocumentStart
    root = _compose_nodes(loader, file, max_depth)
    loader.get_event()  # DocumentEnd
    _check_one_document(loader, file)
    if not isinstance(root, YMap):
        kind = "a list" if isinstance(root, YSeq) else "a single value" if root is not None else "nothing"
        mark = start.start_mark
        message = f"the file holds {kind}; it must be a mapping of keys (e.g. 'teams:')"
        raise ImpactError(Problem(file, mark.line + 1, mark.column + 1, message))
    return root


def _compose_nodes(loader: Any, file: str, max_depth: int) -> Any:
    """The document's root node, from the event after the document's start to the root's last event."""
    get_event = loader.get_event
    scalar_cls, map_start, seq_start, map_end, seq_end = _EVENT_CLASSES
    ok_tags, plain_styles, null_words, reading_of = _OK_TAGS, _PLAIN_STYLES, NULL_WORDS, yaml11_reading
    anchors: dict[str, tuple[Any, int]] = {}
    cur: Any = None
    cur_seq, cur_key, cur_size, cur_typed, cur_anchor = False, None, 0, None, None
    stack: list[tuple[Any, ...]] = []
    plain_nodes = expanded = 0
    while True:
        event = get_event()
        cls = event.__class__
        if cls is scalar_cls:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if event.tag not in ok_tags:
                raise ImpactError(_tag_problem(file, line, col, event.tag))
            value = event.value
            plain = event.style in plain_styles and event.implicit[0]
            if plain and value in null_words:
                value = None
            anchor, size = event.anchor, 1
            plain_nodes += 1
        elif cls is map_end or cls is seq_end:
            value, size, anchor, plain, line, col = cur, cur_size, cur_anchor, False, cur.line, cur.col
            cur, cur_seq, cur_key, cur_size, cur_typed, cur_anchor = stack.pop()
        elif cls is map_start or cls is seq_start:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if event.tag not in ok_tags or len(stack) >= max_depth:
                raise ImpactError(_open_problem(event.tag, max_depth, file, line, col))
            stack.append((cur, cur_seq, cur_key, cur_size, cur_typed, cur_anchor))
            cur_seq = cls is seq_start
            cur = YSeq(line, col) if cur_seq else YMap(line, col)
            cur_key, cur_size, cur_typed, cur_anchor = None, 1, None, event.anchor
            plain_nodes += 1
            continue
        else:  # an alias, the only other event before the root node ends
            value, size, line, col, expanded = _alias(event, anchors, expanded, plain_nodes, file)
            anchor, plain = None, False
        if anchor is not None:
            anchors[anchor] = (value, size)
        if cur is None:
            return value
        cur_size += size
        if cur_seq:
            cur.append(value)
            cur.marks.append((line, col))
        elif cur_key is None:  # this node is a key
            if value.__class__ is not str or value in cur or (plain and reading_of(value) is not None):
                cur_typed = _check_key(cur, cur_typed, value, plain, line, col, file)
            cur_key = (value, (line, col))
        else:
            key, key_mark = cur_key
            cur[key] = value
            cur.key_marks[key] = key_mark
            cur.value_marks[key] = (line, col)
            cur_key = None


_EVENT_CLASSES = (
    yaml.ScalarEvent,
    yaml.MappingStartEvent,
    yaml.SequenceStartEvent,
    yaml.MappingEndEvent,
    yaml.SequenceEndEvent,
)

_ALIAS_BOMB = "aliases here expand to far more data than the file holds (an alias bomb?); write the values out"


def _tag_problem(file: str, line: int, col: int, tag: Any) -> Problem:
    return Problem(file, line, col, f"the YAML tag {describe(_tag(tag))} is not allowed; remove it")


def _open_problem(tag: str | None, max_depth: int, file: str, line: int, col: int) -> Problem:
    """Why a mapping or sequence cannot open here: its tag, or it would be more than ``max_depth`` deep."""
    if tag not in _OK_TAGS:
        return _tag_problem(file, line, col, tag)
    return Problem(file, line, col, too_deep(max_depth))


def _alias(
    event: Any, anchors: dict[str, tuple[Any, int]], expanded: int, plain_nodes: int, file: str
) -> tuple[Any, int, int, int, int]:
    """The node an alias names, its expanded size, the alias's place, and the nodes aliases expanded to so far.

    Refused when the aliases have expanded to far more nodes than the file holds.
    """
    mark = event.start_mark
    line, col = mark.line + 1, mark.column + 1
    if event.anchor not in anchors:
        raise ImpactError(Problem(file, line, col, f"the alias *{event.anchor} names no anchor defined before it"))
    value, size = anchors[event.anchor]
    expanded += size
    if expanded > MAX_ALIAS_EXPANSION * max(plain_nodes, 1000):
        raise ImpactError(Problem(file, line, col, _ALIAS_BOMB))
    return value, size, line, col, expanded


def _check_one_document(loader: Any, file: str) -> None:
    if loader.check_event(yaml.DocumentStartEvent):
        nxt = loader.peek_event().start_mark
        message = "a second YAML document starts here; keep one document per file"
        raise ImpactError(Problem(file, nxt.line + 1, nxt.column + 1, message))


def _check_key(
    mapping: YMap,
    typed: dict[str, tuple[str, int, int]] | None,
    key: Any,
    plain: bool,
    line: int,
    col: int,
    file: str,
) -> dict[str, tuple[str, int, int]] | None:
    """Refuse a key that is not text, written twice, or read by YAML 1.1 tools as an earlier key; the typed keys."""
    if not isinstance(key, str):
        what = "an empty key" if key is None else "a mapping or list used as a key"
        raise ImpactError(Problem(file, line, col, f"{what} is not allowed; keys are plain text"))
    if key in mapping:  # a key is stored with its value, always before the next key
        _check_duplicate(mapping, key, line, col, file)
    if plain and yaml11_reading(key) is not None:
        typed = _check_typed_key(typed, key, line, col, file)
    return typed


def _check_duplicate(mapping: YMap, key: str, line: int, col: int, file: str) -> None:
    # A key's mark is stored when its value arrives, which is always before the next key.
    first = mapping.key_marks.get(key)
    if first is not None:
        where = f" (first at line {first[0]}, column {first[1]})"
        raise ImpactError(Problem(file, line, col, f"duplicate key {describe(key)}{where}; keep one of them"))


def _check_typed_key(
    seen: dict[str, tuple[str, int, int]] | None, key: str, line: int, col: int, file: str
) -> dict[str, tuple[str, int, int]] | None:
    """Refuse a plain key that a YAML 1.1 tool reads as the same value as an earlier one.

    ``on:`` and ``true:`` (or ``010:`` and ``8:``) are two keys here but one
    for PyYAML's ``safe_load``, Ruby and many editors; quoting either key makes
    it text everywhere, so only plain keys are compared.
    """
    reading = yaml11_reading(key)
    if reading is None:
        return seen
    seen = {} if seen is None else seen
    other = seen.get(reading)
    if other is not None:
        okey, oline, ocol = other
        raise ImpactError(
            Problem(
                file,
                line,
                col,
                f"key {describe(key)} collides with {describe(okey)} at line {oline}, column {ocol}: "
                f"YAML 1.1 tools read both as {reading}; rename or quote one of them",
            )
        )
    seen[reading] = (key, line, col)
    return seen
