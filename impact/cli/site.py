"""``impact site``: the catalog explorer, a static folder to open in any browser."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.main import cli
from impact.cli.options import catalog_folder_options, max_tools_option, output_dir_option

DEFAULT_FOLDER = "site"


@cli.command()
@catalog_folder_options
@click.option(
    "--changes",
    "changes",
    metavar="DIR",
    help="Folder of change requests; those not released yet are shown. Default: a 'changes' folder beside the catalog folder, if there is one.",
)
@max_tools_option
@output_dir_option("Folder to write the site to, replaced as a whole (-o DIR works too).", default=DEFAULT_FOLDER)
def site(catalog: str | None, changes: str | None, max_tools: int, output_dir: str) -> None:
    """Write the catalog explorer: a static site to look up any asset in a browser.

    DIR/index.html opens by double-click, offline, with no server (or publish
    the folder on any static host). Search across ids, names, types, owners,
    tools and descriptions; each asset's page shows what it reaches up to
    --max-tools tools away with why, whom to ask before changing it, what
    feeds it, its tests and the change requests in flight that change or
    reach it. Team, tool, coverage and change pages link it all together.

    The site is built in a temporary folder beside DIR and swapped in whole,
    so a failed run leaves the previous site as it was; a folder impact did
    not write is never replaced.

    \b
    Example:
        impact site catalogs/example/catalog --output-dir site
    """
    from impact.analysis.site import open_site
    from impact.cli.terminal import loading
    from impact.load.change import catalog_folder
    from impact.render.site import is_site, render_site
    from impact.store.fsio import atomic_folder

    catalog_path = catalog_folder(catalog)
    with loading(catalog_path):
        model, changes_path = open_site(catalog_path, Path(changes) if changes else None, max_tools)
    files = render_site(model)
    target = Path(output_dir)
    atomic_folder(target, files, is_site, [catalog_path, *([changes_path] if changes_path else [])])
    for problem in model.skipped:
        click.echo(f"Warning: {problem} (this change request is left out of the site)", err=True)
    size = sum(len(b) for b in files.values())
    click.echo(f"Wrote {target}/: {len(files)} files, {size / 1e6:.1f} MB, {len(model.ids):,} assets.", err=True)
    click.echo(f"Open {target / 'index.html'} in a browser.", err=True)
