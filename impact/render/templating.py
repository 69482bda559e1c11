"""Jinja2 set-up shared by every templated output (Markdown, emails, HTML).

Teams can override any template by putting a file of the same name in a
folder given with ``--templates DIR`` or ``IMPACT_TEMPLATES``. Autoescaping is
on for HTML and XML template names, so data from a catalog can never become
markup there; Markdown gets its own escaping filters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import cache
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from impact.render.plaintext import compact_path, fold_steps, left_out_words, safe, visible

TEMPLATES_ENV = "IMPACT_TEMPLATES"

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md_text(value: object) -> str:
    """Text for a Markdown table cell or line: markup characters escaped, one line."""
    text = safe("" if value is None else str(value))
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_code(value: object) -> str:
    """An id as inline code; safe in table cells (pipes escaped, backticks fenced)."""
    text = safe("" if value is None else str(value)).replace("|", "\\|")
    # A fence longer than any run of backticks inside, so ``a``b`` cannot end the span early.
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _finalize(value: object) -> object:
    """Every value a template prints: control and bidirectional characters shown as ``\\u202e``, in every output kind.

    Markup (HTML impact built from escaped text) is printed as it is.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


@cache
def environment(override: str | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    folder = override or os.environ.get(TEMPLATES_ENV)
    if folder:
        loaders.append(jinja2.FileSystemLoader(folder))
    loaders.append(jinja2.PackageLoader("impact.render", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "svg", "html.j2", "htm.j2", "xml.j2", "svg.j2"),
            default_for_string=False,
        ),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md_text
    env.filters["code"] = md_code
    env.filters["safe_text"] = safe
    env.filters["compact_path"] = compact_path
    env.filters["left_out_words"] = left_out_words
    return env


def render(name: str, override: str | None = None, **context: object) -> str:
    return environment(override).get_template(name).render(**context)


def safe_url(value: object) -> str | None:
    """The URL itself when it is an absolute http(s) URL, else None: never ``javascript:``.

    Examples
    --------
    >>> safe_url("https://example.com/runbook")
    'https://example.com/runbook'
    >>> safe_url("javascript:alert(1)") is None, safe_url("//evil.example") is None
    (True, True)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(c.isspace() or ord(c) < 32 for c in text):
        return text
    return None


# --- ids and paths as a person reads them ---

_ID_BREAK = re.compile(r"[^/:._-]*[/:._-]+|[^/:._-]+")


def id_parts(value: object) -> Markup:
    """An asset id as HTML that may wrap only after ``/``, ``:``, ``.``, ``_`` and ``-``.

    Each piece ending in one of those characters is a ``<span>`` that CSS keeps
    on one line (``white-space: nowrap``), with a ``<wbr>`` between pieces, so
    a narrow screen never breaks a key in the middle of a word
    (``EMEA_I|nbound``). The pieces are escaped like any other text.

    Examples
    --------
    >>> str(id_parts("website:/products/"))
    '<span>website:/</span><wbr><span>products/</span>'
    >>> str(id_parts("salesforce:queue/EMEA_Inbound"))
    '<span>salesforce:</span><wbr><span>queue/</span><wbr><span>EMEA_</span><wbr><span>Inbound</span>'
    >>> str(id_parts("a<b"))
    '<span>a&lt;b</span>'
    """
    text = visible("" if value is None else str(value))
    pieces = _ID_BREAK.findall(text) or [text]
    return Markup("<wbr>").join(Markup("<span>{}</span>").format(piece) for piece in pieces)


def crossings(path: Sequence[str]) -> list[str | int]:
    """A why-path folded to its tool crossings: the first asset, the first asset in each
    further tool, and the last, with an int counting the steps left out in between.

    >>> crossings(["w:a", "m:b", "m:c", "m:d", "s:e", "s:f"])
    ['w:a', 'm:b', 2, 's:e', 's:f']
    >>> crossings(["w:a", "w:b"])
    ['w:a', 'w:b']
    """
    steps = list(path)
    keep = {0, len(steps) - 1}
    keep.update(i for i in range(1, len(steps)) if steps[i].partition(":")[0] != steps[i - 1].partition(":")[0])
    return fold_steps(steps, keep)
