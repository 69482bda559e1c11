"""``impact import``: start or refresh a catalog from inventories teams already have."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from impact.cli.main import cli

F = TypeVar("F", bound=Callable[..., Any])


def _common(func: F) -> F:
    func = click.option(
        "--catalog",
        "catalog",
        metavar="DIR",
        help="The catalog folder whose other files define teams and systems. Default: the folder of the output file.",
    )(func)
    func = click.option("--owner", metavar="TEAM", help="Owning team of a new system (and of rows with no owner).")(func)
    return click.option(
        "-o",
        "--output",
        "output",
        metavar="FILE",
        required=True,
        help="The catalog file to create, or to refresh: what it holds is kept, only new things are added.",
    )(func)


@cli.group("import")
def import_group() -> None:
    """Start or refresh a catalog from a CSV inventory, a sitemap or Salesforce.

    Each importer writes one catalog file. Importing again into the same file
    only adds what is new and fills empty fields: descriptions, owners,
    critical flags, consulted/informed teams and dependency notes you wrote
    by hand are kept. Assets the source no longer lists are kept and named.

    \b
    Example:
        impact import sitemap sitemap.xml --system website --owner web -o catalog/website.yaml
    """


def _finish(output: str, imported: Any, catalog: str | None, source: str) -> None:
    from impact.importers.merge import merge_into_file

    report = merge_into_file(Path(output), imported, Path(catalog) if catalog else None, [Path(source)])
    for line in report.lines():
        click.echo(line, err=True)


@import_group.command("csv")
@click.argument("inventory", metavar="INVENTORY.csv", type=click.Path(dir_okay=False))
@_common
def import_csv(inventory: str, output: str, owner: str | None, catalog: str | None) -> None:
    """Assets from a spreadsheet export: columns system, key, type, owner, depends_on.

    depends_on lists asset ids (system:key) separated by ';' or line breaks;
    a bare key means an asset of the same system. Optional columns:
    description, system_name. Comma, semicolon and tab separators all work;
    save the sheet as 'CSV UTF-8'.

    \b
    Example:
        impact import csv inventory.csv -o catalog/inventory.yaml
    """
    from impact.importers.readers import read_inventory_csv

    _finish(output, read_inventory_csv(Path(inventory), owner), catalog, inventory)


@import_group.command("sitemap")
@click.argument("sitemap", metavar="SITEMAP.xml", type=click.Path(dir_okay=False))
@click.option("--system", default="website", show_default=True, metavar="ID", help="System id of the website.")
@click.option("--max-depth", type=click.IntRange(1, 20), default=3, show_default=True, metavar="N", help="Deepest folder level to import.")
@_common
def import_sitemap(sitemap: str, system: str, max_depth: int, output: str, owner: str | None, catalog: str | None) -> None:
    """Website folders from a standard sitemap; each folder depends on its parent.

    A sitemap index works too: save the sitemaps it lists next to it (impact
    reads no network). .xml.gz files are read as they are.

    \b
    Example:
        impact import sitemap sitemap.xml --system website --owner web -o catalog/website.yaml
    """
    from impact.importers.readers import read_sitemap

    _finish(output, read_sitemap(Path(sitemap), system, owner, max_depth), catalog, sitemap)


@import_group.command("salesforce-deps")
@click.argument("deps", metavar="DEPS.csv", type=click.Path(dir_okay=False))
@click.option("--system", default="salesforce", show_default=True, metavar="ID", help="System id of the Salesforce org.")
@_common
def import_salesforce(deps: str, system: str, output: str, owner: str | None, catalog: str | None) -> None:
    """Salesforce metadata and what it depends on, from MetadataComponentDependency.

    Export the Tooling API query as CSV, for example:

    \b
        sf data query --use-tooling-api --result-format csv --query "SELECT MetadataComponentName,
        MetadataComponentType, RefMetadataComponentName, RefMetadataComponentType
        FROM MetadataComponentDependency" > deps.csv

    Assets are keyed <type>/<name>, e.g. apexclass/LeadRouter.

    \b
    Example:
        impact import salesforce-deps deps.csv --owner salesops -o catalog/salesforce-metadata.yaml
    """
    from impact.importers.readers import read_salesforce_deps

    _finish(output, read_salesforce_deps(Path(deps), system, owner), catalog, deps)
