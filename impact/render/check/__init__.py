"""``impact check``'s answer: what a change reaches, who to involve, which tests to run.

The biggest answer, so a package: one module per format (``text``, ``data``
for JSON, ``markdown``, and ``styled``, the text wrapped and coloured for a terminal),
with the answer as asked (:class:`CheckAnswer`, or :class:`CheckAnswers` for
several change files) here. Other answers reuse its parts: a team, a test or a
release path as JSON (``data``), the why-paths of :mod:`impact.render.plaintext`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from impact.analysis.check import CheckResult
from impact.core.errors import Problem
from impact.render.plaintext import plural


@dataclass(frozen=True, slots=True)
class CheckAnswer:
    """One change's check, as asked: every impacted asset (``--all``) or not, and how a terminal shows it."""

    result: CheckResult
    show_all: bool = False
    style: Callable[[str, str], str] | None = None
    """Colours the text for a terminal (``cli/terminal.styler``); None: plain."""
    width: int | None = None
    """The terminal's width to wrap the text at; None: one fact per line."""


@dataclass(frozen=True, slots=True)
class CheckAnswers:
    """Several changes' checks, one after the other, and the files that could not be checked."""

    results: Sequence[CheckResult]
    problems: Sequence[Problem]
    show_all: bool = False
    style: Callable[[str, str], str] | None = None
    width: int | None = None

    @property
    def blocking(self) -> list[str]:
        return [r.change.id for r in self.results if r.blocking]

    @property
    def bad_files(self) -> list[str]:
        return sorted({p.file for p in self.problems if p.severity == "error"})

    def summary(self) -> str:
        """``Checked 3 change requests: 1 blocking (CR-1), 2 fine.``, with the files that could not be checked."""
        blocking = self.blocking
        summary = f"Checked {plural(len(self.results), 'change request')}: "
        summary += f"{len(blocking)} blocking" + (f" ({', '.join(blocking)})" if blocking else "")
        summary += f", {len(self.results) - len(blocking)} fine"
        if self.problems:
            bad = self.bad_files
            summary += f"; {plural(len(bad), 'file')} could not be checked ({', '.join(bad)})"
        return summary + "."
