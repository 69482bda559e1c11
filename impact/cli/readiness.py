"""Recording readiness in a change file: ``signoff``, ``step`` and ``result``.

Each command checks what it is given against the change's catalog (the
team, the test) and the date, then writes one entry through
:func:`impact.importers.change_records.edit_change`: comments, order and
quoting kept, the whole file written at once, nothing written on any problem
(exit 2).
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from impact.cli.main import cli
from impact.cli.options import catalog_option
from impact.core.errors import ImpactError, display_path

AT_HELP = "When: a date (2026-11-05) or a date-time (2026-11-05T14:30). Default: today."


def valid_at(at: str | None) -> str:
    """``--at`` checked (a date or a date-time, kept as written), or today's date."""
    from impact.read.scalars import as_date_or_time

    if at is None:
        return datetime.date.today().isoformat()
    try:
        return str(as_date_or_time(at))
    except ValueError as exc:
        raise ImpactError(f"--at: {exc}") from None


def valid_name(option: str, name: str) -> str:
    text = " ".join(name.split())
    if not text or not text.isprintable():
        raise ImpactError(f"{option}: give a person's name, e.g. {option} 'Ana Ruiz'")
    return text


def _unknown(what: str, given: str, known: Iterable[str], where: str) -> ImpactError:
    names = sorted(known)
    close = difflib.get_close_matches(given, names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"{what}s: {', '.join(names) or 'none'}"
    return ImpactError(f"{what} {given!r} is not a {what} of the catalog in {where}; {hint}")


def open_change(change_file: str, catalog: str | None) -> Any:
    """The change's check result (its sign-off list, tests to run), with its catalog."""
    from impact.analysis.workspace import run_check

    result, _ = run_check(Path(change_file), catalog)
    return result


@cli.command()
@click.argument("change_file", metavar="CHANGE.yaml", type=click.Path(dir_okay=False))
@click.option("--team", required=True, metavar="TEAM", help="The team that signs off (a team id of the catalog).")
@click.option("--by", "by", required=True, metavar="NAME", help="Who signs off for the team, by name.")
@click.option("--reject", is_flag=True, help="Reject the change instead of approving it.")
@click.option("--note", metavar="TEXT", help="Why, in a few words (quoted in the release check when rejected).")
@click.option("--at", "at", metavar="DATE", help=AT_HELP)
@catalog_option
def signoff(
    change_file: str, team: str, by: str, reject: bool, note: str | None, at: str | None, catalog: str | None
) -> None:
    """Record a team's sign-off (approved, or rejected with --reject) in a change file.

    One sign-off per team: a team's earlier one is replaced. The change
    file keeps its comments, order and quoting. The release check counts it
    when the catalog's 'policy: ready:' lists signoffs.

    \b
    Example:
        impact signoff changes/CR-1.yaml --team mops --by 'Priya Nair' --note 'checked the segmentation'
    """
    from impact.analysis.readiness import same_person
    from impact.importers.change_records import add_signoff, edit_change

    result = open_change(change_file, catalog)
    teams = result.catalog.teams
    if team not in teams:
        raise _unknown("team", team, teams, result.catalog.root)
    person = valid_name("--by", by)
    entry = {
        "team": team,
        "by": person,
        "at": valid_at(at),
        "decision": "rejected" if reject else "approved",
        "note": note,
    }
    edit_change(Path(change_file), lambda tree: add_signoff(tree, entry))
    click.echo(
        f"Recorded in {display_path(change_file)}: {team} {entry['decision']} by {entry['by']} on {entry['at']}."
    )
    members = teams[team].members
    if members and not any(same_person(person, m) for m in members):
        click.echo(f"Warning: {entry['by']} is not a member of {team} (members: {', '.join(members)}).", err=True)
    asked = [s.team for s in result.sign_off]
    if team not in asked:
        click.echo(
            f"Note: the answer does not ask {team} to sign off; it asks {', '.join(asked) or 'no team'}.", err=True
        )


@cli.command()
@click.argument("change_file", metavar="CHANGE.yaml", type=click.Path(dir_okay=False))
@click.argument("step_name", metavar="triage|build|qa", type=click.Choice(["triage", "build", "qa"]))
@click.option("--by", "by", required=True, metavar="NAME", help="Who did the step, by name.")
@click.option("--at", "at", metavar="DATE", help=AT_HELP)
@catalog_option
def step(change_file: str, step_name: str, by: str, at: str | None, catalog: str | None) -> None:
    """Record who did a step of the change: triage, build or qa.

    Triage, build and QA are done by different people (QA may go back to
    the triage person, never to the builder); the release check holds a
    change when they are not, if the catalog's 'policy: ready:' lists steps.

    \b
    Example:
        impact step changes/CR-1.yaml build --by 'Li Wei'
    """
    from impact.analysis.readiness import same_person
    from impact.importers.change_records import edit_change, set_step

    result = open_change(change_file, catalog)
    entry = {"by": valid_name("--by", by), "at": valid_at(at)}
    edit_change(Path(change_file), lambda tree: set_step(tree, step_name, entry))
    click.echo(f"Recorded in {display_path(change_file)}: {step_name} by {entry['by']} on {entry['at']}.")
    steps = {s.step: s.by for s in result.change.steps} | {step_name: entry["by"]}
    builder = steps.get("build")
    for other in ("triage", "qa"):
        if builder and other in steps and same_person(builder, steps[other]):
            click.echo(
                f"Warning: {builder} did both build and {other}: build needs different eyes; the release check will "
                "hold it.",
                err=True,
            )


@cli.command()
@click.argument("change_file", metavar="CHANGE.yaml", type=click.Path(dir_okay=False))
@click.option("--test", "test_id", required=True, metavar="ID", help="The regression test (a test id of the catalog).")
@click.option("--passed", "outcome", flag_value="passed", help="The test passed.")
@click.option("--failed", "outcome", flag_value="failed", help="The test failed.")
@click.option("--skipped", "outcome", flag_value="skipped", help="The test was not run (it does not count as passed).")
@click.option("--by", "by", required=True, metavar="NAME", help="Who ran it, by name.")
@click.option("--evidence", metavar="URL", help="Where the proof is: a link to the run, a screenshot, a ticket.")
@click.option("--note", metavar="TEXT", help="What was seen, in a few words.")
@click.option("--at", "at", metavar="DATE", help=AT_HELP)
@catalog_option
def result(
    change_file: str,
    test_id: str,
    outcome: str | None,
    by: str,
    evidence: str | None,
    note: str | None,
    at: str | None,
    catalog: str | None,
) -> None:
    """Record the result of a regression test run for a change.

    Results are a log: the last one per test counts. On a minor or major
    path, every test the answer lists must have passed before the change
    ships, if the catalog's 'policy: ready:' lists tests.

    \b
    Example:
        impact result changes/CR-1.yaml --test demo-form-submits --passed --by 'Li Wei'
    """
    from impact.importers.change_records import add_result, edit_change

    if outcome is None:
        raise click.UsageError("say how it went: --passed, --failed or --skipped")
    checked = open_change(change_file, catalog)
    if test_id not in checked.catalog.tests:
        raise _unknown("test", test_id, checked.catalog.tests, checked.catalog.root)
    entry = {
        "test": test_id,
        "result": outcome,
        "by": valid_name("--by", by),
        "at": valid_at(at),
        "evidence": evidence,
        "note": note,
    }
    edit_change(Path(change_file), lambda tree: add_result(tree, entry))
    click.echo(f"Recorded in {display_path(change_file)}: {test_id} {outcome} by {entry['by']} on {entry['at']}.")
    if test_id not in {t.test.id for t in checked.tests}:
        click.echo(f"Note: {test_id} is not among the tests this change's answer lists.", err=True)
