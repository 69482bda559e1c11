"""``impact changes``: the change request a pull request on the exports already is."""

from __future__ import annotations

import click

from impact.cli.main import cli, emit
from impact.cli.options import FormatChoice, output_file_option


@cli.command("changes")
@click.argument("args", metavar="[KIND OLD NEW]", nargs=-1)
@click.option(
    "--base",
    metavar="REV",
    help="Compare the exports the catalog's 'sources:' list, as they are at this git revision and at --head.",
)
@click.option(
    "--head", metavar="REV", help="With --base: the newer revision. Default: HEAD (the working tree is never read)."
)
@click.option(
    "--catalog",
    "catalog",
    metavar="DIR",
    help="With --base: the catalog whose files list the exports under 'sources:'."
    " Default: IMPACT_CATALOG, then ./catalog.",
)
@click.option(
    "--id",
    "id_",
    metavar="ID",
    help="The change request's id. Default: 'derived-' and a digest of the changes (the same change, the same id).",
)
@click.option("--title", metavar="TEXT", help="The change request's title.")
@click.option(
    "--system",
    metavar="ID",
    help="With KIND OLD NEW: the catalog system the ids belong to."
    " Default: the importer's (salesforce, dbt, gtm, website).",
)
@click.option(
    "--format",
    "fmt",
    type=FormatChoice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="YAML (a change file) or JSON (the same keys).",
)
@output_file_option
def changes_command(
    args: tuple[str, ...],
    base: str | None,
    head: str | None,
    catalog: str | None,
    id_: str | None,
    title: str | None,
    system: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """The change request that two versions of an export already are: no hand-written file.

    KIND is salesforce, dbt, gtm or sitemap; OLD and NEW are two exports
    (folders or files), old first. Or, in a git repository, --base REV
    compares every export the catalog's 'sources:' list (what 'impact import'
    recorded) as it is at REV and at --head, reading only the files that
    changed, from git itself.

    Each item names the asset by its catalog id, the action (create, modify,
    rename with 'to:' the new id, delete), the aspects it touches and a note
    in plain words ('picklist values added: Recycled', 'formula changed',
    'active → inactive'). Renames are found from contents, not file names.
    When nothing the catalog tracks changed (a re-export, whitespace, moved
    flow elements), one line says so and no file is written. The output is a
    change file 'impact check' reads as it is; 'impact check --base REV'
    does both at once.

    \b
    Example:
        impact changes salesforce old-org/force-app new-org/force-app -o change.yaml
    """
    from impact.cli.derived import derive, said
    from impact.importers.changes.request import render, request

    derived, compared, protected = derive(args, base, head, catalog, system)
    if said(derived, compared):
        emit(
            render(request(derived.items, id_, title or f"Changes to the exports between {compared}"), fmt),
            output,
            protected,
        )
