"""Terminal niceties that must never leak into files or machine-readable output.

Colour only when standard output is a terminal and ``NO_COLOR`` is unset
(https://no-color.org); a loading note, and the progress of work that lasts
more than a second, only when standard error is a terminal.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

BIG_CATALOG_FILES = 200
"""Catalogs with at least this many YAML files get a loading note on stderr."""

_STYLES = {
    "heading": {"bold": True},
    "bad": {"fg": "red", "bold": True},
    "hold": {"fg": "yellow", "bold": True},
    "good": {"fg": "green", "bold": True},
}


def on_terminal() -> bool:
    """Whether standard output is a terminal (tests stand in a fake one here)."""
    return sys.stdout.isatty()


def color_wanted(to_file: bool = False) -> bool:
    """True when colour helps: stdout is a terminal, no ``NO_COLOR``, not writing a file."""
    return not to_file and not os.environ.get("NO_COLOR") and on_terminal()


def styler(to_file: bool = False) -> Callable[[str, str], str] | None:
    """A ``style(text, kind)`` for renderers, or None for plain text."""
    if not color_wanted(to_file):
        return None
    return lambda text, kind: click.style(text, **_STYLES.get(kind, {}))  # type: ignore[arg-type]


def terminal_width(to_file: bool = False) -> int | None:
    """The terminal's width (``COLUMNS`` first, as ``shutil`` reads it); None when not writing to a terminal."""
    if to_file or not on_terminal():
        return None
    return max(shutil.get_terminal_size().columns, 40)


@contextmanager
def loading(catalog: Path) -> Iterator[None]:
    """Say on stderr that a big catalog is loading, and clear the note when done."""
    show = sys.stderr.isatty() and catalog.is_dir()
    count = sum(1 for _ in _yaml_files(catalog, BIG_CATALOG_FILES)) if show else 0
    if count < BIG_CATALOG_FILES:
        yield
        return
    click.echo(f"Loading catalog {catalog} ({count}+ files)...", err=True, nl=False)
    try:
        yield
    finally:
        click.echo("\r\x1b[2K", err=True, nl=False)


def _yaml_files(root: Path, stop: int) -> Iterator[Path]:
    # Stops counting at ``stop``: the note only needs to know "big".
    for seen, path in enumerate(root.rglob("*.y*ml"), start=1):
        yield path
        if seen >= stop:
            return


class TerminalProgress:
    """Shows ``what: done/total`` on one line of standard error, for work that lasts.

    Nothing is shown during the first :attr:`delay` seconds (most commands
    are done by then), and the line is redrawn at most ten times a second,
    but at once when the work changes (so the line never names work that is
    over); :meth:`clear` wipes it before the answer or an error is printed.
    """

    delay = 1.0

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.started = clock()
        self.drawn = 0.0
        self.shown = False
        self.what = ""

    def __call__(self, what: str, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < self.delay or (now - self.drawn < 0.1 and what == self.what):
            return
        self.drawn, self.what = now, what
        text = f"{what}: {done:,} of {total:,} ({100 * done // total}%)" if total else f"{what}..."
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False


@contextmanager
def show_progress() -> Iterator[None]:
    """Report long work's progress on standard error while a command runs, if it is a terminal (and not under CI)."""
    from impact.core import progress

    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield
        return
    reporter = TerminalProgress()
    try:
        with progress.reporting(reporter):
            yield
    finally:
        reporter.clear()
