"""``impact import``: start or refresh a catalog from inventories teams already have."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from impact.cli.main import cli
from impact.cli.options import catalog_folder_options
from impact.core import progress as core_progress
from impact.store.lock import DEFAULT_WAIT

F = TypeVar("F", bound=Callable[..., Any])


def _common(func: F) -> F:
    func = click.option(
        "--catalog",
        "catalog",
        metavar="DIR",
        help="The catalog folder whose other files define teams and systems. Default: the folder of the output file.",
    )(func)
    func = click.option("--owner", metavar="TEAM", help="Owning team of a new system (and of rows with no owner).")(
        func
    )
    func = wait_option(_without_wait(func))
    return click.option(
        "-o",
        "--output",
        "output",
        metavar="FILE",
        required=True,
        help="The catalog file to create, or to refresh: what it holds is kept, only new things are added.",
    )(func)


def progress(items: Iterable[Path], total: int, label: str) -> Iterable[Path]:
    """Long imports' progress, through the one progress line every command shows on a terminal.

    (:mod:`impact.core.progress`; :func:`impact.cli.terminal.show_progress` draws it.)
    """
    for done, item in enumerate(items, start=1):
        yield item
        core_progress.step(label, done, total)


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
    """Start or refresh a catalog from a CSV inventory, a sitemap, Salesforce, dbt, GTM, Marketo, HubSpot or Tableau.

    Each importer writes one catalog file. Importing again into the same file
    only adds what is new and fills empty fields: descriptions, owners,
    critical flags, consulted/informed teams, dependencies, notes and comments
    you wrote by hand are kept. Assets the source no longer lists are kept and
    named. Each import records itself under 'sources:' in the file it writes;
    'impact import refresh' runs them all again.

    \b
    Example:
        impact import sitemap sitemap.xml --system website --owner web -o catalog/website.yaml
    """


_PATH_OPTIONS = {"fields", "workbook", "dbt"}  # options naming a file: kept relative to the catalog file in 'sources:'


def _source_entry(output: Path, source: str) -> dict[str, Any]:
    """This import as a ``sources:`` entry: kind, the export's path relative to the catalog file, the options given."""
    ctx = click.get_current_context()
    base = output.resolve().parent
    args: list[str] = []
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name in ("output", "catalog", "wait") or param.name is None:
            continue
        value = ctx.params.get(param.name)
        if value is None or value == param.default or value == () or value is False:
            continue
        flag = max(param.opts, key=len)
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if param.is_flag:
                args.append(flag)
            else:
                text = str(item)
                if param.name in _PATH_OPTIONS:
                    text = Path(os.path.relpath(Path(text).resolve(), base)).as_posix()
                args.extend([flag, text])
    return {
        "kind": ctx.command.name,
        "path": Path(os.path.relpath(Path(source).resolve(), base)).as_posix(),
        "args": args,
    }


def wait_option(func: F) -> F:
    """``--wait SECONDS``: how long a writer waits for another one writing the same file (see impact.store.lock)."""
    return click.option(
        "--wait",
        "wait",
        type=click.FloatRange(0, 86400),
        default=DEFAULT_WAIT,
        show_default=True,
        metavar="SECONDS",
        help="When another import is writing the same file, wait this long for it, then give up (exit 2).",
    )(func)


