"""``impact report``: release notes (HTML, Markdown, JSON, graph) for one change or a release."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from impact.cli.main import cli
from impact.cli.options import catalog_option, change_selection, max_tools_option, output_dir_option, require_selection

DEFAULT_FOLDER = "reports"


def _folder_name(ident: str) -> str:
    # Ids are letters, digits, '.', '_' and '-' by schema; anything else is replaced all the same.
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", ident).lstrip(".") or "report"


@cli.command()
@change_selection(release_help="Report on every change request of this release (needs --changes DIR).")
@catalog_option
@max_tools_option
@output_dir_option("Folder for the report files (-o DIR works too). Default: reports/<change or release id>/.")
@click.option(
    "--templates",
    metavar="DIR",
    envvar="IMPACT_TEMPLATES",
    help="Folder of templates overriding report.html.j2, report.md.j2, report.css or report.js.",
)
def report(
    change_files: tuple[str, ...],
    release_id: str | None,
    changes_dir: str | None,
    catalog: str | None,
    max_tools: int,
    output_dir: str | None,
    templates: str | None,
) -> None:
    """Write release notes: one self-contained HTML page, Markdown, JSON and the graph.

    For one change request (CHANGE.yaml) or for every change of a release
    (--release ID --changes DIR). The folder gets release-notes.html (one
    file, no network needed: open it in any browser, attach it to an e-mail),
    release-notes.md, impact.json, graph.svg and graph.dot. The page shows the
    ship or hold verdicts with reasons, the interactive dependency graph, the
    impacted assets (filterable), the stakeholders with a distribution list,
    the regression test checklist and the assets no test covers.

    Every file is rendered before any is written, each is written atomically,
    and nothing is written over an input or into the catalog. Exits 0 when
    the report is written, whatever its verdict; 2 on bad input.

    \b
    Examples:
        impact report catalogs/example/changes/CR-101-products-to-solutions.yaml
        impact report --release 2026-12-minor --changes catalogs/example/changes
    """
    from impact.render.report import make_picture, render_report
    from impact.render.report.data import ReportInput
    from impact.store.fsio import atomic_write, guard_output

    require_selection(change_files, release_id, changes_dir)
    if len(change_files) > 1:
        raise click.UsageError(
            "a report is for one change request or one release: give one CHANGE.yaml, or --release ID --changes DIR "
            "(set 'release:' in the change files to report on them together)"
        )
    change_file = change_files[0] if change_files else None
    if change_file:
        from impact.analysis.workspace import run_check

        result, catalog_path = run_check(Path(change_file), catalog, max_tools)
        protected = [Path(change_file), catalog_path]
        report_input = ReportInput("change", result.change.id, result.change.title, [result])
        report_input.picture = make_picture([result])
    else:
        assert release_id is not None and changes_dir is not None
        report_input, protected = _release_input(release_id, Path(changes_dir), catalog, max_tools)

    folder = Path(output_dir) if output_dir else Path(DEFAULT_FOLDER) / _folder_name(report_input.id)
    files = render_report(report_input, templates)
    targets = {name: folder / name for name in files}
    for target in targets.values():
        guard_output(target, protected)
    for name, target in targets.items():
        atomic_write(target, files[name])
    click.echo(f"Wrote {folder}/: {', '.join(files)}", err=True)
    click.echo(f"Open {folder / 'release-notes.html'} in a browser.", err=True)


def _release_input(release_id: str, changes_dir: Path, catalog: str | None, max_tools: int) -> tuple[Any, list[Path]]:
    """Check the release (every change file of the folder counts, for conflicts) and shape its report."""
    from impact.analysis.workspace import open_workspace
    from impact.render.report import release_report_input

    ws = open_workspace((), str(changes_dir), catalog)
    return release_report_input(ws.release(release_id, max_tools), ws.changes), ws.protected(str(changes_dir))
