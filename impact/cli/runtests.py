"""``impact run-tests``: run the automated tests a change's answer lists, record each result, list the manual ones."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from impact.cli.main import EXIT_BLOCKING, EXIT_OK, cli
from impact.cli.options import catalog_option
from impact.core.errors import display_path

TAIL_LINES = 5
"""Lines of a failed command's output kept in the result's note."""

DEFAULT_TIMEOUT = 600


@dataclass(frozen=True)
class Outcome:
    passed: bool
    note: str | None
    """For a failure: the exit code (or the timeout) and the last lines of output."""


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a command and everything it started."""
    try:
        if sys.platform != "win32":
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - no process groups there
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass


def run_command(command: str, cwd: Path, timeout: float) -> Outcome:
    """Run ``command`` in a shell in ``cwd``: exit 0 passes; anything else, or running past ``timeout``, fails."""
    process = subprocess.Popen(
        command, shell=True, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=sys.platform != "win32",
    )  # fmt: skip
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        output, _ = process.communicate()
        return Outcome(False, f"stopped after {timeout:g} seconds (--timeout){_tail(output)}")
    if process.returncode == 0:
        return Outcome(True, None)
    return Outcome(False, f"exit code {process.returncode}{_tail(output)}")


def _tail(output: bytes | None) -> str:
    lines = [line for line in (output or b"").decode("utf-8", "replace").splitlines() if line.strip()]
    return "; last output: " + " | ".join(lines[-TAIL_LINES:]) if lines else ""


def _manual_checklist(tests: list[Any]) -> list[str]:
    lines = []
    for t in tests:
        minutes = f", about {t.test.minutes} min" if t.test.minutes else ""
        lines.append(f"  [ ] {t.test.id}: {t.test.name} ({t.test.kind or 'manual'}{minutes})")
        lines.extend(f"      {i}. {s}" for i, s in enumerate(t.test.steps, 1))
    return lines


@cli.command("run-tests")
@click.argument("change_file", metavar="CHANGE.yaml", type=click.Path(dir_okay=False))
@click.option(
    "--by",
    "by",
    default="impact run-tests",
    show_default=True,
    metavar="NAME",
    help="Who the results are recorded as run by.",
)
@click.option("--dry-run", is_flag=True, help="Print the commands only: run nothing, record nothing.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Stop a command that runs longer, and record it as failed.",
)
@catalog_option
def run_tests(change_file: str, by: str, dry_run: bool, timeout: float, catalog: str | None) -> int:
    """Run the automated tests a change's answer lists, and record their results.

    Each automated test's 'run:' command runs in a shell, in the change's
    catalog folder. Exit 0 records 'passed'; anything else 'failed', with the
    exit code and the last lines of output as the note. Then the manual tests
    are printed as a checklist with their steps and minutes: record them
    with 'impact result'. Exits 1 when a test failed.

    \b
    Example:
        impact run-tests changes/CR-1.yaml --dry-run
    """
    from impact.cli.readiness import open_change, valid_at, valid_name
    from impact.importers.change_records import record

    checked = open_change(change_file, catalog)
    folder = Path(checked.catalog.root)
    who = valid_name("--by", by)
    automated = [t for t in checked.tests if t.test.kind == "automated" and t.test.run]
    failed = 0
    click.echo(f"{checked.change.id}: {len(automated)} automated test(s) to run in {display_path(folder)}")
    for t in automated:
        click.echo(f"$ {t.test.run}    ({t.test.id})")
        if dry_run:
            continue
        outcome = run_command(t.test.run, folder, timeout)
        word = "passed" if outcome.passed else "failed"
        failed += not outcome.passed
        click.echo(f"  {word}" + (f": {outcome.note}" if outcome.note else ""))
        record(
            Path(change_file),
            {"test": t.test.id, "result": word, "by": who, "at": valid_at(None), "note": outcome.note},
        )
    no_command = [t for t in checked.tests if t.test.kind == "automated" and not t.test.run]
    for t in no_command:
        click.echo(
            f"  {t.test.id}: automated, but it has no 'run:' command; run it your way and record it with 'impact "
            "result'"
        )
    manual = [t for t in checked.tests if t.test.kind != "automated"]
    if manual:
        click.echo(
            f"Manual tests ({len(manual)}): run them, then 'impact result {change_file} --test ID --passed --by NAME'"
        )
        click.echo("\n".join(_manual_checklist(manual)))
    if not dry_run and automated:
        click.echo(
            f"Recorded {len(automated)} result(s) in {display_path(change_file)}: {len(automated) - failed} passed, "
            f"{failed} failed."
        )
    return EXIT_BLOCKING if failed else EXIT_OK
