"""The text answer of ``impact check`` laid out for a person at a terminal.

Into a file or a pipe the answer is written as :mod:`impact.render.check.text`
makes it: one line per fact, for ``grep`` and diffs. On a terminal the long
lines are wrapped at its width (a why-path only between its steps, so an id
is never cut; the rest of a line stands under its label) and the verdict is
coloured by the one decision (:mod:`impact.analysis.decision`): red when
the change is blocking, yellow when it is not ready to ship, green when it
can ship. The caller decides whether this is a
terminal (width and colour are None otherwise), and ``NO_COLOR``.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Iterator

from impact.analysis.check import CheckResult
from impact.analysis.decision import decide
from impact.render.check import CheckAnswer, CheckAnswers
from impact.render.check.text import check_lines, write_lines
from impact.render.plaintext import ARROW

Style = Callable[[str, str], str]

_LABELLED = re.compile(r"^(\s*(?:why|risk|covers|note|touches): |\s+- )")
_LEAD = re.compile(r"^(\s*(?:! |\[ \] )?)")  # an item's indentation, with its critical mark or its check box
_KEEP = "\x00"  # stands for a space that must not become a line break (never in an answer: text.safe escapes it)


def verdict_kind(result: CheckResult) -> str:
    """The verdict's colour, from the one decision: ``'bad'`` if blocking, ``'good'`` if it can ship, else ``'hold'``.
    """
    decision = decide(result)
    if decision.blocking:
        return "bad"
    return "good" if decision.ships or decision.released else "hold"


def wrap(line: str, width: int | None) -> list[str]:
    """``line`` cut to ``width`` columns: labelled lines (``why:``, ``risk:``, ``- ``) and sentences; tables stay whole.

    >>> wrap("        why: a:x -> b:y -> c:z", 24)
    ['        why: a:x -> b:y', '             -> c:z']
    >>> wrap('   ! web:/p/ "Products section" (same tool)', 30)
    ['   ! web:/p/ "Products', '       section" (same tool)']
    >>> wrap("  TEAM  ROLE", 5), wrap("short", None)
    (['  TEAM  ROLE'], ['short'])
    """
    if width is None or len(line) <= width:
        return [line]
    found = _LABELLED.match(line)
    if found is None:
        lead = _LEAD.match(line)
        start = lead.group(1) if lead else ""
        if "  " in line[len(start) :]:  # a table row or an aligned list: cutting it would scramble it
            return [line]
        indent = " " * (len(start) + 2) if start else ""
        return _fill(line[len(start) :], width, start, indent) or [line]
    label = found.group(1)
    body = line[len(label) :]
    if label.strip() == "why:":  # break between steps only: an id with a space stays whole
        body = ARROW.join(step.replace(" ", _KEEP) for step in body.split(ARROW))
    return [piece.replace(_KEEP, " ") for piece in _fill(body, width, label, " " * len(label))] or [line]


def _fill(text: str, width: int, first: str, rest: str) -> list[str]:
    """``text`` in lines of ``width`` at most, broken at spaces only: a word (an id) is never cut."""
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False
    )


def for_terminal(result: CheckResult, lines: Iterable[str], style: Style | None, width: int | None) -> Iterator[str]:
    """The answer's ``lines`` wrapped at ``width`` and, with ``style``, the verdict coloured and the headings bold."""
    if style is None and width is None:
        yield from lines
        return
    kind = verdict_kind(result)
    details = False
    for i, line in enumerate(lines):
        pieces = wrap(line, width)
        if style is not None:
            if i == 1:
                pieces = [style(piece, kind) for piece in pieces]
            elif i == 0 or (details and line and not line.startswith(" ")):
                pieces = [style(piece, "heading") for piece in pieces]
            elif line.lstrip().startswith("BLOCKING:"):
                pieces = [style(piece, "bad") for piece in pieces]
        details = details or not line
        yield from pieces


def write_check(answer: CheckAnswer, write: Callable[[bytes], object]) -> None:
    """``impact check``'s text answer, written as it is made, laid out for the terminal it goes to (if any)."""
    lines = check_lines(answer.result, show_all=answer.show_all)
    write_lines(for_terminal(answer.result, lines, answer.style, answer.width), write)


def checks_text(answers: CheckAnswers) -> str:
    """Several text answers one after the other, each followed by a rule, then the one-line summary."""
    texts = (
        for_terminal(r, check_lines(r, show_all=answers.show_all), answers.style, answers.width)
        for r in answers.results
    )
    return "".join("\n".join(lines) + "\n\n" + "=" * 72 + "\n\n" for lines in texts) + answers.summary() + "\n"
