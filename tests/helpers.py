"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from click.testing import CliRunner

from impact.cli.main import cli
from impact.store import cache

RENAME_PRODUCTS = """\
id: CR-1
title: Rename the products folder
catalog: ../catalog
changes:
  - {target: website:/products/, action: rename}
"""
"""A change request (at ``changes/cr-1.yaml``) that renames the folder of ``conftest.STACK``."""


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the real CLI in this process: ``(exit code, stdout, stderr)``."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@contextmanager
def without_cache() -> Iterator[None]:
    """Run a block with the cache switched off (the reference every cache test compares with)."""
    cache.set_enabled(False)
    try:
        yield
    finally:
        cache.set_enabled(None)