def _without_wait(func: F) -> F:
    """The command without the ``wait`` parameter: ``_finish`` reads it from the context."""

    @functools.wraps(func)
    def wrapper(*args: Any, wait: float, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _finish(output: str, imported: Any, catalog: str | None, source: str) -> None:
    from impact.importers.merge import merge_into_file
    from impact.store.lock import writing

    entry = _source_entry(Path(output), source)
    wait = click.get_current_context().params.get("wait", DEFAULT_WAIT)
    with writing(Path(output), wait):  # read, merge and replace the file as one writer
        report = merge_into_file(Path(output), imported, Path(catalog) if catalog else None, [Path(source)], entry)
    for line in [*report.lines(), *getattr(imported, "notes", [])]:
        click.echo(line, err=True)


@import_group.command("csv")
@click.argument("inventory", metavar="INVENTORY.csv", type=click.Path(dir_okay=False))
@click.option(
    "--system",
    "systems",
    metavar="ID",
    multiple=True,
    help="Import only the rows of this system (repeatable): to add rows to the file that already defines it.",
)
@_common
def import_csv(inventory: str, systems: tuple[str, ...], output: str, owner: str | None, catalog: str | None) -> None:
    """Assets from a spreadsheet export: columns system, key, type, owner, depends_on.

    depends_on lists asset ids (system:key) separated by ';' or line breaks;
    a bare key means an asset of the same system. Optional columns:
    description, system_name. Comma, semicolon and tab separators all work;
    save the sheet as 'CSV UTF-8'. When a system of the sheet is already
    defined in another catalog file (say, an imported salesforce.yaml),
    import its rows into that file with --system salesforce -o that file,
    and the other systems' rows with their own --system.

    \b
    Example:
        impact import csv inventory.csv -o catalog/inventory.yaml
    """
    from impact.importers.readers import read_inventory_csv

    imported = read_inventory_csv(Path(inventory), owner)
    if systems:
        missing = sorted(set(systems) - set(imported.systems))
        if missing:
            from impact.core.errors import ImpactError

            raise ImpactError(
                f"{inventory}: no row of system {', '.join(map(repr, missing))}; systems in it: "
                f"{', '.join(sorted(imported.systems))}"
            )
        imported.systems = {sid: s for sid, s in imported.systems.items() if sid in systems}
    _finish(output, imported, catalog, inventory)


@import_group.command("sitemap")
@click.argument("sitemap", metavar="SITEMAP.xml", type=click.Path(dir_okay=False))
@click.option("--system", default="website", show_default=True, metavar="ID", help="System id of the website.")
@click.option(
    "--max-depth",
    type=click.IntRange(1, 20),
    default=3,
    show_default=True,
    metavar="N",
    help="Deepest folder level to import.",
)
@click.option("--pages", is_flag=True, help="Import each page too (type page), not only the folders that hold pages.")
@click.option(
    "--keep-host", is_flag=True, help="Keep subdomains apart: keys start with the host (blog.example.com/news/)."
)
@_common
def import_sitemap(
    sitemap: str,
    system: str,
    max_depth: int,
    pages: bool,
    keep_host: bool,
    output: str,
    owner: str | None,
    catalog: str | None,
) -> None:
    """Website folders from a standard sitemap; each folder depends on its parent.

    A folder is a path with pages below it: a page's own address, even with a
    trailing slash (/blog/my-post/), is a page, imported only with --pages, and
    so is a folder that holds one page and no sub-folder (/experiments/ID/slug
    folds into /experiments/).
    Only page addresses are read (<url><loc>), not image or video ones. A
    sitemap index works too: save the sitemaps it lists next to it, by their
    URL path (en/sitemap.xml) or file name (impact reads no network), saved
    compressed (.xml.gz) or not. .xml.gz files are read as they are.

    \b
    Example:
        impact import sitemap sitemap.xml --system website --owner web -o catalog/website.yaml
    """
    from impact.importers.readers import read_sitemap

    _finish(output, read_sitemap(Path(sitemap), system, owner, max_depth, pages, keep_host), catalog, sitemap)


@import_group.command("salesforce-deps")
@click.argument("deps", metavar="DEPS.csv", type=click.Path(dir_okay=False))
@click.option(
    "--system", default="salesforce", show_default=True, metavar="ID", help="System id of the Salesforce org."
)
@click.option(
    "--fields",
    "fields",
    metavar="FIELDS.csv",
    type=click.Path(dir_okay=False),
    help="CustomField export (Id, EntityDefinition.QualifiedApiName) that tells each custom field's object.",
)
@_common
def import_salesforce(
    deps: str, system: str, fields: str | None, output: str, owner: str | None, catalog: str | None
) -> None:
    """Salesforce metadata and what it depends on, from MetadataComponentDependency.

    Export the query as CSV with its Id columns:

    \b
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

    \b
    Example:
        impact import salesforce-deps deps.csv --fields fields.csv --owner salesops -o catalog/salesforce-metadata.yaml
    """
    from impact.importers.readers import read_salesforce_deps

    _finish(output, read_salesforce_deps(Path(deps), system, owner, Path(fields) if fields else None), catalog, deps)


@import_group.command("salesforce")
@click.argument("project", metavar="DIR", type=click.Path(file_okay=False))
@click.option(
    "--system", default="salesforce", show_default=True, metavar="ID", help="System id of the Salesforce org."
)
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
    depend on the fields they read; a flow on the flows it calls; an
    automation that writes a field depends on its name, schema and
    availability, and the field on it; a queue depends on the assignment
    rules routing into it.
    A dependency lists the picklist values its asset only compares the
    field with (ISPICKVAL, criteria, flow conditions): values: [Closed].
    Inactive, draft and obsolete items are imported and say so.

    \b
    Example:
        impact import salesforce force-app --owner salesops -o catalog/salesforce.yaml
    """
    from impact.importers.salesforce_values import read_salesforce_values

    _finish(output, read_salesforce_values(Path(project), system, owner, progress), catalog, project)


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
@_common
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
    from impact.importers.merge import catalog_assets

    parsed = _parse_links(links)
    known = catalog_assets(Path(catalog) if catalog else Path(output).parent, Path(output)) if parsed else {}
    _finish(output, read_dbt(Path(manifest), system, owner, parsed, known), catalog, manifest)


@import_group.command("gtm")
@click.argument("export", metavar="EXPORT.json", type=click.Path(dir_okay=False))
@click.option(
    "--system", default="gtm", show_default=True, metavar="ID", help="System id of the tag manager container."
)
@click.option(
    "--website",
    metavar="SYSTEM",
    help="The catalog's website system: a trigger on a page path depends on the folder it matches.",
)
@_common
def import_gtm(
    export: str, system: str, website: str | None, output: str, owner: str | None, catalog: str | None
) -> None:
    """Tags, triggers and variables from a Google Tag Manager container export.

    Export it in Tag Manager under Admin > Export Container. A tag depends on
    its firing and blocking triggers (built-in ones such as All Pages too);
    tags, triggers and variables depend on the variables they use; a built-in
    variable is one asset however it is spelt ({{_event}} is variable/Event). With
    --website, a trigger whose Page Path equals, starts with or contains a
    folder of that system depends on the folder. Ids: tag/NAME,
    trigger/NAME, variable/NAME, names as in the container. A trigger that
    only compares a variable with literals lists them: values: [form_submit].

    \b
    Example:
        impact import gtm GTM-ABC123_v42.json --website website --owner web -o catalog/gtm.yaml
    """
    from impact.importers.gtm import read_gtm_export
    from impact.importers.merge import catalog_assets

    known = catalog_assets(Path(catalog) if catalog else Path(output).parent, Path(output)) if website else {}
    _finish(output, read_gtm_export(Path(export), system, owner, website, known), catalog, export)


def _known(catalog: str | None, output: str, wanted: bool) -> dict[str, dict[str, str | None]]:
    from impact.importers.merge import catalog_assets

    return catalog_assets(Path(catalog) if catalog else Path(output).parent, Path(output)) if wanted else {}


def _fetched(kind: str, folder: str, fetch: Callable[[Path], int]) -> None:
    click.echo(f"Fetching {kind} into {folder} ...", err=True)
    click.echo(f"Fetched {kind} into {folder} ({fetch(Path(folder))} calls)", err=True)


_WEBSITE_HELP = "The catalog's website system: a page-view filter depends on the deepest folder its URL pattern names."


@import_group.command("marketo")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@click.option(
    "--fetch",
    is_flag=True,
    help="Write DIR from the live instance first (MARKETO_BASE_URL, MARKETO_CLIENT_ID, MARKETO_CLIENT_SECRET).",
)
@click.option("--system", default="marketo", show_default=True, metavar="ID", help="System id of the Marketo instance.")
@click.option("--website", metavar="SYSTEM", help=_WEBSITE_HELP)
@click.option(
    "--salesforce",
    metavar="SYSTEM",
    help="The catalog's Salesforce system: a CRM-synced field depends on its Lead field.",
)
@_common
def import_marketo(
    folder: str,
    fetch: bool,
    system: str,
    website: str | None,
    salesforce: str | None,
    output: str,
    owner: str | None,
    catalog: str | None,
) -> None:
    """Smart lists, smart campaigns, programs, segmentations, forms and fields of Marketo Engage.

    DIR holds the REST API's answers as they came (smartLists/<id>.json,
    smartCampaigns.json, smartCampaigns/<id>/smartList.json,
    segmentations.json, segmentations/<id>/segments.json, programs.json,
    leadFields.json, forms.json, forms/<id>/fields.json); --fetch writes it.
    Lists and campaigns depend on the fields, lists, programs and forms their
    rules name; a reference that cannot be resolved is named, never guessed.
    Segment rules are not readable: declare them under 'links:'.

    \b
    Example:
        impact import marketo marketo --website website --salesforce salesforce --owner mops -o catalog/marketo.yaml
    """
    from impact.importers.marketo import read_marketo_export

    if fetch:
        from impact.importers.marketo_fetch import fetch_marketo

        _fetched("Marketo", folder, fetch_marketo)
    known = _known(catalog, output, bool(website or salesforce))
    _finish(output, read_marketo_export(Path(folder), system, owner, website, salesforce, known), catalog, folder)


@import_group.command("hubspot")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@click.option(
    "--fetch", is_flag=True, help="Write DIR from the live account first (a private app's token in HUBSPOT_TOKEN)."
)
@click.option("--system", default="hubspot", show_default=True, metavar="ID", help="System id of the HubSpot account.")
@click.option("--website", metavar="SYSTEM", help=_WEBSITE_HELP)
@_common
def import_hubspot(
    folder: str, fetch: bool, system: str, website: str | None, output: str, owner: str | None, catalog: str | None
) -> None:
    """Lists, workflows and properties of HubSpot, from lists v3 and workflows v4.

    DIR holds lists/<listId>.json (GET /crm/v3/lists/{id}?includeFilters=true),
    flows/<flowId>.json (GET /automation/v4/flows/{id}) and
    properties/<objectType>.json (GET /crm/v3/properties/{objectType});
    --fetch writes it. Lists and workflows depend on the properties and lists
    they test; a property a workflow sets depends on the workflow.

    \b
    Example:
        impact import hubspot hubspot-export --website website --owner mops -o catalog/hubspot.yaml
    """
    from impact.importers.hubspot import read_hubspot_export

    if fetch:
        from impact.importers.hubspot_fetch import fetch_hubspot

        _fetched("HubSpot", folder, fetch_hubspot)
    known = _known(catalog, output, bool(website))
    _finish(output, read_hubspot_export(Path(folder), system, owner, website, known), catalog, folder)


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
@_common
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
    known = _known(catalog, output, bool(warehouse or dbt))
    manifest = Path(dbt) if dbt else None
    _finish(
        output,
        read_tableau_workbooks([Path(p) for p in paths], system, owner, warehouse, known, manifest, dbt_system),
        catalog,
        paths[0],
    )


@import_group.command("refresh")
@click.option(
    "--allow-path",
    "allow",
    multiple=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Also read exports inside DIR (repeatable). "
    "By default a source must be inside the folder that holds the catalog.",
)
@wait_option
@catalog_folder_options
def import_refresh(catalog: str | None, allow: tuple[str, ...], wait: float) -> None:
    """Run every import listed under 'sources:' in the catalog's files again.

    Each import records itself in the file it writes (kind, path of the
    export relative to that file, options), so when the exports are fresh
    (a new manifest.json, a new retrieve of the org) one command brings the
    catalog up to date. For each source it prints what was added and which
    assets the source no longer lists. A source that cannot be refreshed
    (its export gone, say) leaves its file as it was; the others are still
    refreshed, and every failure is listed at the end (exit code 2).
    DIR (or --catalog DIR) defaults to $IMPACT_CATALOG, else ./catalog.

    \b
    Example:
        impact import refresh catalog
    """
    from impact.core.errors import ImpactError, Problem, display_path
    from impact.importers.confine import allowed_roots
    from impact.importers.merge import catalog_sources

    folder = Path(catalog or os.environ.get("IMPACT_CATALOG") or "catalog")
    if not folder.is_dir():
        raise ImpactError(
            Problem(
                display_path(folder),
                0,
                0,
                "no such catalog folder; give the catalog folder whose files have 'sources:'",
            )
        )
    found = catalog_sources(folder)
    if not found:
        raise ImpactError(
            Problem(
                display_path(folder),
                0,
                0,
                "no file of this catalog has 'sources:'; import something with 'impact import ...' first",
            )
        )
    ctx = click.get_current_context()
    group = ctx.parent.command if ctx.parent is not None else None
    # Every source is tried: one that fails (an export gone, a file that no longer
    # parses) is reported with the others at the end, and leaves its catalog file as it was.
    failed: list[Problem] = []
    broken = 0
    roots = allowed_roots(folder, allow)
    seen: dict[Path, int] = {}
    for target, entry in found:
        index = seen[target] = seen.get(target, -1) + 1
        command = group.get_command(ctx, entry["kind"]) if isinstance(group, click.Group) else None
        refused = _refused(command, target, index, entry, roots)
        if refused is not None:
            failed.append(refused)
            broken += 1
            continue
        assert command is not None
        export = os.path.normpath(target.parent / entry["path"])
        args = [_rebase(arg, prev, target) for prev, arg in zip(["", *entry["args"]], entry["args"])]
        click.echo(f"Refreshing {display_path(target)} from {entry['kind']} {display_path(export)}", err=True)
        try:
            args = [export, *args, "-o", str(target), "--catalog", str(folder), "--wait", str(wait)]
            # A child of this command's context: it inherits the group's settings (-h), as when typed.
            with command.make_context(entry["kind"], args, parent=ctx) as sub:
                command.invoke(sub)
        except ImpactError as exc:
            failed.extend(exc.problems)
            broken += 1
        except click.ClickException as exc:  # the export's path refused by its option, say
            failed.append(
                Problem(
                    display_path(target),
                    0,
                    0,
                    f"could not refresh from {entry['kind']} {display_path(export)}: {exc.format_message()}",
                )
            )
            broken += 1
    if failed:
        click.echo(
            f"{len(found) - broken} of {len(found)} sources refreshed; {broken} could not be, and their catalog "
            "files were left as they were:",
            err=True,
        )
        raise ImpactError(failed)


def _refused(command: click.Command | None, target: Path, index: int, entry: dict[str, Any], roots: list[str]) -> Any:
    """The problem of a ``sources:`` entry that may not run, or None.

    Unknown kind, an ``args:`` value that is not an option of the importer,
    or a path outside ``roots`` (see :mod:`impact.importers.confine`).
    """
    from impact.core.errors import Problem, display_path
    from impact.importers.confine import refused_source

    where = f"sources[{index}]"
    if command is None:
        return Problem(display_path(target), 0, 0, f"{where}: unknown source kind {entry['kind']!r}")
    options = {opt: param for param in command.params if isinstance(param, click.Option) for opt in param.opts}
    paths: dict[str, bool] = {str(entry["path"]): True}
    args = iter(entry["args"])
    for arg in args:
        param = options.get(arg)
        if param is None or param.name in ("output", "catalog", "wait"):
            what = f"{where}: args: {arg!r} is not an option 'impact import {entry['kind']}' takes from 'sources:'"
            return Problem(display_path(target), 0, 0, what)
        if param.is_flag:
            continue
        value = next(args, None)
        if value is None:
            return Problem(display_path(target), 0, 0, f"{where}: args: {arg} needs a value")
        if param.name in _PATH_OPTIONS:
            paths[value] = False
    return refused_source(target, index, entry, paths, roots)


def _rebase(arg: str, option: str, target: Path) -> str:
    """A path option's value, stored relative to the catalog file, made usable from here."""
    if option.lstrip("-") in _PATH_OPTIONS:
        return (target.parent / arg).as_posix()
    return arg
