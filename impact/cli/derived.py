"""The derived change of ``impact changes`` and ``impact check --base``: either form, and the one-line no-op."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def derive(
    args: tuple[str, ...], base: str | None, head: str | None, catalog: str | None, system: str | None = None
) -> tuple[Any, str, list[Path]]:
    """The derived change of either form, what it compares in words, and the inputs no output may overwrite."""
    from impact.importers.changes.derive import derive_git, derive_pair
    from impact.load.change import catalog_folder

    if base is not None and system is not None:
        raise click.UsageError("--system goes with KIND OLD NEW; with --base, each export's 'sources:' entry names it")
    if base is not None:
        if args:
            raise click.UsageError(
                "give either KIND OLD NEW, or --base REV (with the catalog that lists the exports), not both"
            )
        folder = catalog_folder(catalog)
        return derive_git(folder, base, head or "HEAD"), f"{base} and {head or 'HEAD'}", [folder]
    if head is not None or catalog is not None:
        raise click.UsageError("--head and --catalog go with --base REV")
    if len(args) != 3:
        raise click.UsageError("give KIND OLD NEW (two exports to compare), or --base REV in a git repository")
    kind, old, new = args
    return derive_pair(kind, Path(old), Path(new), system), f"{old} and {new}", [Path(old), Path(new)]


def said(derived: Any, compared: str) -> bool:
    """Print the notes, and the one line of a change with no items; whether there is a change to go on with."""
    for note in derived.notes:
        click.echo(f"Note: {note}", err=True)
    if not derived.items:
        click.echo(f"Nothing the catalog tracks changed between {compared}; no change request written.")
        return False
    return True


def check_derived(
    selected: bool, base: str | None, head: str | None, catalog: str | None, run: Callable[[Path, str], int]
) -> int:
    """``impact check --base REV``: derive the change, then ``run(change_file, catalog)`` on it (a temporary file)."""
    from impact.importers.changes.request import render, request
    from impact.load.change import catalog_folder

    if selected or base is None:
        raise click.UsageError(
            "--base REV derives the change itself: give no change file and no --release; --head goes with --base"
        )
    derived, compared, _ = derive((), base, head, catalog)
    if not said(derived, compared):
        return 0
    doc = request(derived.items, title=f"Changes to the exports between {compared}")
    with tempfile.TemporaryDirectory(prefix="impact-derived-") as tmp:
        path = Path(tmp) / f"{doc['id']}.yaml"
        path.write_text(render(doc, "yaml"), encoding="utf-8")
        return run(path, str(catalog_folder(catalog)))
