"""``impact import marketo`` and ``hubspot``: marketing automation, from the tools' API answers."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.importers import WEBSITE_HELP, fetched, finish_import, import_group, import_options, known_assets


@import_group.command("marketo")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@click.option(
    "--fetch",
    is_flag=True,
    help="Write DIR from the live instance first (MARKETO_BASE_URL, MARKETO_CLIENT_ID, MARKETO_CLIENT_SECRET).",
)
@click.option("--system", default="marketo", show_default=True, metavar="ID", help="System id of the Marketo instance.")
@click.option("--website", metavar="SYSTEM", help=WEBSITE_HELP)
@click.option(
    "--salesforce",
    metavar="SYSTEM",
    help="The catalog's Salesforce system: a CRM-synced field depends on its Lead field.",
)
@import_options
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

        fetched("Marketo", folder, fetch_marketo)
    known = known_assets(catalog, output, bool(website or salesforce))
    finish_import(output, read_marketo_export(Path(folder), system, owner, website, salesforce, known), catalog, folder)


@import_group.command("hubspot")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@click.option(
    "--fetch", is_flag=True, help="Write DIR from the live account first (a private app's token in HUBSPOT_TOKEN)."
)
@click.option("--system", default="hubspot", show_default=True, metavar="ID", help="System id of the HubSpot account.")
@click.option("--website", metavar="SYSTEM", help=WEBSITE_HELP)
@import_options
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

        fetched("HubSpot", folder, fetch_hubspot)
    known = known_assets(catalog, output, bool(website))
    finish_import(output, read_hubspot_export(Path(folder), system, owner, website, known), catalog, folder)
