"""``impact check-changes``: several change files in one run, for pre-commit hooks and CI."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.main import EXIT_BLOCKING, EXIT_OK, cli, emit
from impact.cli.options import (
    catalog_option,
    format_option,
    max_tools_option,
    output_option,
)
from impact.core.errors import ImpactError


@cli.command("check-changes")
@click.argument("change_files", metavar="CHANGE.yaml...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@catalog_option
@max_tools_option
@format_option("text", "markdown")
@output_option
def check_changes(change_files: tuple[str, ...], catalog: str | None, max_tools: int, fmt: str, output: str | None) -> int:
    """Check several change files at once (what the pre-commit hook runs).

    Prints the 'impact check' answer for each change, one after the other.
    Exits 1 when any change is blocking, 2 when any file is bad (every bad
    file is reported, the others are still checked).

    Example:

        impact check-changes catalogs/example/changes/*.yaml --format markdown
    """
    from impact.analysis.workspace import check_many
    from impact.render import markdown, text

    results, problems = check_many([Path(f) for f in change_files], catalog, max_tools)
    render = markdown.render_check if fmt == "markdown" else text.render_check
    separator = "\n---\n\n" if fmt == "markdown" else "\n" + "=" * 72 + "\n\n"
    if results:
        emit(separator.join(render(r) for r in results), output, [Path(f) for f in change_files])
    if problems:
        raise ImpactError(problems)
    return EXIT_BLOCKING if any(r.blocking for r in results) else EXIT_OK
