"""``impact coverage``: how much of the catalog the regression tests cover."""

from __future__ import annotations

import click

from impact.cli.main import EXIT_BLOCKING, EXIT_OK, cli, emit
from impact.cli.options import ANSWER_FORMATS, catalog_folder_options, format_option, output_file_option
from impact.load.change import catalog_folder


@cli.command("coverage")
@catalog_folder_options
@format_option(*ANSWER_FORMATS, "csv")
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
    from impact.render import jsonout
    from impact.render.coverage import (
        coverage_dict,
        render_coverage,
        render_coverage_markdown,
    )

    path = catalog_folder(catalog)
    with loading(path):
        loaded, _ = open_catalog(path)
    result = coverage(loaded)
    if fmt == "json":
        rendered = jsonout.dumps(coverage_dict(result))
    elif fmt == "markdown":
        rendered = render_coverage_markdown(result)
    elif fmt == "csv":
        from impact.render.coverage import coverage_csv

        rendered = coverage_csv(result)
    else:
        rendered = render_coverage(result, styler(to_file=output not in (None, "-")))
    emit(rendered, output, [path])
    if fail_under is not None and result.overall.assets.percent < fail_under:
        click.echo(f"Coverage {result.overall.assets.percent:.1f}% of assets is under --fail-under {fail_under:g}%", err=True)
        return EXIT_BLOCKING
    return EXIT_OK
