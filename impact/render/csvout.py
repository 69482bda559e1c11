"""CSV output, safe to open in a spreadsheet.

Written with the stdlib :mod:`csv` module (quoting handled there). A cell
that a spreadsheet would read as a formula (one starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is prefixed with a single quote, the
usual defence against CSV formula injection: a team named ``=HYPERLINK(...)``
shows as text instead of running. Invisible and reordering characters
(U+202E) and control characters other than tab and line ends are shown as
``\\u202e``, as in every output.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from impact.render.plaintext import HIDDEN

# Shown as \u202e-style text: invisible and reordering characters,
# and controls other than tab and line ends (which are cell data).
_CONTROLS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f]|{HIDDEN.pattern}")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """One cell's text, neutralised against formula injection.

    Examples
    --------
    >>> cell("=1+1"), cell("-2"), cell("Web Team"), cell(None), cell("a" + chr(0x202E) + "b")
    ("'=1+1", "'-2", 'Web Team', '', 'a\\\\u202eb')
    """
    text = _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", "" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text (RFC 4180 line endings) with every cell passed through :func:`cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()
