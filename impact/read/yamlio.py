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


def parse_yaml(
    raw: bytes | str, file: str, *, max_depth: int = MAX_DEPTH, keys: Collection[str] = ()
) -> YamlDoc:
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


def _compose(loader: Any, file: str, max_depth: int) -> Any:
    # One frame per open mapping or sequence: (container, is_sequence,
    # pending_key, size, typed_keys, anchor). ``size`` counts the nodes the
    # container would have if every alias were expanded; ``typed_keys`` maps a
    # YAML 1.1 reading of a plain key to that key.
    #
    # This loop runs once per YAML event (about a million for a 100,000-asset
    # catalog), so it is written for speed: event classes are compared by
    # identity, the common case (a scalar) comes first, and the rare checks
    # only call out to a helper when they have something to report.
    get_event = loader.get_event
    get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        raise ImpactError(Problem(file, 1, 1, "this file is empty; give it content or delete it"))
    start = get_event()  # DocumentStart
    scalar_cls, alias_cls = yaml.ScalarEvent, yaml.AliasEvent
    map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    ok_tags = _OK_TAGS
    plain_styles = _PLAIN_STYLES
    null_words = NULL_WORDS
    reading_of = yaml11_reading
    anchors: dict[str, tuple[Any, int]] = {}
    # The innermost open container lives in locals (the hot path reads them on
    # every event); the ones around it are saved on ``stack``.
    cur: Any = None  # the open mapping or sequence, None at the top
    cur_seq = False
    cur_key: tuple[str, int, int] | None = None  # a key waiting for its value
    cur_size = 0
    cur_typed: dict[str, tuple[str, int, int]] | None = None
    cur_anchor: str | None = None
    stack: list[tuple[Any, ...]] = []
    depth = 0
    plain_nodes = 0
    expanded = 0
    root: Any = None
    while True:
        event = get_event()
        cls = event.__class__
        value: Any
        if cls is scalar_cls:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if event.tag not in ok_tags:
                raise ImpactError(
                    Problem(file, line, col, f"the YAML tag {describe(_tag(event.tag))} is not allowed; remove it")
                )
            value = event.value
            plain = event.style in plain_styles and event.implicit[0]
            if plain and value in null_words:
                value = None
            anchor = event.anchor
            size = 1
            plain_nodes += 1
        elif cls is map_end or cls is seq_end:
            value, size, anchor = cur, cur_size, cur_anchor
            line, col = cur.line, cur.col  # a container is where it starts
            depth -= 1
            if stack:
                cur, cur_seq, cur_key, cur_size, cur_typed, cur_anchor = stack.pop()
            else:
                cur = None
            plain = False
        elif cls is map_start or cls is seq_start:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if event.tag not in ok_tags:
                raise ImpactError(
                    Problem(file, line, col, f"the YAML tag {describe(_tag(event.tag))} is not allowed; remove it")
                )
            if depth >= max_depth:
                raise ImpactError(Problem(file, line, col, too_deep(max_depth)))
            if cur is not None:
                stack.append((cur, cur_seq, cur_key, cur_size, cur_typed, cur_anchor))
            cur_seq = cls is seq_start
            cur = YSeq(line, col) if cur_seq else YMap(line, col)
            cur_key, cur_size, cur_typed, cur_anchor = None, 1, None, event.anchor
            depth += 1
            plain_nodes += 1
            continue
        elif cls is alias_cls:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if event.anchor not in anchors:
                raise ImpactError(
                    Problem(file, line, col, f"the alias *{event.anchor} names no anchor defined before it")
                )
            value, size = anchors[event.anchor]
            anchor = None
            plain = False
            expanded += size
            if expanded > MAX_ALIAS_EXPANSION * max(plain_nodes, 1000):
                raise ImpactError(
                    Problem(
                        file,
                        line,
                        col,
                        "aliases here expand to far more data than the file holds (an alias bomb?); "
                        "write the values out",
                    )
                )
        else:  # DocumentEnd
            if loader.check_event(yaml.DocumentStartEvent):
                nxt = loader.peek_event().start_mark
                raise ImpactError(
                    Problem(
                        file,
                        nxt.line + 1,
                        nxt.column + 1,
                        "a second YAML document starts here; keep one document per file",
                    )
                )
            break
        if anchor is not None:
            anchors[anchor] = (value, size)
        if cur is None:
            root = value
            continue
        cur_size += size
        if cur_seq:
            cur.append(value)
            cur.marks.append((line, col))
        elif cur_key is None:  # this node is a key
            if not isinstance(value, str):
                what = "an empty key" if value is None else "a mapping or list used as a key"
                raise ImpactError(Problem(file, line, col, f"{what} is not allowed; keys are plain text"))
            if value in cur:  # a key is stored with its value, always before the next key
                _check_duplicate(cur, value, line, col, file)
            if plain and reading_of(value) is not None:
                cur_typed = _check_typed_key(cur_typed, value, line, col, file)
            cur_key = (value, line, col)
        else:
            key, kline, kcol = cur_key
            cur[key] = value
            cur.key_marks[key] = (kline, kcol)
            cur.value_marks[key] = (line, col)
            cur_key = None
    if not isinstance(root, YMap):
        kind = "a list" if isinstance(root, YSeq) else "a single value" if root is not None else "nothing"
        raise ImpactError(
            Problem(
                file,
                start.start_mark.line + 1,
                start.start_mark.column + 1,
                f"the file holds {kind}; it must be a mapping of keys (e.g. 'teams:')",
            )
        )
    return root


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
