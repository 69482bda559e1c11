"""Reading an ordinary catalog file about ten times faster, or declining to.

:mod:`impact.read.yamlio` reads YAML precisely: every scalar kept as the
text the author wrote, every node with its ``line:col``, every trap refused
with its place. At 100,000 assets that costs about three seconds of CPU,
most of it building position tables that a valid file never needs.

Here a file is read by `yaml-rs <https://pypi.org/project/yaml-rs/>`_, a
YAML 1.2 parser written in Rust (on saphyr, which passes the YAML test
suite), and checked by the same pydantic models. Its answer is used only
where it must equal the precise parser's; otherwise :func:`read_fast`
returns None and the caller reads the file precisely, which also finds and
places any problem. "Must equal" rests on these guards:

* **A scan of the text before parsing** declines what the two parsers could
  read differently or what the precise parser refuses: tags, anchors and
  aliases; directives and document markers; a byte-order mark, control
  characters and the line breaks only YAML 1.1 knows (U+0085, U+2028,
  U+2029); a lone carriage return; and nesting that could exhaust the
  parser's stack.
* **Typing.** yaml-rs types plain scalars (``true``, ``15``, ``null``); the
  precise parser keeps text and lets the schema parse ``true`` and ``15``.
  The schema refuses a number or a boolean where text is expected, so a
  typed scalar passes only where the schema parses the text to the same
  value: any YAML 1.2 boolean is one the schema accepts, and a file whose
  data holds a number is declined if it spells a number in a way the schema
  refuses (``015``, ``0x1F``, ``+5``, ``1_000``: :func:`odd_numbers`).
* **Keys.** Duplicate keys are an error in yaml-rs too. An id that a
  YAML 1.1 tool would read as a boolean, number, date or null (``on:``,
  ``010:``) is left to the precise parser, which refuses two that collide.
* **Shape.** The data must validate against the same models; any problem is
  reported by the precise path, with its place.

``tests/test_fastyaml.py`` checks each guard and compares both readers on
generated files and on every YAML file of the repository.
"""

from __future__ import annotations

import re
from typing import Any

import yaml_rs

from impact.read.scalars import NULL_WORDS, YAML11_BOOL

