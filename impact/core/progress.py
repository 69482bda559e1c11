"""Progress of work that takes seconds: silent unless the command line asks for it.

The loader and the renderers call :func:`step` as they go (a file read, an
answer item written); nothing is shown unless a reporter is installed, and
the command line installs one only when standard error is a terminal
(:func:`impact.cli.terminal.show_progress`). Calls cost one global read when
nothing listens, so they can sit in loops over a million items.

Examples
--------
>>> seen = []
>>> with reporting(lambda what, done, total: seen.append((what, done, total))):
...     step("Reading catalog files", 1, 2)
>>> step("Reading catalog files", 2, 2)  # nobody listens any more
>>> seen
[('Reading catalog files', 1, 2)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Reporter = Callable[[str, int, int], None]
"""``(what, done, total)``: ``done`` of ``total`` items of the work called ``what`` are done (total 0: unknown)."""

_reporter: Reporter | None = None


def step(what: str, done: int, total: int = 0) -> None:
    """Report progress to the installed reporter, if any."""
    if _reporter is not None:
        _reporter(what, done, total)


def clear() -> None:
    """Wipe what the reporter shows, before something else is printed (it shows again on the next step)."""
    wipe = getattr(_reporter, "clear", None)
    if wipe is not None:
        wipe()


def listening() -> bool:
    """Whether anyone listens (to skip work done only to report)."""
    return _reporter is not None


@contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    """Install ``reporter`` for a block (None: keep silent)."""
    global _reporter
    before, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = before
