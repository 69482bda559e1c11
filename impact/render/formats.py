"""Every output format of the commands that answer in one of several, in one table.

Like pre-commit's ``languages`` table: one entry per command and format
names the renderer (a pure function of the command's result, in
``render/``) and how it is called. The command line offers a command's
formats from here (``formats_of``) and renders through here
(:func:`render_as`), so a new format is an entry here and its renderer.
Renderers are imported when used: a command loads only its own
(start-up time).

Examples
--------
>>> formats_of("trace")
('text', 'json', 'markdown')
>>> FORMATS["coverage"]["csv"]
Format(function='impact.render.coverage:coverage_csv', call='plain')
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Format:
    function: str
    """``module:function`` (or ``module:Class.method``, for a result that renders itself): the renderer."""
    call: Literal["plain", "styled", "json"] = "plain"
    """``plain``: ``function(result)``; ``styled``: ``function(result, style)`` (text that a terminal colours);
    ``json``: ``dumps(function(result))``, the result's JSON-ready data written as JSON."""


FORMATS: dict[str, dict[str, Format]] = {
    "coverage": {
        "text": Format("impact.render.coverage:render_coverage", "styled"),
        "json": Format("impact.render.coverage:coverage_dict", "json"),
        "markdown": Format("impact.render.coverage:render_coverage_markdown"),
        "csv": Format("impact.render.coverage:coverage_csv"),
    },
    "trace": {
        "text": Format("impact.render.trace:render_trace", "styled"),
        "json": Format("impact.render.trace:trace_dict", "json"),
        "markdown": Format("impact.render.trace:render_trace_markdown"),
    },
    "diff": {
        "text": Format("impact.render.diff:render_diff", "styled"),
        "json": Format("impact.render.diff:diff_dict", "json"),
        "markdown": Format("impact.render.diff:render_diff_markdown"),
    },
    "release check": {
        "text": Format("impact.render.releases:render_release"),
        "json": Format("impact.render.releases:release_dict", "json"),
        "markdown": Format("impact.render.releases:render_release_markdown"),
    },
    "validate": {
        "text": Format("impact.render.validation:validation_line"),
        "json": Format("impact.render.validation:validation_dict", "json"),
        "markdown": Format("impact.render.validation:render_validation_markdown"),
    },
    "notify": {
        "text": Format("impact.render.notify:Notification.as_text"),
        "json": Format("impact.render.notify:Notification.as_dict", "json"),
        "markdown": Format("impact.render.notify:Notification.as_markdown"),
    },
}
"""Command → format → :class:`Format`; a command's first format is its default."""


def formats_of(command: str) -> tuple[str, ...]:
    """The formats a command offers, its default first."""
    return tuple(FORMATS[command])


def render_as(command: str, fmt: str, result: Any, style: Any = None) -> str:
    """``result`` of ``command`` in format ``fmt``; ``style`` colours text for a terminal (``cli/terminal.styler``)."""
    entry = FORMATS[command][fmt]
    module, _, name = entry.function.partition(":")
    function: Any = import_module(module)
    for part in name.split("."):  # a function, or a method of the result's class
        function = getattr(function, part)
    if entry.call == "json":
        from impact.render.jsonout import dumps  # only for JSON (start-up time)

        return dumps(function(result))
    if entry.call == "styled":
        return str(function(result, style))
    return str(function(result))
