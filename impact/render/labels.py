"""Text inside pictures: catalog text escaped for Graphviz labels, wrapped where a person reads a break, and node names.

Safety: every text from a catalog (names, keys, notes) reaches Graphviz only
inside HTML-like labels, escaped with :func:`html.escape` plus doubled
backslashes (Graphviz expands ``\\N`` and ``\\l`` even there). Node names are
``asset-`` plus the percent-encoded asset id, so they never need quoting rules.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, unquote

from impact.render.plaintext import safe


def label_text(text: str | None, width: int = 0) -> str:
    """Text for an HTML-like Graphviz label: shown literally, whatever it holds.

    ``&``, ``<`` and ``>`` become entities, backslashes are doubled (Graphviz
    would expand ``\\N``, ``\\l``, ``\\G`` even in HTML labels), control and
    bidi-override characters are shown as ``\\uXXXX``, and newlines become
    line breaks. ``width`` wraps long lines (nothing is cut).

    Examples
    --------
    >>> label_text('<b>"R&D"</b>')
    '&lt;b&gt;"R&amp;D"&lt;/b&gt;'
    >>> label_text("a\\\\N")
    'a\\\\\\\\N'
    >>> label_text("one\\ntwo")
    'one<BR ALIGN="LEFT"/>two'
    """
    lines: list[str] = []
    for raw in (text or "").split("\n"):
        line = safe(raw)
        parts = wrap_words(line, width) if width and line else [line]
        lines.extend(parts or [""])
    escaped = (html.escape(line, quote=False).replace("\\", "\\\\") for line in lines)
    return '<BR ALIGN="LEFT"/>'.join(escaped)


# A piece ends after / : . or - ; leading dashes (an option such as --max-tools) stay with their word.
_PIECE = re.compile(r"\s+|-*[^\s/:.\-]+[/:.\-]*|[/:.\-]+")


def wrap_words(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken only at spaces and after ``/``, ``:``, ``.`` or ``-``.

    A word is never cut: a piece longer than ``width`` gets a line of its own.

    Examples
    --------
    >>> wrap_words("smart-campaign/demo-request-fulfillment", 24)
    ['smart-campaign/demo-', 'request-fulfillment']
    >>> wrap_words("only leads owned by EMEA Inbound queue members", 20)
    ['only leads owned by', 'EMEA Inbound queue', 'members']
    >>> wrap_words("a lower --max-tools or --focus ASSET", 16)
    ['a lower --max-', 'tools or --focus', 'ASSET']
    >>> wrap_words("supercalifragilistic", 5)
    ['supercalifragilistic']
    """
    lines: list[str] = []
    current = ""
    for piece in _PIECE.findall(text):
        if piece.isspace():
            if current:
                current += " "
            continue
        if current and len(current + piece) > width:
            lines.append(current.rstrip())
            current = piece
        else:
            current += piece
    if current.strip():
        lines.append(current.rstrip())
    return lines or [text]


def node_name(asset_id: str) -> str:
    """The DOT node name (and SVG ``id``) of an asset: ``asset-`` + percent-encoded id.

    >>> node_name("website:/products/")
    'asset-website%3A%2Fproducts%2F'
    >>> asset_of_node(node_name('we"ird\\\\')) == 'we"ird\\\\'
    True
    """
    return "asset-" + quote(asset_id, safe="")


def asset_of_node(name: str) -> str:
    """The asset id back from :func:`node_name`."""
    return unquote(name.removeprefix("asset-"))


def summary_name(system: str) -> str:
    return "more-" + quote(system, safe="")


def change_name(change_id: str) -> str:
    return "change-" + quote(change_id, safe="")
