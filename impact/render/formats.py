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
Format(function='impact.render.coverage:coverage_csv', call='plain', notes=None, prose=False)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Format:
    function: str
    """``module:function`` (or ``module:Class.method``, for a result that renders itself): the renderer."""
    call: Literal["plain", "styled", "json", "stream"] = "plain"
    """``plain``: ``function(result)``; ``styled``: ``function(result, style)`` (text that a terminal colours);
    ``json``: ``dumps(function(result))``, the result's JSON-ready data written as JSON; ``stream``:
    ``function(result, write)`` writes the answer's bytes as they are made (a big answer is never held whole)."""
    notes: str | None = None
    """``module:function`` giving the lines said beside the answer, on standard error (what it leaves out)."""
    prose: bool = False
    """Words for a person rather than data for a program: a command may say them with its errors instead."""


FORMATS: dict[str, dict[str, Format]] = {
    "check": {
        "text": Format("impact.render.check.styled:write_check", "stream"),
        "json": Format("impact.render.check.data:write_check", "stream"),
        "markdown": Format("impact.render.check.markdown:check_markdown"),
    },
    "check several": {
        "text": Format("impact.render.check.styled:checks_text"),
        "json": Format("impact.render.check.data:checks_dict", "json"),
        "markdown": Format("impact.render.check.markdown:checks_markdown"),
    },
    "conflicts": {
        "text": Format("impact.render.conflicts:render_conflicts"),
        "json": Format("impact.render.conflicts:conflicts_dict", "json"),
        "markdown": Format("impact.render.conflicts:render_conflicts_markdown"),
    },
    "stakeholders": {
        "text": Format("impact.render.stakeholder_lists:render_stakeholders_table"),
        "json": Format("impact.render.stakeholder_lists:stakeholders_dict", "json"),
        "markdown": Format("impact.render.stakeholder_lists:render_stakeholders_markdown"),
        "csv": Format("impact.render.stakeholder_lists:stakeholders_csv"),
        "emails": Format(
            "impact.render.stakeholder_lists:stakeholder_emails", notes="impact.render.stakeholder_lists:email_notes"
        ),
    },
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
        "text": Format("impact.render.validation:validation_text", prose=True),
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


def _renderer(name: str) -> Any:
    module, _, path = name.partition(":")
    function: Any = import_module(module)
    for part in path.split("."):  # a function, or a method of the result's class
        function = getattr(function, part)
    return function


def render_as(command: str, fmt: str, result: Any, style: Any = None) -> str:
    """``result`` of ``command`` in format ``fmt``; ``style`` colours text for a terminal (``cli/terminal.styler``)."""
    entry = FORMATS[command][fmt]
    function = _renderer(entry.function)
    if entry.call == "stream":
        pieces: list[bytes] = []
        function(result, pieces.append)
        return b"".join(pieces).decode("utf-8")
    if entry.call == "json":
        from impact.render.jsonio import dumps  # only for JSON (start-up time)

        return dumps(function(result))
    if entry.call == "styled":
        return str(function(result, style))
    return str(function(result))


def write_as(command: str, fmt: str, result: Any, write: Callable[[bytes], object], style: Any = None) -> None:
    """:func:`render_as` written to ``write`` as UTF-8: piece by piece as it is made for a ``stream`` format."""
    entry = FORMATS[command][fmt]
    if entry.call == "stream":
        _renderer(entry.function)(result, write)
    else:
        write(render_as(command, fmt, result, style).encode("utf-8"))


def notes_of(command: str, fmt: str, result: Any) -> list[str]:
    """The lines to say beside ``result`` in format ``fmt``, on standard error (none for most formats)."""
    entry = FORMATS[command][fmt]
    return list(_renderer(entry.notes)(result)) if entry.notes else []