# The scan is a handful of substring tests; a regular expression runs only on
# a file that holds one of the rare characters it looks for (one combined
# expression over a 100,000-asset catalog took longer than parsing it).
_ASCII_ALLOWED = bytes(range(0x20, 0x7F)) + b"\t\n\r"
# YAML's printable set without U+0085, U+2028, U+2029 (line breaks in YAML 1.1
# only) and U+FEFF (a byte-order mark, which the precise parser drops).
_NOT_ALLOWED = re.compile(r"[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_LONE_CR = re.compile(r"\r(?!\n)")
# A tag, an anchor or an alias: its indicator where a node can start.
_NODE_PROPERTY = re.compile(r"[\s\[\]{},:](?:!|[&*][^\s\[\]{},])")
# Directives, document markers, deep indentation: at the start of a line.
_LINE_STARTS = ("%", "---", "...", " " * 400)
_AFTER_BREAK = re.compile(r"\n(?:%|---|\.\.\.| {400})")
# Two block entries nested on one line (``- - x``). Without them, block
# nesting is at most the indentation (under 400); yaml-rs itself refuses flow
# nesting deeper than 256: far from what exhausts its stack (about 10,000).
# Each needle is a pass over the text: those with a ``?`` are looked for only
# in a text that has one.
_NESTED_ENTRIES = ("- -", "-  ")
_NESTED_ENTRY = re.compile("|".join(map(re.escape, _NESTED_ENTRIES)))  # one pass for both (a literal prefix: fast)
_NESTED_QUESTION = ("- ?", "? -", "? ?", "?  ")
# Plain text that libyaml refuses in a flow collection and YAML 1.2 reads:
# starting with an indicator (``{name: ?x}``, ``[|x]``, ``{a: :x}``), ``:?``
# inside (``a:?b``), or a key and its ``:`` on two lines. (Tabs are declined
# first, so only spaces separate.) The expressions for ``?``, ``|`` and ``>``
# run only on a text that has one.
_COLON_STARTS = ("[:", "{:", ",:", "\n:")  # a ':' that starts a node, written without a space before it
_SPACED_COLON = re.compile(r"[\[{,\n:] +:")  # the same with spaces, looked for only in a text with " :"
# Any ':' after one of those characters or a space: one pass that finds none in an
# ordinary file (five substring tests took a tenth of a second at 100,000 assets,
# as ':' is in every id); the precise tests above run only after a hit.
_COLON_AFTER = re.compile(r":(?<=[\[{,\n ]:)")
_FLOW_QUESTION = re.compile(r"[\[{,:][ \t]*\?\S|:\?")
_FLOW_BLOCK_SIGN = re.compile(r"[\[{,:][ \t]*[|>][^\s\-+0-9]")
# A plain number spelled in a way the schema refuses (010, 0x1F, 0o7, 0b1, +5, -1, 1_000).
_ODD_NUMBER = re.compile(r"[\s\[\]{},:](?:[-+][0-9]|0[0-9A-Za-z_]|[0-9]+_)")

# Plain ids that a YAML 1.1 tool types start with one of these characters or
# are one of its booleans or nulls (the precise reader's own lists).
_TYPED_START = frozenset("0123456789+-.~")
_TYPED_WORDS = frozenset(YAML11_BOOL) | NULL_WORDS


def declines(text: str) -> bool:
    """Whether ``text`` holds anything that only the precise parser may read.

    Examples
    --------
    >>> declines("owner: web\\ncritical: true\\nsteps:\\n  - Open the form\\n")
    False
    >>> declines("a: &x 1\\n"), declines("a: !!str 1\\n"), declines("---\\na: 1\\n"), declines("a: - - 1\\n")
    (True, True, True, True)
    >>> declines("description: Sales & Marketing, 5 * 3\\n")
    False
    """
    if text.isascii():
        if text.encode("ascii").translate(None, _ASCII_ALLOWED):
            return True
    elif _NOT_ALLOWED.search(text):
        return True
    if "\r" in text and _LONE_CR.search(text):
        return True
    if "\t" in text:  # YAML 1.2 takes a tab as white space in places where libyaml refuses it
        return True
    if _block_scalar_ends_file(text):
        return True
    if text.startswith(_LINE_STARTS) or _AFTER_BREAK.search(text):
        return True
    if _NESTED_ENTRY.search(text):
        return True
    if "?" in text and any(map(text.__contains__, _NESTED_QUESTION)):
        return True
    if _COLON_AFTER.search(text) and (
        any(map(text.__contains__, _COLON_STARTS)) or (" :" in text and _SPACED_COLON.search(text))
    ):
        return True
    if "?" in text and _FLOW_QUESTION.search(text):
        return True
    if ("|" in text or ">" in text) and _FLOW_BLOCK_SIGN.search(text):
        return True
    return ("!" in text or "&" in text or "*" in text) and _NODE_PROPERTY.search("\n" + text) is not None


def _block_scalar_ends_file(text: str) -> bool:
    """Whether the file may end inside a block scalar (``|``, ``>``) in a way the two readers end differently.

    yaml-rs adds a line break to a block scalar that ends the file without
    one, and to an empty one at the very end; libyaml does not. Declined:
    a file whose last line is unfinished or blank but not empty, if it has a
    block scalar anywhere, and a file whose last non-blank line holds
    ``|`` or ``>``.
    """
    if not text.endswith("\n") and ("|" in text or ">" in text):
        return True
    body = text.rstrip()
    last = body[body.rfind("\n") + 1 :]
    return "|" in last or ">" in last


def odd_numbers(text: str) -> bool:
    """Whether ``text`` holds a plain number the schema would refuse as written.

    yaml-rs reads ``015`` as 15; the schema refuses it (15, or octal 13?).
    Needed only for a file whose valid data holds a number: a number
    anywhere else fails validation anyway.

    Examples
    --------
    >>> odd_numbers("minutes: 15\\n"), odd_numbers("minutes: 015\\n"), odd_numbers("minutes: [+5]\\n")
    (False, True, True)
    """
    return _ODD_NUMBER.search("\n" + text) is not None


def _ids(data: dict[str, Any]) -> list[Any]:
    """The keys of the mappings whose keys are ids: teams, systems, assets, tests."""
    keys: list[Any] = []
    for section in ("teams", "systems", "tests"):
        entries = data.get(section)
        if isinstance(entries, dict):
            keys += entries
    systems = data.get("systems")
    if isinstance(systems, dict):
        for system in systems.values():
            assets = system.get("assets") if isinstance(system, dict) else None
            if isinstance(assets, dict):
                keys += assets
    return keys


def _typed_in_yaml11(key: Any) -> bool:
    return not isinstance(key, str) or not key or key[0] in _TYPED_START or key in _TYPED_WORDS


def read_fast(raw: bytes) -> tuple[str, dict[str, Any]] | None:
    """The text and data of a catalog file, the data as the schema will read it; None to read it precisely.

    Scalars come typed (``True``, ``15``) where the precise parser gives
    text (``'true'``, ``'15'``); the schema reads both to the same values.
    A caller whose validated data holds a number must also check
    :func:`odd_numbers` on the text.

    Examples
    --------
    >>> read_fast(b"teams:\\n  NO:\\n    name: Norway\\n")  # YAML 1.1 reads that id as false
    >>> read_fast(b"teams:\\n  web:\\n    name: NO\\n")[1]
    {'teams': {'web': {'name': 'NO'}}}
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if declines(text):
        return None
    try:
        data = yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # any error is the precise parser's to place and explain
        return None
    if not isinstance(data, dict) or any(map(_typed_in_yaml11, _ids(data))):
        return None
    return text, data
