"""``impact import``: start or refresh a catalog from inventories teams already have."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
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


def progress(items: Iterable[Path], total: int, label: str) -> Iterable[Path]:
    """A progress bar on stderr for long imports; nothing when stderr is not a terminal or under CI."""
    if total < 50 or not sys.stderr.isatty() or os.environ.get("CI"):
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True, console=_stderr_console()) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _parse_links(values: tuple[str, ...]) -> dict[str, str]:
    links: dict[str, str] = {}
    for value in values:
        source, sep, system = value.partition("=")
        if not sep or not source.strip() or not system.strip():
            raise click.BadParameter(f"{value!r}: write SOURCE=SYSTEM, e.g. salesforce=salesforce", param_hint="--link")
        links[source.strip()] = system.strip()
    return links


@cli.group("import")
def import_group() -> None:
    """Start or refresh a catalog from a CSV inventory, a sitemap, Salesforce, dbt or Google Tag Manager.

    Each importer writes one catalog file. Importing again into the same file
    only adds what is new and fills empty fields: descriptions, owners,
    critical flags, consulted/informed teams and dependency notes you wrote
    by hand are kept. Assets the source no longer lists are kept and named.

    Example:

        impact import sitemap sitemap.xml --system website --owner web -o catalog/website.yaml
    """


def _finish(output: str, imported: Any, catalog: str | None, source: str) -> None:
    from impact.importers.merge import merge_into_file

    report = merge_into_file(Path(output), imported, Path(catalog) if catalog else None, [Path(source)])
    for line in [*report.lines(), *getattr(imported, "notes", [])]:
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

    Example:

        impact import csv inventory.csv -o catalog/inventory.yaml
    """
    from impact.importers.readers import read_inventory_csv

    _finish(output, read_inventory_csv(Path(inventory), owner), catalog, inventory)


@import_group.command("sitemap")
@click.argument("sitemap", metavar="SITEMAP.xml", type=click.Path(dir_okay=False))
@click.option("--system", default="website", show_default=True, metavar="ID", help="System id of the website.")
@click.option("--max-depth", type=click.IntRange(1, 20), default=3, show_default=True, metavar="N", help="Deepest folder level to import.")
@click.option("--pages", is_flag=True, help="Import each page too (type page), not only the folders that hold pages.")
@click.option("--keep-host", is_flag=True, help="Keep subdomains apart: keys start with the host (blog.example.com/news/).")
@_common
def import_sitemap(sitemap: str, system: str, max_depth: int, pages: bool, keep_host: bool, output: str, owner: str | None, catalog: str | None) -> None:
    """Website folders from a standard sitemap; each folder depends on its parent.

    A folder is a path with pages below it: a page's own address, even with a
    trailing slash (/blog/my-post/), is a page, imported only with --pages.
    Only page addresses are read (<url><loc>), not image or video ones. A
    sitemap index works too: save the sitemaps it lists next to it, by their
    URL path (en/sitemap.xml) or file name (impact reads no network). .xml.gz
    files are read as they are.

    Example:

        impact import sitemap sitemap.xml --system website --owner web -o catalog/website.yaml
    """
    from impact.importers.readers import read_sitemap

    _finish(output, read_sitemap(Path(sitemap), system, owner, max_depth, pages, keep_host), catalog, sitemap)


@import_group.command("salesforce-deps")
@click.argument("deps", metavar="DEPS.csv", type=click.Path(dir_okay=False))
@click.option("--system", default="salesforce", show_default=True, metavar="ID", help="System id of the Salesforce org.")
@click.option("--fields", "fields", metavar="FIELDS.csv", type=click.Path(dir_okay=False), help="CustomField export (Id, EntityDefinition.QualifiedApiName) that tells each custom field's object.")
@_common
def import_salesforce(deps: str, system: str, fields: str | None, output: str, owner: str | None, catalog: str | None) -> None:
    """Salesforce metadata and what it depends on, from MetadataComponentDependency.

    Export the query as CSV with its Id columns:

        SELECT MetadataComponentId, MetadataComponentName, MetadataComponentType,
        RefMetadataComponentId, RefMetadataComponentName, RefMetadataComponentType
        FROM MetadataComponentDependency

    The Tooling API answers at most 2,000 rows, and 'sf data query
    --use-tooling-api' stops there without a word: a real org has many
    thousands of dependencies, so run the query as a Bulk API 2.0 job on the
    Tooling API (up to 100,000 rows) and give its CSV result; impact warns
    when a file has exactly 2,000 rows.

    A dependency export names a custom field without its object; give
    --fields with the Tooling API export of SELECT Id, DeveloperName,
    EntityDefinition.QualifiedApiName FROM CustomField so that each field
    gets its canonical id (field/Lead.Division__c). Ids are the ones 'impact
    import salesforce' writes (object/, field/, flow/, apex-class/,
    apex-trigger/, validation-rule/, workflow-rule/); other types are keyed
    <type>/<name>, e.g. apexpage/Welcome.

    Example:

        impact import salesforce-deps deps.csv --fields fields.csv --owner salesops -o catalog/salesforce-metadata.yaml
    """
    from impact.importers.readers import read_salesforce_deps

    _finish(output, read_salesforce_deps(Path(deps), system, owner, Path(fields) if fields else None), catalog, deps)


