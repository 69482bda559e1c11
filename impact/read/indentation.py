"""The root cause of a YAML syntax error that comes from a line indented wrong.

libyaml says "did not find expected key" at a line that lines up with no
level above it, and names the mapping it was parsing: often not the one the
line belongs to. Here the lines above give the levels still open; a key
between two of them belongs to the deeper one when it is a known key of the
file's format (``critical`` under an asset), else to the shallower one (an
id). A ``- `` item out of line with the item above it is named as such, and
a key indented deeper than a ``key: value`` line above it is read as part of
that value.
"""

from __future__ import annotations

import re
from collections.abc import Collection

Level = tuple[int, int, str]
"""(column, line, key) of a line that opens or holds a key, 1-based."""

_KEY = re.compile(r"""("[^"]*"|'[^']*'|[^\s'"#][^:#]*?)\s*:(\s|$)""")


def key_of(content: str) -> str:
    """The key a ``key: value`` line starts with, unquoted ('' if the line is no such line).

    >>> key_of("critical: true"), key_of('"/products/":'), key_of("- website:/pricing/")
    ('critical', '/products/', '')
    """
    found = _KEY.match(content)
    return found.group(1).strip("'\"") if found else ""


def _significant(lines: list[str], before: int) -> list[int]:
    """Indices of the lines above line ``before`` (1-based) that hold something, nearest first."""
    return [i for i in range(before - 2, -1, -1) if lines[i].strip() and not lines[i].lstrip().startswith("#")]


def levels(lines: list[str], line: int) -> list[Level]:
    """The keys still open above ``line`` (1-based), innermost first."""
    found: list[Level] = []
    for i in _significant(lines, line):
        content = lines[i].lstrip(" ")
        col = len(lines[i]) - len(content) + 1
        if content.startswith("- "):  # a list item's key stands after its dash
            col += len(content) - len(content[2:].lstrip(" "))
        if not found or col < found[-1][0]:
            found.append((col, i + 1, key_of(content.removeprefix("- ").lstrip(" "))))
        if col == 1:
            break
    return found


def _spaces(n: int) -> str:
    return "one space" if n == 1 else f"{n} spaces"


def _list_item(lines: list[str], line: int, start: int) -> str | None:
    """A '- ' item not lined up with the item before it in the same list."""
    lowest = len(lines[line - 1])  # the least indentation of the lines between
    for i in _significant(lines, line):
        content = lines[i].lstrip(" ")
        col = len(lines[i]) - len(content) + 1
        if content.startswith("- ") and col <= lowest:
            if col == start:
                return None
            side = f"{_spaces(col - start)} left of" if col > start else f"{_spaces(start - col)} right of"
            return f"this '- ' item is {side} the item at line {i + 1} (column {col}); indent it to column {col}"
        lowest = min(lowest, col)
        if col < start:
            return None
    return None


def _between_levels(key: str, start: int, open_: list[Level], keys: Collection[str]) -> str | None:
    """A key that lines up with no open level: the column of the level it belongs to."""
    deeper = [lv for lv in open_ if lv[0] > start]
    shallower = [lv for lv in open_ if lv[0] < start]
    if deeper and (key in keys or not shallower):
        to, at, _ = next((lv for lv in reversed(deeper) if lv[2] in keys), deeper[-1])
        where = f"{_spaces(to - start)} left of the keys above it (line {at}, column {to})"
    elif shallower:
        to, at, _ = next((lv for lv in shallower if lv[2] not in keys), shallower[0])
        where = f"{_spaces(start - to)} right of the keys at line {at} (column {to})"
    else:
        return None
    return f"{key!r} is {where}; indent it to column {to}"


def _inside_value(lines: list[str], key: str, start: int, open_: list[Level]) -> str | None:
    """A key indented deeper than the ``key: value`` line above it: libyaml reads it as part of that value."""
    col, at, above = open_[0]
    text = lines[at - 1].lstrip(" ")
    value = text.split(":", 1)[1].strip() if above else ""
    if col >= start or not value or value[0] in "|>":
        return None
    return (
        f"{key!r} is indented deeper than {above!r} above it (line {at}), so it is read as part of its value; "
        f"indent it to column {col}"
    )


def indentation_problem(
    what: str, lines: list[str], line: int, col: int, keys: Collection[str]
) -> tuple[int, int, str] | None:
    """(line, column, message) of a syntax error caused by indentation, or None when it is something else.

    ``what`` is libyaml's problem, at ``line``/``col`` (1-based); ``keys``
    are the known keys of the file's format.

    >>> text = ["a:", "  b:", "    type: x", "   critical: true"]
    >>> indentation_problem("did not find expected key", text, 4, 4, {"type", "critical"})
    (4, 4, "'critical' is one space left of the keys above it (line 3, column 5); indent it to column 5")
    """
    if not 0 < line <= len(lines):
        return None
    content = lines[line - 1].lstrip(" ")
    start = len(lines[line - 1]) - len(content) + 1
    key, open_ = key_of(content), levels(lines, line)
    message = None
    if what in ("did not find expected key", "did not find expected '-' indicator") and col == start and open_:
        if content.startswith("- "):
            message = _list_item(lines, line, start)
        elif key:
            message = _between_levels(key, start, open_, keys)
    elif what.startswith("mapping values are not allowed") and key and open_:
        message = _inside_value(lines, key, start, open_)
    return (line, start, message) if message else None
