"""The ``impact`` command line: thin wiring from options to use cases to renderers.

Exit codes: 0 fine; 1 the answer holds something blocking (a release path
lighter than the change needs, something held back); 2 bad input or usage,
one ``Error: file:line:col: message`` line per problem on stderr; 3 a bug in
impact itself (``--debug`` shows the traceback).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import click

from impact import __version__
from impact.cli.options import (
    answer_format,
    catalog_folder_options,
    output_file_option,
)
from impact.core.errors import ImpactError, Terminated, display_path, raise_terminated
from impact.load.change import catalog_folder

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_OK, EXIT_BLOCKING, EXIT_BAD_INPUT, EXIT_BUG = 0, 1, 2, 3
# Interrupted (Ctrl-C, SIGINT) and terminated (SIGTERM): the shell's 128 + signal number,
# so a CI step tells a stopped run from a blocking answer (1).
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


LAZY_COMMANDS = {
    "changes": "changes",
    "check": "check",
    "check-changes": "hooks",
    "conflicts": "release",
    "coverage": "coverage",
    "diff": "diff",
    "graph": "graph",
    "import": "importers",
    "init": "init",
    "notify": "release",
    "release": "release",
    "report": "report",
    "result": "readiness",
    "run-tests": "runtests",
    "schema": "schema",
    "signoff": "readiness",
    "site": "site",
    "stakeholders": "release",
    "step": "readiness",
    "trace": "trace",
}
"""Commands defined in their own modules (``impact.cli.<module>``), imported only when used.

Each module registers its commands with ``@cli.command()`` when imported; a
check in a pre-commit hook then does not pay for importing every command. For
the same reason every command imports the use cases and renderers it needs
inside its function, so that it pays only for itself (the one rule that
covers the imports inside functions of ``impact/cli/``; elsewhere each such
import says why, see ``tests/test_architecture.py``).
"""


SECTIONS = {
    "Everyday checks": ["check", "check-changes", "changes", "trace"],
    "Releases": ["release", "conflicts", "stakeholders", "notify"],
    "Readiness": ["step", "signoff", "run-tests", "result"],
    "Reports and pictures": ["report", "graph", "coverage", "site"],
    "Catalog upkeep": ["init", "import", "validate", "diff", "schema"],
}
"""The top-level help's sections, by task; every command is in exactly one (tests/test_cli_vocabulary.py)."""


