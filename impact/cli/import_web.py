"""``impact import sitemap`` and ``gtm``: the website, from its sitemap, and its tags, from a Tag Manager export."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.importers import finish_import, import_group, import_options


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
@import_options
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

    finish_import(output, read_sitemap(Path(sitemap), system, owner, max_depth, pages, keep_host), catalog, sitemap)


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
@import_options
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
    from impact.importers.existing import catalog_assets
    from impact.importers.gtm import read_gtm_export

    known = catalog_assets(Path(catalog) if catalog else Path(output).parent, Path(output)) if website else {}
    finish_import(output, read_gtm_export(Path(export), system, owner, website, known), catalog, export)
