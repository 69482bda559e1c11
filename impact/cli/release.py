"""Release commands: ``conflicts``, ``release check``, ``stakeholders`` and ``notify``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from impact.cli.main import EXIT_BLOCKING, EXIT_OK, cli, emit, emit_as
from impact.cli.options import (
    answer_format,
    catalog_option,
    change_selection,
    output_file_option,
    releases_option,
    require_selection,
    table_format,
)


def _release_workspace(
    change_files: tuple[str, ...],
    release_id: str | None,
    changes_dir: str | None,
    catalog: str | None,
    releases_dir: str | None,
) -> Any:
    from impact.analysis.workspace import open_workspace

    require_selection(change_files, release_id, changes_dir)
    return open_workspace(change_files, changes_dir, catalog, releases_dir)


@cli.command()
@change_selection(
    release_help="Only the conflicts of this release's change requests (with --changes DIR).",
    changes_help=(
        "Folder of every change file (each *.yaml in it, not recursive): alone, all of them are compared; "
        "with --release, the release's against the rest."
    ),
)
@catalog_option
@click.option(
    "--shared", is_flag=True, help="Also list shared-impact conflicts (both reach the same asset; information only)."
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Show every conflict; by default those meeting more than 2 tools away are counted.",
)
@answer_format
@output_file_option
def conflicts(
    change_files: tuple[str, ...],
    release_id: str | None,
    changes_dir: str | None,
    catalog: str | None,
    shared: bool,
    show_all: bool,
    fmt: str,
    output: str | None,
) -> int:
    """Change requests in progress that step on each other.

    Looks at every change request that is not 'released' (the files given,
    or every file of --changes DIR) and reports: same-asset (two change the
    same asset, also through a whole-system target) and downstream (the
    impact of one reaches an asset another changes: order them and test them
    together). Each names the assets and the teams that must coordinate.
    --shared adds shared-impact (both reach the same asset), for
    information. Ranked: same-asset first, then the nearest; conflicts
    meeting more than 2 tools away are counted unless --all. With --release
    ID, only the conflicts that involve that release's change requests.

    Exits 1 when there is a same-asset or downstream conflict.

    \b
    Example:
        impact conflicts --changes catalogs/example/changes
    """
    from impact.analysis.conflicts import BLOCKING_KINDS
    from impact.analysis.workspace import open_workspace
    from impact.render.conflicts import ConflictsAnswer

    if not (changes_dir and not release_id and not change_files):  # --changes DIR alone: every file of the folder
        require_selection(change_files, release_id, changes_dir)
    ws = open_workspace(change_files, changes_dir, catalog)
    found, ids = ws.conflicts(shared)
    if release_id:
        members = {c.id for c in ws.changes if c.release == release_id}
        if not members:
            from impact.core.errors import ImpactError, display_path

            raise ImpactError(f"no change request in {display_path(changes_dir or '.')} names release {release_id!r}")
        found = [c for c in found if c.first in members or c.second in members]
    emit_as("conflicts", fmt, ConflictsAnswer(found, ids, ws.catalog.root, show_all), output, ws.protected(changes_dir))
    return EXIT_BLOCKING if any(c.kind in BLOCKING_KINDS for c in found) else EXIT_OK


@cli.group()
def release() -> None:
    """Release bundles: what ships in a release and what is held back.

    \b
    Example:
        impact release check 2026-11-quick --changes catalogs/example/changes
    """


@release.command("check")
@click.argument("release_arg", metavar="[RELEASE_ID]", required=False)
@click.option(
    "--release", "release_opt", metavar="ID", help="The release, as for the other commands (or give it as RELEASE_ID)."
)
@click.option(
    "--changes",
    "changes_dir",
    metavar="DIR",
    help="Folder of every change file (all releases: their conflicts count). Required.",
)
@catalog_option
@releases_option
@answer_format
@output_file_option
def release_check(
    release_arg: str | None,
    release_opt: str | None,
    changes_dir: str | None,
    catalog: str | None,
    releases_dir: str | None,
    fmt: str,
    output: str | None,
) -> int:
    """What ships in a release, what is held back, and why.

    A release is every change request whose 'release:' names it. One ships
    only when it is approved, its declared path is not lighter than the one
    it needs, and it has no conflict with an unapproved change request: none
    changes the same asset, and its impact reaches nothing an unapproved
    change request changes. Also prints the conflicts, the combined test plan
    and the stakeholders of what ships.

    Exits 1 when anything is held back.

    \b
    Example:
        impact release check 2026-11-quick --changes catalogs/example/changes
    """
    from impact.analysis.workspace import open_workspace
    from impact.render.formats import render_as

    if release_arg and release_opt and release_arg != release_opt:
        raise click.UsageError(f"two releases given: {release_arg} and --release {release_opt}; give one")
    release_id = release_arg or release_opt
    if not release_id:
        raise click.UsageError("give the release: impact release check RELEASE_ID --changes DIR")
    if not changes_dir:
        raise click.UsageError(
            "give --changes DIR, the folder of every change file (other releases' changes count too)"
        )
    ws = open_workspace((), changes_dir, catalog, releases_dir)
    result = ws.release(release_id)
    rendered = render_as("release check", fmt, result)
    emit(rendered, output, ws.protected(changes_dir, releases_dir))
    return EXIT_BLOCKING if result.blocking else EXIT_OK


def _selection(
    change_files: tuple[str, ...],
    release_id: str | None,
    changes_dir: str | None,
    catalog: str | None,
    releases_dir: str | None,
) -> tuple[Any, list[Any], Any]:
    """(workspace, results of what to list, release result or None)."""
    ws = _release_workspace(change_files, release_id, changes_dir, catalog, releases_dir)
    if release_id:
        result = ws.release(release_id)
        if result.held:
            held = ", ".join(h.result.change.id for h in result.held)
            click.echo(
                f"Note: held back, so not included: {held} (see: impact release check {release_id} --changes "
                f"{changes_dir})",
                err=True,
            )
        return ws, result.ships, result
    return ws, ws.check_all(), None


@cli.command()
@change_selection(release_help="Every change request of this release that ships (needs --changes DIR).")
@catalog_option
@releases_option
@table_format
@output_file_option
def stakeholders(
    change_files: tuple[str, ...],
    release_id: str | None,
    changes_dir: str | None,
    catalog: str | None,
    releases_dir: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """Every team to involve, once, across change requests or a release.

    Each team comes with its roles (responsible, accountable, consulted,
    informed) and the change requests and assets that bring it in. With
    --release, the change requests that ship in it (as 'release check'
    decides). --format emails prints a distribution list ('Name <email>' per
    line) to paste into a mail client; csv opens safely in a spreadsheet.

    \b
    Example:
        impact stakeholders --release 2026-11-quick --changes catalogs/example/changes --format csv -o stakeholders.csv
    """
    from impact.analysis.stakeholder_lists import merge_stakeholders
    from impact.render.stakeholder_lists import StakeholdersAnswer

    ws, results, rel = _selection(change_files, release_id, changes_dir, catalog, releases_dir)
    teams = rel.stakeholders if rel else merge_stakeholders(results)
    answer = StakeholdersAnswer(teams, release_id, [r.change.id for r in results])
    emit_as("stakeholders", fmt, answer, output, ws.protected(changes_dir, releases_dir))


@cli.command()
@change_selection(release_help="Notify about what ships in this release (needs --changes DIR).")
@catalog_option
@releases_option
@click.option(
    "--stage",
    type=click.Choice(["pre-release", "completed"]),
    required=True,
    help="Before the release, or once it is done.",
)
@answer_format
@click.option(
    "--templates",
    metavar="DIR",
    envvar="IMPACT_TEMPLATES",
    help="Folder of templates that override the built-in ones (same file names).",
)
@output_file_option
def notify(
    change_files: tuple[str, ...],
    release_id: str | None,
    changes_dir: str | None,
    catalog: str | None,
    releases_dir: str | None,
    stage: str,
    fmt: str,
    templates: str | None,
    output: str | None,
) -> None:
    """Draft the e-mail to stakeholders before a release or once it is done.

    Subject, recipients ('Name <email>') and a body listing what changes,
    who is affected and what to test. --format text prints the e-mail with
    a plain-text body, markdown a Markdown body, json all of it. The text
    comes from Jinja2 templates (notify-subject.txt.j2,
    notify-pre-release.txt.j2, notify-completed.md.j2, ...) that --templates
    DIR or IMPACT_TEMPLATES can override.

    \b
    Example:
        impact notify --release 2026-11-quick --changes catalogs/example/changes --stage pre-release
    """
    from impact.render.formats import render_as
    from impact.render.notify import draft

    if templates and not Path(templates).is_dir():
        raise click.UsageError(f"--templates {templates}: no such folder")
    ws, results, rel = _selection(change_files, release_id, changes_dir, catalog, releases_dir)
    note = draft(stage, results, rel, templates)
    rendered = render_as("notify", fmt, note)
    emit(rendered, output, ws.protected(changes_dir, releases_dir))