class ImpactGroup(click.Group):
    """Loads commands on first use; turns :class:`ImpactError` into clean ``Error:`` lines and exit code 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands grouped by task, each with its whole one-line description (never cut with '...')."""
        sections = [(title, names) for title, names in SECTIONS.items()]
        others = [n for n in self.list_commands(ctx) if not any(n in names for _, names in sections)]
        if others:
            sections.append(("Other commands", others))
        width = max(len(n) for n in self.list_commands(ctx))  # one column for every section
        for title, names in sections:
            rows = []
            for name in names:
                command = self.get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name.ljust(width), command.get_short_help_str(limit=1000)))
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows, col_spacing=2)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            importlib.import_module(f"impact.cli.{LAZY_COMMANDS[cmd_name]}")
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; the exit code it returns becomes the process's status."""
        from impact.cli.terminal import show_progress

        try:
            with show_progress():  # on a terminal only, for work that lasts; cleared before any message
                code = super().invoke(ctx)
        except ImpactError as exc:
            if (ctx.obj or {}).get("debug"):  # for developers: where in impact it was raised
                click.echo("".join(traceback.format_exception(exc)).rstrip(), err=True)
            for problem in exc.problems:
                click.echo(f"{problem.severity.capitalize()}: {problem}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            _stopped("Interrupted")
            ctx.exit(EXIT_INTERRUPTED)
        except Terminated:
            _stopped("Terminated")
            ctx.exit(EXIT_TERMINATED)
        except RecursionError:
            click.echo("Error: the input is nested too deeply to process", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except OSError as exc:
            # A file that cannot be read, or an output that cannot be written (a
            # full disk, a closed pipe): the machine's state, not a bug in impact.
            if exc.filename is None:  # standard output: stop Python retrying at exit
                _silence_stdout()
            if not isinstance(exc, BrokenPipeError):  # ``| head`` closing early is no error to show
                where = display_path(exc.filename) if exc.filename else "the output"
                click.echo(f"Error: cannot read or write {where}: {exc.strerror or exc}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except Exception as exc:
            if (ctx.obj or {}).get("debug"):
                raise
            click.echo(
                f"Error: internal error in impact ({type(exc).__name__}: {exc}). "
                "This is a bug: please report it with the command you ran; --debug shows the traceback.",
                err=True,
            )
            ctx.exit(EXIT_BUG)
        ctx.exit(code if isinstance(code, int) else EXIT_OK)


def _silence_stdout() -> None:
    """Point standard output at the null device so nothing is retried at exit."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@click.group(cls=ImpactGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="impact")
@click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors.")
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="IMPACT_NO_CACHE",
    help="Read every catalog file again and keep nothing (also IMPACT_NO_CACHE=1). "
    "The cache is in IMPACT_CACHE_DIR, else $XDG_CACHE_HOME/impact or ~/.cache/impact.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, no_cache: bool) -> None:
    """Tell what a change to the revenue stack will break, before it ships.

    impact reads a catalog (YAML files that declare teams, tools and their
    assets, dependencies and regression tests) and answers, for a change
    request: which downstream assets it reaches and why, which teams to
    consult or inform, and which tests to run.

    Which setting wins, for every command: an option on the command line,
    then a key in a file (a change file's 'catalog:'), then the environment
    (IMPACT_CATALOG), then what impact finds (a folder named 'catalog').

    \b
    Exit codes, for every command:
      0    done (the answer does not block)
      1    a blocking answer (check, check-changes, validate --strict, ...)
      2    bad input or usage, a file that cannot be read or written,
           another import writing the same file
      3    a bug in impact (--debug shows the traceback)
      130  interrupted (Ctrl-C, SIGINT); 143 terminated (SIGTERM);
           no file is left half-written either way

    \b
    Example:
        impact check catalogs/example/changes/CR-101-products-to-solutions.yaml
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    from impact.store import cache

    cache.set_enabled(False if no_cache else None)  # None: IMPACT_NO_CACHE decides, as before


def emit(text: str, output: str | None, protected: list[Path] | None = None) -> None:
    """Print, or write a file atomically (never over an input or into a catalog)."""
    from impact.core import progress

    progress.clear()
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from impact.store.fsio import atomic_write, guard_output

    target = Path(output)
    guard_output(target, protected or [])
    atomic_write(target, text)
    click.echo(f"Wrote {output}", err=True)


def _stdout() -> BinaryIO:
    """Standard output as bytes (a test's stand-in stdout included)."""
    sys.stdout.flush()  # anything printed before goes first
    return sys.stdout.buffer


def emit_stream(writer: Callable[[Callable[[bytes], object]], None], output: str | None, protected: list[Path]) -> None:
    """:func:`emit` for output written piece by piece (``writer(write)``)."""
    from impact.core import progress

    if output is None or output == "-":
        stream = _stdout()
        progress.clear()
        # On a terminal the answer itself shows the progress: no line of ours in between.
        with progress.reporting(None) if sys.stdout.isatty() else contextlib.nullcontext():
            writer(stream.write)
        stream.flush()
        return
    from impact.store.fsio import atomic_write, guard_output

    target = Path(output)
    guard_output(target, protected)
    atomic_write(target, writer)
    progress.clear()
    click.echo(f"Wrote {output}", err=True)


def emit_as(
    command: str, fmt: str, answer: Any, output: str | None, protected: list[Path], style: Any = None
) -> None:
    """Say the format's notes on standard error, then render ``answer`` through ``render/formats.FORMATS`` and
    :func:`emit` it (a stream as it is made)."""
    from impact.render.formats import FORMATS, notes_of, render_as, write_as

    for note in notes_of(command, fmt, answer):
        click.echo(note, err=True)
    if FORMATS[command][fmt].call == "stream":
        emit_stream(lambda write: write_as(command, fmt, answer, write, style), output, protected)
    else:
        emit(render_as(command, fmt, answer, style), output, protected)


@cli.command()
@catalog_folder_options
@answer_format
@click.option("--strict", is_flag=True, help="Treat warnings as problems: exit 1 when there are any.")
@click.option(
    "--show-cycles",
    is_flag=True,
    help="List each automation that reads and writes the same field (a flow setting a field it reads); "
    "by default one line counts them.",
)
@output_file_option
def validate(catalog: str | None, fmt: str, strict: bool, show_cycles: bool, output: str | None) -> int:
    """Check a catalog and report every problem at once.

    Errors (unknown keys, wrong types, dangling references, unknown teams,
    ids defined twice, duplicate YAML keys) are printed as
    'Error: file:line:col: message' and exit 2; a file that cannot be read
    comes first. Warnings (critical assets no test covers, dependency cycles)
    are printed as 'Warning: ...' and exit 0, or 1 with --strict. A flow or
    workflow that reads and writes the same field is normal: one 'Note:' line
    counts them, and --show-cycles lists each one.

    DIR (or --catalog DIR) defaults to IMPACT_CATALOG, then ./catalog.

    \b
    Example:
        impact validate catalogs/example/catalog
    """
    from impact.analysis.validation import validate_catalog
    from impact.render.formats import FORMATS, render_as
    from impact.render.validation import ValidationAnswer

    root = str(catalog_folder(catalog))
    validation = validate_catalog(root, show_cycles=show_cycles)
    errors, warnings = validation.errors, validation.warnings
    rendered = render_as("validate", fmt, ValidationAnswer(root, validation, strict))
    for problem in validation.problems:
        click.echo(f"{problem.severity.capitalize()}: {problem}", err=True)
    if errors and FORMATS["validate"][fmt].prose:  # the verdict goes with the errors, on standard error
        click.echo(rendered, err=True, nl=False)
    elif rendered:
        emit(rendered, output, [Path(root)])
    if errors:
        return EXIT_BAD_INPUT
    return EXIT_BLOCKING if strict and warnings else EXIT_OK


def _stopped(how: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        click.echo(f"{how}: stopped; no file was left half-written.", err=True)


def main() -> None:
    """The console script: run the command, then leave without freeing memory object by object.

    SIGTERM is turned into an exception like Ctrl-C, so that a terminated run
    removes its temporary files as an interrupted one does; both exit with
    the shell's code (130, 143), never 1.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, raise_terminated)
    try:
        cli(prog_name="impact")
        code: Any = EXIT_OK
    except SystemExit as done:
        code = done.code
    except KeyboardInterrupt:  # before or after the command ran
        code = EXIT_INTERRUPTED
    except Terminated:
        code = EXIT_TERMINATED
    _exit(code)


def _exit(code: Any) -> None:
    """Exit like ``sys.exit(code)``, but without tearing down the heap.

    After a check over 100,000 assets, Python spends time freeing the
    catalog one object at a time, after the answer is out; the system takes
    the memory back at once. Measured (a warm ``impact check`` of a change
    reaching 1,987 of 100,000 assets, alternating with click's own exit on a
    shared machine): 0.52 s against 0.54 s median, 0.60 s against 0.76 s in
    a second session; the larger the answer, the more it saves. So it stays.
    Exit handlers still run (``atexit._run_exitfuncs``: os._exit would skip
    them) and the output is flushed first, and a failed flush is reported as
    any failed write is.
    """
    import atexit  # only at the very end of a run

    if isinstance(code, str):  # sys.exit("message"), as Python itself would show it
        sys.stderr.write(code + "\n")
        code = 1
    elif code is None:
        code = EXIT_OK
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except OSError as exc:
        if not isinstance(exc, BrokenPipeError):
            sys.stderr.write(f"Error: cannot read or write the output: {exc.strerror or exc}\n")
            code = EXIT_BAD_INPUT
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code if isinstance(code, int) else EXIT_BUG)
