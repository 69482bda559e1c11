"""``impact report``: release notes (HTML, Markdown, JSON, graph) for one change or a release."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from impact.cli.main import cli
from impact.cli.options import catalog_option, max_tools_option

DEFAULT_FOLDER = "reports"


def _folder_name(ident: str) -> str:
    # Ids are letters, digits, '.', '_' and '-' by schema; anything else is replaced all the same.
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", ident).lstrip(".") or "report"


@cli.command()
@click.argument("change_file", metavar="[CHANGE.yaml]", required=False, type=click.Path(dir_okay=False))
@click.option("--release", "release_id", metavar="ID", help="Report on every change request of this release (needs --changes).")
@click.option("--changes", "changes_dir", metavar="DIR", help="Folder of change files, for --release.")
@catalog_option
@max_tools_option
@click.option(
    "-o",
    "--output",
    "output",
    metavar="DIR",
    help="Folder for the report files. Default: reports/<change or release id>/.",
)
@click.option(
    "--templates",
    metavar="DIR",
    envvar="IMPACT_TEMPLATES",
    help="Folder of templates overriding report.html.j2, report.md.j2, report.css or report.js.",
)
def report(
    change_file: str | None,
    release_id: str | None,
    changes_dir: str | None,
    catalog: str | None,
    max_tools: int,
    output: str | None,
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

    Example:

        impact report catalogs/example/changes/CR-101-products-to-solutions.yaml

        impact report --release 2026-12-minor --changes catalogs/example/changes
    """
    from impact.render.report import ReportInput, make_picture, render_report
    from impact.store.fsio import atomic_write, guard_output

    if change_file and (release_id or changes_dir):
        raise click.UsageError("give either CHANGE.yaml or --release ID --changes DIR, not both")
    if not change_file and not (release_id and changes_dir):
        raise click.UsageError("give CHANGE.yaml, or --release ID with --changes DIR")

    if change_file:
        from impact.analysis.workspace import run_check

        result, catalog_path = run_check(Path(change_file), catalog, max_tools)
        protected = [Path(change_file), catalog_path]
        report_input = ReportInput("change", result.change.id, result.change.title, [result])
        report_input.picture = make_picture([result])
    else:
        assert release_id is not None and changes_dir is not None
        report_input, protected = _release_input(release_id, Path(changes_dir), catalog, max_tools)

    folder = Path(output) if output else Path(DEFAULT_FOLDER) / _folder_name(report_input.id)
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
