"""Pausing Python's cyclic garbage collector while a file is read (no YAML parser needed to import it)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run a block with Python's cyclic garbage collector paused.

    Parsing a large file allocates hundreds of thousands of containers, none of
    them in a reference cycle; each allocation burst triggers collections that
    scan everything allocated so far, which doubled the time to read a
    100,000-asset catalog. Reference counting still frees everything as usual.

    Examples
    --------
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
