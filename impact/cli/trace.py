"""``impact trace``: after an incident, what upstream could have broken this asset."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.main import cli, emit
from impact.cli.options import answer_format, max_tools_option, output_file_option
from impact.load.change import catalog_folder


@cli.command()
@click.argument("asset", metavar="ASSET")
@click.option("--catalog", "catalog", metavar="DIR", help="Catalog folder. Default: IMPACT_CATALOG, then ./catalog.")
@click.option(
    "--changes",
    "changes",
    metavar="DIR",
    help="Folder of change requests to match. Default: a 'changes' folder beside the catalog folder, if there is one.",
)
@max_tools_option
@answer_format
@output_file_option
def trace(asset: str, catalog: str | None, changes: str | None, max_tools: int, fmt: str, output: str | None) -> None:
    """What could have broken ASSET: upstream assets and the changes that reach it.

    For an incident such as "no leads reach the EMEA queue": lists every
    upstream asset within --max-tools tools that can break ASSET, each with
    its dependency path, and the change requests (any status but draft, so
    released ones too) whose impact reaches ASSET, nearest first.

    \b
    Example:
        impact trace salesforce:queue/EMEA_Inbound --catalog catalogs/example/catalog
    """
    from impact.analysis.trace import default_changes_folder, load_change_folder
    from impact.analysis.trace import trace as run_trace
    from impact.analysis.workspace import open_catalog
    from impact.cli.terminal import loading, styler
    from impact.render.formats import render_as

    catalog_path = catalog_folder(catalog)
    changes_path = Path(changes) if changes else default_changes_folder(catalog_path)
    change_requests = load_change_folder(changes_path)
    with loading(catalog_path):
        loaded, graph = open_catalog(catalog_path)
    result = run_trace(loaded, graph, asset, change_requests, max_tools, str(changes_path) if changes_path else None)
    rendered = render_as("trace", fmt, result, styler(to_file=output not in (None, "-")))
    emit(rendered, output, [catalog_path, *([changes_path] if changes_path else [])])
