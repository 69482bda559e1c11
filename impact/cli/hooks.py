"""``impact check-changes``: several change files in one run, for pre-commit hooks and CI."""

from __future__ import annotations

import click

from impact.cli.check import check_selection, run_checks
from impact.cli.main import cli
from impact.cli.options import (
    answer_format,
    catalog_option,
    change_selection,
    max_tools_option,
    output_file_option,
)


@cli.command("check-changes")
@change_selection(release_help="Check every change request of this release (needs --changes DIR).")
@catalog_option
@max_tools_option
@answer_format
@output_file_option
def check_changes(
    change_files: tuple[str, ...],
    release_id: str | None,
    changes_dir: str | None,
    catalog: str | None,
    max_tools: int,
    fmt: str,
    output: str | None,
) -> int:
    """Check several change files at once (what the pre-commit hook runs).

    Prints the 'impact check' answer for each change, one after the other,
    and ends with a one-line summary (how many checked, which block). Exits
    1 when any change is blocking, 2 when any file is bad (every bad file is
    reported, the others are still checked).

    \b
    Example:
        impact check-changes catalogs/example/changes/*.yaml --format markdown
    """
    if not change_files and not release_id:
        raise click.UsageError("give one or more change files, or --release ID --changes DIR")
    return run_checks(check_selection(change_files, release_id, changes_dir), catalog, max_tools, fmt, output)
