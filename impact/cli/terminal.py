"""Terminal niceties that must never leak into files or machine-readable output.

Colour only when standard output is a terminal and ``NO_COLOR`` is unset
(https://no-color.org); a loading note only when standard error is a
terminal and the catalog is big.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

BIG_CATALOG_FILES = 200
"""Catalogs with at least this many YAML files get a loading note on stderr."""

_STYLES = {"heading": {"bold": True}, "bad": {"fg": "red", "bold": True}, "good": {"fg": "green"}}


def color_wanted(to_file: bool = False) -> bool:
    """True when colour helps: stdout is a terminal, no ``NO_COLOR``, not writing a file."""
    return not to_file and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def styler(to_file: bool = False) -> Callable[[str, str], str] | None:
    """A ``style(text, kind)`` for renderers, or None for plain text."""
    if not color_wanted(to_file):
        return None
    return lambda text, kind: click.style(text, **_STYLES.get(kind, {}))  # type: ignore[arg-type]


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
