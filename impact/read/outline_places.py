"""Where a catalog file's definitions stand, found from its outline without parsing it again.

A file read by the fast reader (:mod:`impact.read.fastyaml`) has a record
without places; a message about one of its definitions needs the line and
column of the definition's key. :func:`~impact.read.definition_places.definition_places`
finds them by reading the whole file precisely, which costs about twenty
times what the fast reader took. Here they are found from the file's
*outline*: the lines at the indentation of the mappings that hold
definitions (the top level, ``teams``, ``systems``, each system, its
``assets``, ``tests``), read with one regular expression and a small stack
of open block mappings. Deeper lines (the fields of each definition) are
skipped without being looked at.

The answer is used only where it must be the precise reader's, and
:func:`outline_places` returns None (read it precisely) at any doubt:

* **It is checked against what the file defines.** The caller knows the
  file's ids, in order (its record, or its data as the fast reader read
  it). The keys found at each level must equal them exactly, in order: a
  key missed, misread, written in flow style (``teams: {web: ...}``), or a
  line taken for a key that is not one, makes the lists differ. A section,
  a system's ``assets`` or the policy found twice is declined too.
* **Only what a key line can be is read as one.** At the indentation of an
  open mapping a line must be a comment, a ``- `` entry (a list at its
  key's indentation) or ``key:`` with a plain key, a single-quoted key, or
  a double-quoted key without escapes, all on one line; anything else (an
  explicit ``? `` key, a tab, a line between two levels of indentation, a
  quoted value or flow collection not closed on its line, an anchor or a
  tag) declines the whole file.
* **Lines of one value are never taken for keys.** A line of a multi-line
  scalar is indented deeper than the mapping that holds the scalar, or YAML
  (and yaml-rs) refuses it: plain and block scalars end where their
  indentation does in both readers, and yaml-rs refuses a quoted scalar's
  line that goes back to the keys' indentation in a block (libyaml reads
  it: the outline runs only on a text the fast reader accepted). Inside a
  flow collection, though, yaml-rs reads a quoted scalar's lines, and a
  line starting with a quoted key, at any indentation; so every line with a
  ``[`` or ``{`` must close its flow collections on the line
  (:func:`_open_flow`), and a quoted value after a key must close on its
  line. Then a line at the indentation of an open mapping is one of its
  entries.

A key's place is the precise reader's: its line (counted by line breaks,
``\\r\\n`` being one), and the column of its first character (its quote, if
quoted), which is the line's indentation plus one, 1-based.
``tests/test_outline_places.py`` compares both on generated files in many styles, on
every YAML file of the repository and on hand-made traps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from impact.read.definition_places import definition_places
from impact.read.records import FileRecord


class Defined(NamedTuple):
    """What a file defines, in the order written: the answer a scan must find."""

    teams: list[str]
    systems: list[str]
    assets: list[list[str]]
    """Per system, in the order of ``systems``: its asset keys."""
    tests: list[str]
    policy: bool | None
    """Whether the file has a top-level ``policy`` key; None if not known (a record's policy None may be written
    ``policy: ~``).
    """


def defined_by_record(record: FileRecord) -> Defined:
    """What a valid file defines, from its record."""
    return Defined(
        [t.id for t in record.teams],
        [s.id for s in record.systems],
        [s.assets.keys for s in record.systems],
        [t.id for t in record.tests],
        True if record.policy is not None else None,
    )


def defined_by_data(data: Any) -> Defined | None:
    """What a file defines, from its data as the fast reader read it (as :func:`definition_places` reads it)."""
    if not isinstance(data, dict):
        return None

    def section(name: str) -> dict[Any, Any]:
        value = data.get(name)
        return value if isinstance(value, dict) else {}

    systems = section("systems")
    assets = []
    for system in systems.values():
        entries = system.get("assets") if isinstance(system, dict) else None
        assets.append(list(entries) if isinstance(entries, dict) else [])
    return Defined(list(section("teams")), list(systems), assets, list(section("tests")), "policy" in data)


# --- the scan -------------------------------------------------------------------------

# A line of the outline: a line break, the indentation (at most ``limit``
# spaces, see _outline_lines), then either a key on one line, its ':' and what
# follows it, or (group 6) any other line that is not blank. A plain key does
# not start with an indicator or a space and ends before the first ':' that is
# followed by a space or the line's end; a quoted key has no line break, and
# no escape in double quotes.
_KEY = (
    r"""(?:"([^"\\\n]*)"|'((?:[^'\n]|'')*)'|([^-?:,\[\]{}#&*!|>'"%@` \n](?:[^\n]*?[^ \n])??)) *:(?: +([^\n]*))?(?=\n)"""
)


@lru_cache(maxsize=4)
def _outline_lines(limit: int | None) -> re.Pattern[str]:
    spaces = " *" if limit is None else f" {{0,{limit}}}"
    return re.compile(f"\\n({spaces})(?:{_KEY}|([^ \\n][^\\n]*))")


# A value that is a quoted scalar closed on its line.
_QUOTED_VALUE = re.compile(r"""(?:"(?:[^"\\\n]|\\[^\n])*"|'(?:[^'\n]|'')*') *(?:#.*)?$""")


@lru_cache(maxsize=1)
def _open_flow() -> re.Pattern[str]:
    """Finds a line holding ``[`` or ``{`` that is not one of the lines whose flow collections all close on it.

    Those lines are a grammar narrower than YAML's, which reads each of them
    the same way: a key (quoted, or plain without quotes, brackets or
    commas) and a value, or a list entry, after the line's indentation; the
    value a flow collection nested at most four deep whose scalars are
    quoted on one line or plain without quotes, ``#`` or ``: ``, or plain
    text that opens nothing (``see [docs``), then a comment. Quotes count
    only where YAML starts a scalar, so a quote inside a plain word never
    hides a bracket. Any other line with a bracket is a doubt, even one
    that opens nothing (a block scalar's ``[x``). A first, narrower pattern
    lets the usual lines (``depends_on: ["a", {asset: "b", note: "c"}]``)
    pass at a third of the cost.
    """
    dq = r'"(?:[^"\\\n]|\\[^\n])*+"'
    sq = r"'(?:[^'\n]|'')*+'"
    # A plain scalar's first character: no indicator, or '-' before a safe character ('--owner', as YAML allows).
    first = r"""(?:[^ \n"'\[\]{},#&*!|>%@`?:\-]|-(?=[^ \n"'\[\]{},#]))"""
    plain_in_flow = first + r"""(?:[^"'\[\]{},:#\n]|:(?=[^ \n,\[\]{}]))*+"""
    plain_key = first + r"""(?:[^"'\[\]{},:#\n]|:(?=[^ \n]))*+"""
    plain_value = first + r"""(?:[^:#\n]|:(?=[^ \n]))*+"""  # plain text in a block: brackets are text
    scalar = f"(?:{dq}|{sq}|{plain_in_flow})"
    value = scalar
    for _ in range(4):
        value = rf"(?:{scalar}|\[(?: *{value} *(?:,|(?=\])))* *\]|\{{(?: *{scalar} *: +{value} *(?:,|(?=\}})))* *\}})"
    line = (
        rf"(?: *#[^\n]*| *(?:- +)*(?:(?:{dq}|{sq}|{plain_key}) *:(?: +|(?=\n)))?"
        rf"(?:{value}(?: +#[^\n]*| *)|{plain_value}(?: +#[^\n]*)?|(?:#[^\n]*)?))"
    )
    usual_item = r'(?:"[^"\\\n]*+"|\{[a-z_]++: "[^"\\\n]*+"(?:, [a-z_]++: "[^"\\\n]*+")*+\})'
    usual = rf" *+[a-z_]++: \[{usual_item}(?:, {usual_item})*+\]"
    return re.compile(rf"\n(?=[^\n\[{{]*+[\[{{])(?!{usual}\n)(?!{line}\n)")


_SECTIONS = {"teams": "team", "systems": "system", "tests": "test"}

# Frames: (indentation, kind, where its entries go). Kinds of mappings:
_ROOT, _SECTION, _SYSTEM, _ASSETS = range(4)
_DEEPER = object()  # the scan saw too few lines: scan again with no limit


class _Doubt(Exception):
    """The outline is in doubt: the file is read precisely."""


@dataclass(slots=True)
class _Found:
    """What a scan found so far: the keys of each section and system's ``assets``, and the policy's place."""

    sections: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    assets: list[list[tuple[str, int, int]] | None] = field(default_factory=list)
    policy: tuple[int, int] | None = None
    seen_assets: set[int] = field(default_factory=set)
    """The systems whose ``assets`` key was found (by position in ``assets``)."""

    def add(self, kind: int, into: Any, key: str, at: tuple[int, int], opens: bool, end: int) -> _Pending | None:
        """Take a key of a mapping of ``kind``; the mapping of definitions its value may open (after ``end``).

        Raises :class:`_Doubt` at a section, a system's ``assets`` or the policy found twice.
        """
        if kind == _ROOT:
            if key in _SECTIONS:
                if key in self.sections:
                    raise _Doubt
                entries: list[tuple[str, int, int]] = []
                self.sections[key] = entries
                return (_SECTION, (key, entries), end) if opens else None
            if key == "policy":
                if self.policy is not None:
                    raise _Doubt
                self.policy = at
        elif kind == _SECTION:
            name, entries = into
            entries.append((key, *at))
            if name == "systems":
                self.assets.append(None)
                return (_SYSTEM, len(self.assets) - 1, end) if opens else None
        elif kind == _SYSTEM and key == "assets":
            if into in self.seen_assets:
                raise _Doubt
            self.seen_assets.add(into)
            keys: list[tuple[str, int, int]] = []
            self.assets[into] = keys
            return (_ASSETS, keys, end) if opens else None
        elif kind == _ASSETS:
            into.append((key, *at))
        return None


_Pending = tuple[int, Any, int]
"""A key line whose value may be the next mapping: (kind of that mapping, where its entries go, end of the key line)."""


def _value_doubtful(value: str) -> bool:
    """Whether the value written after a key is a quoted scalar not closed on its line, or an anchor, alias or tag."""
    first = value[0]
    if first in "\"'":
        return _QUOTED_VALUE.match(value) is None
    return first in "&*!"


def _only_comments(text: str) -> bool:
    """Whether ``text`` is blank lines and comment lines only."""
    return not text.strip(" \n") or all(
        not line.strip(" ") or line.lstrip(" ").startswith("#") for line in text.split("\n")
    )


def _is_entry(rest: str) -> bool:
    """Whether a line is a list entry (``- x``, or ``-`` alone)."""
    return rest[0] == "-" and (len(rest) == 1 or rest[1] == " ")


def _scan(text: str, limit: int | None) -> _Found | object | None:
    """The outline of ``text`` (which starts with a line break), None at a doubt, or _DEEPER."""
    found = _Found()
    # The open mappings of the outline, innermost in top_*: (indentation, kind, where its entries go).
    stack: list[tuple[int, int, Any]] = []
    top_indent, top_kind = -1, _ROOT
    top_into: Any = None
    pending: _Pending | None = None
    line = pos = 0  # line breaks before ``pos``
    count = text.count
    for match in _outline_lines(limit).finditer(text):
        spaces, double, single, plain, value, rest = match.groups()
        indent = len(spaces)
        start = match.start()
        if pending is None and indent == top_indent and top_kind == _ASSETS and rest is None and not value:
            # The usual line, an asset's key and nothing after it: as below, in short.
            line += count("\n", pos, start)
            pos = start
            key = double if double is not None else single.replace("''", "'") if single is not None else plain
            if plain is not None and " #" in plain:
                return None
            top_into.append((key, line + 1, indent + 1))
            continue
        if rest is not None and rest[0] == "#":
            continue  # a comment
        line += count("\n", pos, start)
        pos = start
        if top_indent < 0:  # the first line: the top-level mapping starts here
            if limit is not None and not _only_comments(text[:start]):
                return _DEEPER
            if rest is not None and _is_entry(rest):
                return None  # a list, not a mapping
            top_indent = indent
        elif pending is not None:  # the first line after a key whose value may be a mapping of definitions
            kind, into, after = pending
            pending = None
            if limit is not None and not _only_comments(text[after:start]):
                return _DEEPER  # the value may start on a line not seen
            if indent > top_indent and not (rest is not None and _is_entry(rest)):
                stack.append((top_indent, top_kind, top_into))
                top_indent, top_kind, top_into = indent, kind, into
        if indent > top_indent:
            continue  # a line of the value of the last key
        while indent < top_indent and stack:
            top_indent, top_kind, top_into = stack.pop()
        if indent != top_indent or (rest is not None and not _is_entry(rest)):
            return None  # between two levels (not a line of this outline), or not a key on one line
        if rest is not None:
            continue  # a list at its key's indentation: the value of the last key
        try:
            pending = found.add(top_kind, top_into, *_key_line(double, single, plain, value, line, indent, match.end()))
        except _Doubt:
            return None
    if limit is not None and _unseen_may_matter(text, top_indent, pending):
        return _DEEPER
    return found


def _key_line(
    double: str | None, single: str | None, plain: str | None, value: str | None, line: int, indent: int, end: int
) -> tuple[str, tuple[int, int], bool, int]:
    """A key line's key, place, whether its value may open a mapping, and its end; :class:`_Doubt` if in doubt."""
    if plain is not None and " #" in plain:
        raise _Doubt  # a comment inside what would be the key
    key = double if double is not None else single.replace("''", "'") if single is not None else plain or ""
    value = value.rstrip(" ") if value is not None else ""
    if value and value[0] != "#" and _value_doubtful(value):
        raise _Doubt
    return key, (line + 1, indent + 1), not value or value[0] == "#", end


def _unseen_may_matter(text: str, top_indent: int, pending: _Pending | None) -> bool:
    """Whether lines a scan with a limit did not see may hold the top-level mapping, or the value of the last key."""
    if top_indent < 0 and not _only_comments(text):
        return True
    return pending is not None and not _only_comments(text[pending[2] :])


def _ids(entries: list[tuple[str, int, int]] | None) -> list[str]:
    return [key for key, _, _ in entries or ()]


def outline_places(text: str, defined: Defined, limit: int = 6) -> dict[str, tuple[int, int]] | None:
    """Where each definition of ``text`` stands, as :func:`definition_places` gives it; None to read it precisely.

    ``text`` must be a file the fast reader accepted and ``defined`` what it
    defines. Lines indented by more than ``limit`` spaces are skipped unseen
    (the fields of the definitions, in the usual style); a file whose outline
    is deeper is scanned again in full.

    Examples
    --------
    >>> text = ("teams:\\n  web: {name: Web}\\nsystems:\\n  crm:\\n    name: CRM\\n"
    ...         "    assets:\\n      'a:b': {type: field}\\n")
    >>> outline_places(text, Defined(["web"], ["crm"], [["a:b"]], [], False))
    {'team:web': (2, 3), 'system:crm': (4, 3), 'asset:crm:a:b': (7, 7)}
    >>> outline_places(text, Defined(["web"], ["crm"], [["a"]], [], False)) is None
    True
    """
    if "\t" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    if not text.isascii() and any(c in text for c in "\x85\u2028\u2029\ufeff"):
        return None  # line breaks of YAML 1.1 only, a byte-order mark: the fast reader declines them anyway
    found = _scan("\n" + text + "\n", limit)
    if found is _DEEPER:
        found = _scan("\n" + text + "\n", None)
    if not isinstance(found, _Found):
        return None
    sections = found.sections
    if (
        _ids(sections.get("teams")) != defined.teams
        or _ids(sections.get("systems")) != defined.systems
        or _ids(sections.get("tests")) != defined.tests
        or [_ids(keys) for keys in found.assets] != defined.assets
        or (found.policy is not None) != bool(defined.policy)
    ):
        return None
    if _open_flow().search("\n" + text + "\n") is not None:
        return None  # a flow collection may go on over lines: see the module's docstring
    places: dict[str, tuple[int, int]] = {}
    for section, kind in _SECTIONS.items():
        places.update((f"{kind}:{key}", (line, col)) for key, line, col in sections.get(section) or ())
    for sid, keys in zip(defined.systems, found.assets):
        places.update((f"asset:{sid}:{key}", (line, col)) for key, line, col in keys or ())
    if found.policy is not None:
        places["policy"] = found.policy
    return places


def _read_fast(record: FileRecord) -> bool:
    """Whether a record was built by the fast reader (its places are all line 0: found later)."""
    return (
        not any(t.line for t in record.teams)
        and not any(t.line for t in record.tests)
        and all(s.line == 0 and not any(s.assets.lines) for s in record.systems)
        and (record.policy is None or record.policy.line == 0)
    )


def places_by_record(raw: bytes, record: FileRecord) -> dict[str, tuple[int, int]] | None:
    """:func:`definition_places` of a file read by the fast reader, from its outline; None if in doubt.

    ``record`` is the file's record, which says what it defines; a record
    not built by the fast reader gets None (its file may hold what the fast
    reader refuses: see the module's docstring).
    """
    if not _read_fast(record):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return outline_places(text, defined_by_record(record))


def located(raw: bytes, name: str) -> dict[str, tuple[int, int]]:
    """:func:`definition_places`, from the file's outline if the fast reader accepts it.

    What the file defines is then known from the fast reader's data; a file
    the fast reader declines, or whose outline is in doubt, is read precisely.
    """
    from impact.read.fastyaml import read_fast  # yaml-rs only here (start-up time)

    fast = read_fast(raw)
    defined = defined_by_data(fast[1]) if fast is not None else None
    places = outline_places(fast[0], defined) if fast is not None and defined is not None else None
    return places if places is not None else definition_places(raw, name)
