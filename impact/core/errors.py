"""The one error type of impact, and the problems it carries.

Every problem a user can cause (a bad catalog, a bad change file, a bad option)
becomes a :class:`Problem` with a place (``file:line:col``) and a plain message.
Loaders gather every problem they find and raise one :class:`ImpactError` with
all of them, so a user fixes everything in one round instead of one at a time.
The CLI turns an ``ImpactError`` into ``Error: ...`` lines and exit code 2.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning", "note"]



def display_path(path: str | os.PathLike[str]) -> str:
    """A path as a user wants to read it: relative to the working directory when below it."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        return text
    return text if rel.startswith("..") else rel


ROOT_CAUSE, NOTE, FOLLOW_ON = 0, 1, 2
"""A problem's rank: what comes first when problems are listed.

A root cause (a file that cannot be read, a system defined twice) is listed
before anything else, then the note that says which references were left
unchecked because of it, then every other problem in file order.
"""


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) with a place in a file.

    ``line`` and ``col`` are 1-based; 0 means "the whole file". Problems sort
    root causes first (``rank``), then by place.
    """

    file: str
    line: int
    col: int
    message: str
    severity: Severity = field(default="error", compare=False)
    rank: int = field(default=FOLLOW_ON, compare=False)

    def _key(self) -> tuple[int, str, int, int, str]:
        return (self.rank, self.file, self.line, self.col, self.message)

    def __lt__(self, other: Problem) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Problem) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Problem) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Problem) -> bool:
        return self._key() >= other._key()

    def __str__(self) -> str:
        # Escaped: a file name or value with a newline, an ANSI escape or a
        # right-to-left override must not forge or rearrange terminal lines.
        if self.line:
            return printable(f"{self.file}:{self.line}:{self.col}: {self.message}")
        return printable(f"{self.file}: {self.message}")


def printable(text: str) -> str:
    r"""``text`` with control, format (bidi) and separator characters shown as ``\uXXXX``.

    >>> print(printable("a\u202eb\nc d"))
    a\u202eb\u000ac d
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}" for ch in text)


class ImpactError(Exception):
    """Bad input: one or more problems, each with its place."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("impact", 0, 0, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ProblemList:
    """A collector for problems found while loading; raises them all at the end."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        # Ids defined in entries that failed validation: they exist, so links
        # to them are not reported again as dangling.
        self.known_invalid: set[str] = set()
        # Files that could not be read or parsed (their bytes, when read): the
        # ids they may define are not reported as dangling elsewhere.
        self.unreadable: dict[str, bytes | None] = {}

    def error(self, file: str, line: int, col: int, message: str, rank: int = FOLLOW_ON) -> None:
        self.items.append(Problem(file, line, col, message, "error", rank))

    def root_causes(self, problems: list[Problem], file: str, raw: bytes | None) -> None:
        """Problems that make ``file`` unreadable: listed first, and what it may define is not reported missing."""
        self.items.extend(replace(p, rank=ROOT_CAUSE) for p in problems)
        self.unreadable[file] = raw

    def note(self, file: str, line: int, col: int, message: str) -> None:
        self.items.append(Problem(file, line, col, message, "note", NOTE))

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def notes(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "note")

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "warning")

    def raise_if_errors(self) -> None:
        errors = self.errors
        if errors:
            raise ImpactError(errors + self.notes)


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like Ctrl-C's ``KeyboardInterrupt``, so every ``finally`` runs.

    Not an ``Exception``: nothing that handles errors catches it by accident;
    the command line turns it into exit code 143 (see ``impact.cli.entry``).
    """


def raise_terminated(signum: int, frame: object) -> None:
    """A SIGTERM handler: stop the run as an interrupt would, temporary files removed on the way out."""
    raise Terminated()
