"""Text as people read it, the same in every answer and format.

Escaped (:func:`safe`, :func:`visible`, :func:`char_refs`: no control or
reordering character ever reaches a terminal or a file raw), counted
(:func:`plural`), set out in columns (:func:`table`), and why-paths shown
and folded the one way every answer shows them (:func:`show_path`, with the
values a dependency tests, :func:`tests_words`, or passes on read whole,
:func:`carries_words`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from impact.core.catalog import Catalog
from impact.graph.depgraph import Reach

ARROW = " -> "


# Invisible or text-reordering characters above ASCII (as the pages' scripts list them).
HIDDEN = re.compile(
    "[\u007f-\u009f\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)


def char_refs(markup: str) -> str:
    """HTML or SVG with every :data:`HIDDEN` character left as a numeric reference: no raw U+202E in a file's bytes.

    For attribute values (an id a script looks up); text is shown with :func:`visible` first.

    >>> char_refs('<g data-asset="a' + chr(0x202E) + 'b">')
    '<g data-asset="a&#x202e;b">'
    """
    return HIDDEN.sub(lambda m: f"&#x{ord(m.group()):04x};", markup)


def visible(text: str | None) -> str:
    """:func:`safe` that keeps line breaks: for HTML and other outputs where they cannot start a forged line.

    >>> visible("a" + chr(0x202E) + "b" + chr(10) + "c")
    'a\\\\u202eb\\nc'
    """
    if text is None:
        return ""
    if text.isascii() and text.isprintable():
        return text
    return "\n".join(safe(line) for line in text.split("\n"))


def safe(text: str | None) -> str:
    """Show control and bidirectional-override characters as escapes, never raw.

    A name with U+202E (right-to-left override) or an ANSI escape must not
    rearrange or recolour the terminal: it is shown as ``\\u202e``.
    """
    if text is None:
        return ""
    if text.isascii() and text.isprintable():  # most ids and names: nothing to escape (C-fast)
        return text
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u200d":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


COMPACT_ABOVE = 8
"""Paths with more hops than this are shown with same-tool stretches folded."""


def compact_path(path: tuple[str, ...] | list[str], system_of: dict[str, str] | None = None) -> list[str | int]:
    """A why-path a person can read: every tool crossing kept, long same-tool runs folded.

    Returns asset ids, with an int ``n`` standing for ``n`` assets left out
    between its neighbours (all of the same tool). Paths of at most
    ``COMPACT_ABOVE`` hops are returned whole. Folding keeps text output
    linear in the number of impacted assets even for 5,000-long chains; the
    JSON output always carries the whole path.

    Examples
    --------
    >>> compact_path(["w:a", "w:b", "m:c"])
    ['w:a', 'w:b', 'm:c']
    >>> compact_path(["w:a", *[f"w:x{i}" for i in range(10)], "m:c", "m:d"])
    ['w:a', 9, 'w:x9', 'm:c', 'm:d']
    """
    path = list(path)
    if len(path) - 1 <= COMPACT_ABOVE:
        return list(path)

    def system(asset: str) -> str:
        return system_of[asset] if system_of is not None else asset.partition(":")[0]

    systems = [system(a) for a in path]
    keep = {0, len(path) - 1}
    for i in range(1, len(path)):
        if systems[i] != systems[i - 1]:
            keep.update((i - 1, i))
    return fold_steps(path, keep)


def fold_steps(path: Sequence[str], keep: set[int]) -> list[str | int]:
    """The steps at the positions in ``keep``, each run of others left out as its count.

    >>> fold_steps(["a", "b", "c", "d", "e"], {0, 3, 4})
    ['a', 2, 'd', 'e']
    """
    out: list[str | int] = []
    skipped = 0
    for i, step in enumerate(path):
        if i in keep:
            if skipped:
                out.append(skipped)
                skipped = 0
            out.append(step)
        else:
            skipped += 1
    return out


def quoted(values: Iterable[str]) -> str:
    """Values as a person reads them: ``'In Progress', 'New'``."""
    return ", ".join(f"'{safe(v)}'" for v in values)


def tests_words(values: Iterable[str]) -> str:
    """What a why-path's first dependency tests, in the words every output uses: ``tests 'In Progress'``."""
    return f"tests {quoted(values)}"


def carries_words(values: Iterable[str]) -> str:
    """What a why-path's first dependency passes on, read whole: ``carries 'In Progress' on``."""
    return f"carries {quoted(values)} on"


def left_out_words(count: int) -> str:
    """What a value-level change left out, in the words every output uses (each names the assets its own way after it).

    >>> left_out_words(1)
    '1 asset that tests the changed field only for other values'
    >>> left_out_words(3)
    '3 assets that test the changed field only for other values'
    """
    return f"{plural(count, 'asset')} that {'tests' if count == 1 else 'test'} the changed field only for other values"


def show_path(path: Reach | tuple[str, ...] | list[str]) -> str:
    """A why-path as one line of text, folded when long (see :func:`compact_path`).

    Given a :class:`Reach`, folding uses its key points and never walks the
    whole path, so showing every impacted asset stays linear in their number.
    A path whose first dependency tests values the change names says so:
    ``(tests 'In Progress')``.
    """
    # safe() maps each character on its own, so the joined line is escaped at once.
    if isinstance(path, Reach):
        tests = path.tests
        if tests:
            return show_path(path.path) + f" ({tests_words(tests)})"
        carries = path.carries
        if carries:  # read the value whole: passes the changed values on, nothing else
            return show_path(path.path) + f" ({carries_words(carries)})"
        if path.steps <= COMPACT_ABOVE:
            return safe(ARROW.join(path.path))
        parts = fold_points(path.key_points)
    else:
        parts = compact_path(path)
    return safe(ARROW.join(f"({part} more in the same tool)" if isinstance(part, int) else part for part in parts))


def fold_points(points: tuple[tuple[int, str], ...]) -> list[str | int]:
    """Key points ``(index, asset)`` of a path as assets, with the count of those left out between them."""
    out: list[str | int] = []
    last = None
    for index, asset in points:
        if last is not None and index - last > 1:
            out.append(index - last - 1)
        out.append(asset)
        last = index
    return out


def asset_label(catalog: Catalog, aid: str) -> str:
    """An asset as a person reads it: its id, then the name people know it by, if the catalog gives one.

    >>> from impact.core.catalog import Asset, Catalog
    >>> a = Asset("mkto:c/h", "mkto", "c/h", "smart-campaign", "ops", name="OPS - MQL Handoff")
    >>> asset_label(Catalog("c", {}, {}, {a.id: a}, [], {}), "mkto:c/h")
    'mkto:c/h "OPS - MQL Handoff"'
    """
    asset = catalog.assets.get(aid)
    return labelled(aid, asset.name if asset is not None else None)


def labelled(aid: str, name: str | None) -> str:
    """:func:`asset_label` given the name (None: it has none)."""
    return f'{safe(aid)} "{safe(name)}"' if name else safe(aid)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def table(rows: Iterable[tuple[str, ...]], header: tuple[str, ...], indent: str = "  ") -> list[str]:
    rows = [header, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines
