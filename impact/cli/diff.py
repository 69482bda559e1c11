"""``impact diff``: what an edit to the catalog changes, and the impact of that edit."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from impact.cli.main import cli, emit
from impact.cli.options import answer_format, max_tools_option, output_file_option
from impact.load.change import catalog_folder


@cli.command("diff")
@click.argument("catalogs", metavar="(OLD NEW | [DIR] --base GIT_REF)", nargs=-1)
@click.option(
    "--base",
    metavar="GIT_REF",
    help="Compare the catalog folder in the working tree with the same folder at this git revision.",
)
@click.option(
    "--catalog",
    "catalog",
    metavar="DIR",
    help="With --base: the catalog folder in the working tree (or give it as the one folder).",
)
@max_tools_option
@answer_format
@output_file_option
def diff_command(
    catalogs: tuple[str, ...], base: str | None, catalog: str | None, max_tools: int, fmt: str, output: str | None
) -> None:
    """Teams, systems, assets, dependencies and tests added, removed and changed.

    Also shows the impact of the edit: the assets whose 'impact check' answer
    changes because a dependency was added or removed. For reviewing pull
    requests that edit the catalog.

    Give two catalog folders, or one folder (or --catalog DIR; default:
    IMPACT_CATALOG, then ./catalog) with --base to compare it against a git
    revision.

    \b
    Example:
        impact diff --base origin/main catalogs/example/catalog --format markdown
    """
    from impact.analysis.diff import diff_catalogs
    from impact.analysis.workspace import open_catalog
    from impact.cli.terminal import styler
    from impact.core.errors import ImpactError
    from impact.load.gitio import export_at_revision
    from impact.render.formats import render_as

    with tempfile.TemporaryDirectory(prefix="impact-diff-") as tmp:
        if base is not None:
            if len(catalogs) > 1 or (catalogs and catalog and catalogs[0] != catalog):
                raise ImpactError("with --base give at most one catalog folder (the working-tree one)")
            new_path = catalog_folder(catalog or (catalogs[0] if catalogs else None))
            old_path = export_at_revision(new_path, base, Path(tmp))
            old_label = f"{new_path}@{base}"
        else:
            if len(catalogs) != 2 or catalog:
                raise click.UsageError("give two catalog folders, OLD and NEW, or one folder with --base GIT_REF")
            old_path, new_path = Path(catalogs[0]), Path(catalogs[1])
            old_label = catalogs[0]
        old, _ = open_catalog(old_path)
        new, _ = open_catalog(new_path)
    old.root = old_label
    result = diff_catalogs(old, new, max_tools)
    rendered = render_as("diff", fmt, result, styler(to_file=output not in (None, "-")))
    emit(rendered, output, [old_path, new_path])