@import_group.command("salesforce")
@click.argument("project", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--system", default="salesforce", show_default=True, metavar="ID", help="System id of the Salesforce org.")
@_common
def import_salesforce_source(project: str, system: str, output: str, owner: str | None, catalog: str | None) -> None:
    """Objects, fields, rules, flows, queues and Apex from a Salesforce project in source format.

    DIR is the project folder (with force-app/) or any folder whose tree
    holds objects/, flows/, assignmentRules/, queues/, workflows/, classes/
    and triggers/; no API or network is used. Ids: object/Lead,
    field/Lead.Division__c, validation-rule/Lead.Rule, flow/Flow_Name,
    assignment-rule/Lead.Rule name, queue/Queue_Name,
    workflow-rule/Lead.Rule, apex-class/Name, apex-trigger/Name. Formula
    fields, validation rules, assignment rules, workflow rules and flows
    depend on the fields they read; a field a flow or workflow writes
    depends on it; a queue depends on the assignment rules routing into it.
    Inactive, draft and obsolete items are imported and say so.

    Example:

        impact import salesforce force-app --owner salesops -o catalog/salesforce.yaml
    """
    from impact.importers.salesforce import read_salesforce_source

    _finish(output, read_salesforce_source(Path(project), system, owner, progress), catalog, project)


@import_group.command("dbt")
@click.argument("manifest", metavar="MANIFEST.json", type=click.Path(dir_okay=False))
@click.option("--system", default="dbt", show_default=True, metavar="ID", help="System id of the dbt project.")
@click.option("--link", "links", multiple=True, metavar="SOURCE=SYSTEM", help="A dbt source is loaded from this catalog system: its tables depend on the system's objects (and fields, per documented column). Repeatable.")
@_common
def import_dbt(manifest: str, system: str, links: tuple[str, ...], output: str, owner: str | None, catalog: str | None) -> None:
    """Models, sources, seeds, snapshots, exposures and tests from dbt's target/manifest.json.

    Each node depends on its parents; an exposure on the models it uses. Each
    dbt test becomes a catalog test (automated, run: dbt test --select NAME)
    covering the nodes it tests. Ids: model/NAME, source/SOURCE.TABLE,
    seed/NAME, snapshot/NAME, exposure/NAME.

    Example:

        impact import dbt target/manifest.json --link salesforce=salesforce --owner analytics -o catalog/dbt.yaml
    """
    from impact.importers.dbt import read_dbt_manifest
    from impact.importers.merge import catalog_assets

    parsed = _parse_links(links)
    known = catalog_assets(Path(catalog) if catalog else Path(output).parent, Path(output)) if parsed else {}
    _finish(output, read_dbt_manifest(Path(manifest), system, owner, parsed, known), catalog, manifest)


@import_group.command("gtm")
@click.argument("export", metavar="EXPORT.json", type=click.Path(dir_okay=False))
@click.option("--system", default="gtm", show_default=True, metavar="ID", help="System id of the tag manager container.")
@click.option("--website", metavar="SYSTEM", help="The catalog's website system: a trigger on a page path depends on the folder it matches.")
@_common
def import_gtm(export: str, system: str, website: str | None, output: str, owner: str | None, catalog: str | None) -> None:
    """Tags, triggers and variables from a Google Tag Manager container export.

    Export it in Tag Manager under Admin > Export Container. A tag depends on
    its firing and blocking triggers (built-in ones such as All Pages too);
    tags, triggers and variables depend on the variables they use. With
    --website, a trigger whose Page Path equals, starts with or contains a
    folder of that system depends on the folder. Ids: tag/NAME,
    trigger/NAME, variable/NAME, names as in the container.

    Example:

        impact import gtm GTM-ABC123_v42.json --website website --owner web -o catalog/gtm.yaml
    """
    from impact.importers.gtm import read_gtm_export
    from impact.importers.merge import catalog_assets

    known = catalog_assets(Path(catalog) if catalog else Path(output).parent, Path(output)) if website else {}
    _finish(output, read_gtm_export(Path(export), system, owner, website, known), catalog, export)
