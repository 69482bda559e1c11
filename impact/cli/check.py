"""``impact check``: what a change reaches, who to involve, which tests to run (one change file or several)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from impact.cli.main import EXIT_BLOCKING, EXIT_OK, cli, emit_as
from impact.cli.options import (
    answer_format,
    catalog_option,
    change_selection,
    max_tools_option,
    output_file_option,
    require_selection,
)
from impact.core.errors import ImpactError, display_path


def check_selection(change_files: tuple[str, ...], release_id: str | None, changes_dir: str | None) -> list[Path]:
    """The change files named on the command line, or those of ``--release ID`` in ``--changes DIR``."""
    require_selection(change_files, release_id, changes_dir)
    if not release_id:
        return [Path(f) for f in change_files]
    from impact.load.change import change_files as files_of
    from impact.load.change import load_changes

    assert changes_dir is not None
    members = [c for c in load_changes(files_of(changes_dir)) if c.release == release_id]
    if not members:
        raise ImpactError(f"no change request in {display_path(changes_dir)} names release {release_id!r}")
    return [Path(c.file) for c in members]


def run_checks(
    files: list[Path], catalog: str | None, max_tools: int, fmt: str, output: str | None, show_all: bool = False
) -> int:
    """``impact check`` / ``check-changes``: one answer per change file; exit 2 if any file is bad, else 1 if any
    blocks.
    """
    from impact.analysis.workspace import check_many
    from impact.cli.terminal import styler, terminal_width
    from impact.render.check import CheckAnswers

    results, problems = check_many(files, catalog, max_tools)
    to_file = output not in (None, "-")
    answers = CheckAnswers(results, problems, show_all, styler(to_file), terminal_width(to_file))
    emit_as("check several", fmt, answers, output, [*files, *{Path(r.catalog.root) for r in results}])
    if problems:
        raise ImpactError(problems)
    return EXIT_BLOCKING if any(r.blocking for r in results) else EXIT_OK


@cli.command()
@change_selection(release_help="Check every change request of this release, one after the other (needs --changes DIR).")
@catalog_option
@max_tools_option
@answer_format
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="List every impacted asset; by default a tool's long low-risk tail is folded.",
)
@click.option(
    "--base",
    metavar="REV",
    help="No change file: derive the change from the exports the catalog's 'sources:' list, as they differ between "
    "this git revision and --head.",
)
@click.option("--head", metavar="REV", help="With --base: the newer revision. Default: HEAD.")
@output_file_option
def check(
    change_files: tuple[str, ...],
    release_id: str | None,
    changes_dir: str | None,
    catalog: str | None,
    max_tools: int,
    fmt: str,
    show_all: bool,
    base: str | None,
    head: str | None,
    output: str | None,
) -> int:
    """What a change reaches, who to involve, which tests to run.

    Opens with what to do: blocking or not and why, the teams that must sign
    off, the tests to run (manual and automated apart) and the critical
    assets no test covers. Then every downstream asset up to --max-tools
    tools away, high risk first, each with the path that explains why (a
    tool's long low-risk tail is folded unless --all); the teams to involve,
    each with its one strongest role and the reason; the regression tests;
    and the changed or impacted assets that no test covers. Several change
    files (or --release ID --changes DIR) give one answer each, then a
    one-line summary.

    With --base REV instead of a change file, the change is derived from
    the exports the catalog lists under 'sources:' (see 'impact changes'):
    a pull request on the exports is checked as it is.

    On a terminal, long lines wrap at its width (a why-path only between
    its steps) and the verdict is coloured: red blocking, yellow not ready to
    ship, green ready to ship; NO_COLOR=1 turns colour off. Into a file or a
    pipe, every fact stays on one line.

    Exits 1 when a change declares a release path lighter than it needs.

    \b
    Example:
        impact check catalogs/example/changes/CR-101-products-to-solutions.yaml --format markdown
    """
    if base is not None or head is not None:
        from impact.cli.derived import check_derived

        return check_derived(
            bool(change_files or release_id),
            base,
            head,
            catalog,
            lambda path, folder: _check_one(path, folder, max_tools, fmt, show_all, output),
        )
    files = check_selection(change_files, release_id, changes_dir)
    if len(files) > 1:
        return run_checks(files, catalog, max_tools, fmt, output, show_all)
    with _collector_paused():
        return _check_one(files[0], catalog, max_tools, fmt, show_all, output)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector paused for the whole answer.

    A change that reaches 85,000 assets makes a few hundred thousand objects,
    none in a reference cycle, and each burst set off a collection over
    everything kept so far (about 0.1 s in all). Reference counting still
    frees them as usual.
    """
    was_collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_collecting:
            gc.enable()


def _check_one(
    change_file: Path, catalog: str | None, max_tools: int, fmt: str, show_all: bool, output: str | None
) -> int:
    """``impact check`` of one change file."""
    from impact.analysis.workspace import run_check
    from impact.cli.terminal import styler, terminal_width
    from impact.render.check import CheckAnswer

    result, catalog_path = run_check(change_file, catalog, max_tools)
    to_file = output not in (None, "-")
    # The renderer asked for alone is imported (Jinja2, for Markdown, alone takes ~0.1 s); JSON and text are
    # written as they are made: a change reaching most of a big catalog answers in 100 MB, never held whole.
    answer = CheckAnswer(result, show_all, styler(to_file), terminal_width(to_file))
    emit_as("check", fmt, answer, output, [change_file, catalog_path])
    return EXIT_BLOCKING if result.blocking else EXIT_OK
