"""``impact import dbt`` and ``tableau``: the warehouse's models and the dashboards that read them."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.importers import finish_import, import_group, import_options, known_assets, parse_links


@import_group.command("dbt")
@click.argument("manifest", metavar="MANIFEST.json|DIR", type=click.Path())
@click.option("--system", default="dbt", show_default=True, metavar="ID", help="System id of the dbt project.")
@click.option(
    "--link",
    "links",
    multiple=True,
    metavar="SOURCE=SYSTEM",
    help="A dbt source is loaded from this catalog system: its tables depend on the system's objects (and fields, "
    "per documented column). Repeatable.",
)
@import_options
def import_dbt(
    manifest: str, system: str, links: tuple[str, ...], output: str, owner: str | None, catalog: str | None
) -> None:
    """Models, sources, seeds, snapshots, exposures and tests from dbt's target/manifest.json or a project folder.

    Each node depends on its parents; an exposure on the models it uses. Each
    dbt test becomes a catalog test (automated, run: dbt test --select NAME)
    covering the nodes it tests. Ids: model/NAME, source/SOURCE.TABLE,
    seed/NAME, snapshot/NAME, exposure/NAME.

    A project folder (with dbt_project.yml) needs no compiled manifest: its
    models' ref() and source() calls, YAML files, seeds and snapshots are
    read without dbt, with the same ids. A ref() built by Jinja, which only
    dbt can work out, is named in a note and left out.

    \b
    Example:
        impact import dbt target/manifest.json --link salesforce=salesforce --owner analytics -o catalog/dbt.yaml
        impact import dbt . --owner analytics -o catalog/dbt.yaml
    """
    from impact.importers.dbt import read_dbt
    from impact.importers.existing import catalog_assets

    parsed = parse_links(links)
    known = catalog_assets(Path(catalog) if catalog else Path(output).parent, Path(output)) if parsed else {}
    finish_import(output, read_dbt(Path(manifest), system, owner, parsed, known), catalog, manifest)


@import_group.command("tableau")
@click.argument("workbooks", metavar="WORKBOOK...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--workbook", "workbook", multiple=True, hidden=True, type=click.Path(dir_okay=False))
@click.option("--system", default="tableau", show_default=True, metavar="ID", help="System id of the Tableau site.")
@click.option(
    "--warehouse",
    metavar="SYSTEM",
    help="The catalog's warehouse system: data sources depend on its tables (table/<schema>.<table>).",
)
@click.option(
    "--dbt",
    "dbt",
    metavar="MANIFEST.json",
    type=click.Path(dir_okay=False),
    help="A dbt manifest: a table that is a dbt model's relation links to the model.",
)
@click.option(
    "--dbt-system", default="dbt", show_default=True, metavar="ID", help="System id of the dbt project in the catalog."
)
@import_options
def import_tableau(
    workbooks: tuple[str, ...],
    workbook: tuple[str, ...],
    system: str,
    warehouse: str | None,
    dbt: str | None,
    dbt_system: str,
    output: str,
    owner: str | None,
    catalog: str | None,
) -> None:
    """Workbooks, data sources, worksheets and dashboards of Tableau workbooks (.twb, .twbx).

    A dashboard depends on its worksheets, a worksheet on its data sources,
    a data source on the warehouse tables it reads (custom SQL too) or on the
    dbt model whose relation they are. Extracts, parameters and files are no
    tables; a published data source is named as having no upstream here.

    \b
    Example:
        impact import tableau dashboards/*.twb --warehouse snowflake --owner bi -o catalog/tableau.yaml
    """
    from impact.importers.tableau import read_tableau_workbooks

    paths = [*workbooks, *workbook]
    click.get_current_context().params["workbook"] = tuple(paths[1:])  # recorded under sources: with the first
    known = known_assets(catalog, output, bool(warehouse or dbt))
    manifest = Path(dbt) if dbt else None
    finish_import(
        output,
        read_tableau_workbooks([Path(p) for p in paths], system, owner, warehouse, known, manifest, dbt_system),
        catalog,
        paths[0],
    )
