"""The one error type of impact, and the problems it carries.

Every problem a user can cause (a bad catalog, a bad change file, a bad option)
becomes a :class:`Problem` with a place (``file:line:col``) and a plain message.
Loaders gather every problem they find and raise one :class:`ImpactError` with
all of them, so a user fixes everything in one round instead of one at a time.
The CLI turns an ``ImpactError`` into ``Error: ...`` lines and exit code 2.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as a user wants to read it: relative to the working directory when below it."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        return text
    return text if rel.startswith("..") else rel


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) with a place in a file.

    ``line`` and ``col`` are 1-based; 0 means "the whole file".
    """

    file: str
    line: int
    col: int
    message: str
    severity: Severity = field(default="error", compare=False)

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

    def error(self, file: str, line: int, col: int, message: str) -> None:
        self.items.append(Problem(file, line, col, message, "error"))

    def warning(self, file: str, line: int, col: int, message: str) -> None:
        self.items.append(Problem(file, line, col, message, "warning"))

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "warning")

    def raise_if_errors(self) -> None:
        errors = self.errors
        if errors:
            raise ImpactError(errors)
