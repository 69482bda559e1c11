"""How deep flow collections (``[...]``, ``{...}``) nest, found by a scan that needs no YAML library.

So the limit and its message do not depend on the installed libyaml (PyYAML
6.0.4 refuses 1,000 flow levels by itself, ahead of the events).
"""

from __future__ import annotations

import re

MAX_DEPTH = 64
"""Deepest nesting accepted; a catalog needs about 8."""


# The characters that open or close flow collections, quote, or start a comment.
_FLOW_TOKEN = re.compile(r"[\[\]{}\"'#\n]")
_DQ_END = re.compile(r'(?:\\.|[^"\\])*"', re.S)
_NODE_START = frozenset("[{,:?-")
# Where a node can start in block context: after the indentation, or after
# ': ', '- ' or '? ' (the indicators need white space after them).
_BLOCK_NODE_START = re.compile(r"(?::|(?:^|[ \t])[-?])[ \t]+$|^[ \t]*$", re.M)


def flow_too_deep_at(text: str, max_depth: int = MAX_DEPTH) -> int | None:
    r"""Where flow collections (``[...]``, ``{...}``) first nest deeper than ``max_depth``.

    A scan of the text that needs no YAML library, so the limit and its message
    do not depend on the installed libyaml. It follows quotes and comments; it
    counts a bracket in block context only where a flow collection can start
    (after a line's indentation, ``- ``, ``: `` or ``? ``). Text is scanned only
    when it holds more opening brackets than the limit.

    Examples
    --------
    >>> flow_too_deep_at("a: [[x], {b: c}]\n") is None
    True
    >>> flow_too_deep_at("a: " + "[" * 70)
    67
    >>> flow_too_deep_at("a: '" + "[" * 70 + "'\n") is None
    True
    """
    if _shallow(text, max_depth):
        return None
    depth = 0
    at = 0
    n = len(text)
    while at < n:
        found = _FLOW_TOKEN.search(text, at)
        if found is None:
            return None
        pos = found.start()
        char = text[pos]
        at = pos + 1
        if char == "\n":
            continue
        line_start = text.rfind("\n", 0, pos) + 1
        if depth > 0:
            before = text[line_start:pos].rstrip(" ")
            node_start = not before or before[-1] in _NODE_START
        else:
            node_start = _BLOCK_NODE_START.search(text, line_start, pos) is not None
        if char == "#":
            if pos == line_start or text[pos - 1] in " \t":
                end = text.find("\n", pos)
                at = n if end < 0 else end
            continue
        if char in "\"'":
            if not node_start:
                continue  # an apostrophe inside plain text
            at = _after_quoted(text, char, at)
            continue
        if char in "[{":
            if depth == 0 and not node_start:
                continue  # a bracket inside a plain block value
            depth += 1
            if depth > max_depth:
                return pos
        elif depth > 0:
            depth -= 1
    return None


def _after_quoted(text: str, quote: str, at: int) -> int:
    """Where a scalar quoted with ``quote`` ends (just past its closing quote), its text starting at ``at``."""
    if quote == '"':
        closed = _DQ_END.match(text, at)
        return len(text) if closed is None else closed.end()
    end = at
    while True:
        end = text.find("'", end)
        if end < 0 or text[end + 1 : end + 2] != "'":
            break
        end += 2  # '' is an apostrophe inside the scalar
    return len(text) if end < 0 else end + 1


# An innermost flow collection: brackets around plain text and quoted scalars.
_QUOTED = r"\"(?:\\.|[^\"\\])*\"|'(?:[^']|'')*'"
_INNERMOST = re.compile(rf"\[(?:[^\[\]{{}}\"']|{_QUOTED})*\]|\{{(?:[^\[\]{{}}\"']|{_QUOTED})*\}}")


def _shallow(text: str, max_depth: int) -> bool:
    """True when no flow collection can nest deeper than ``max_depth`` (C-speed, for the common case).

    Each pass removes the innermost collections, which lowers any chain of
    nested collections by at most one level; when fewer opening brackets
    remain than the limit less the passes, no chain can be deeper. (A stray
    apostrophe in plain text can make a pass remove more; the composer's own
    check and ``_nesting_problem`` still hold the limit then.)
    """
    rest = text
    for passes in range(4):
        if rest.count("[") + rest.count("{") <= max_depth - passes:
            return True
        rest = _INNERMOST.sub("", rest)
    return False


def too_deep(max_depth: int) -> str:
    return f"nesting deeper than {max_depth} levels; a catalog needs far fewer"
