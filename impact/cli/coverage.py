"""``impact coverage``: how much of the catalog the regression tests cover."""

from __future__ import annotations

import click

from impact.cli.main import EXIT_BLOCKING, EXIT_OK, cli, emit
from impact.cli.options import catalog_folder_options, format_option, output_file_option
from impact.load.change import catalog_folder
from impact.render.formats import formats_of


@cli.command("coverage")
@catalog_folder_options
@format_option(*formats_of("coverage"))
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Exit 1 when less than PERCENT of the assets are covered by a test (for CI).",
)
@output_file_option
def coverage_command(catalog: str | None, fmt: str, fail_under: float | None, output: str | None) -> int:
    """How much of the catalog the regression-test library covers.

    Counts assets, critical assets and cross-tool dependencies that no test
    covers, overall, per team and per tool. A cross-tool dependency counts as
    covered when one test covers both of its ends. --format csv gives one
    row for the catalog, each team and each tool, for a spreadsheet.

    DIR (or --catalog DIR) defaults to IMPACT_CATALOG, then ./catalog.

    \b
    Example:
        impact coverage catalogs/example/catalog --fail-under 60
    """
    from impact.analysis.coverage import coverage
    from impact.analysis.workspace import open_catalog
    from impact.cli.terminal import loading, styler
    from impact.render.formats import render_as

    path = catalog_folder(catalog)
    with loading(path):
        loaded, _ = open_catalog(path)
    result = coverage(loaded)
    rendered = render_as("coverage", fmt, result, styler(to_file=output not in (None, "-")))
    emit(rendered, output, [path])
    if fail_under is not None and result.overall.assets.percent < fail_under:
        click.echo(
            f"Coverage {result.overall.assets.percent:.1f}% of assets is under --fail-under {fail_under:g}%", err=True
        )
        return EXIT_BLOCKING
    return EXIT_OK
