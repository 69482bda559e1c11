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
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from impact import __version__
from impact.cli.options import (
    catalog_option,
    format_option,
    max_tools_option,
    output_option,
)
from impact.core.errors import ImpactError, display_path
from impact.load.change import catalog_folder

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_OK, EXIT_BLOCKING, EXIT_BAD_INPUT, EXIT_BUG = 0, 1, 2, 3


LAZY_COMMANDS = {
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
    "schema": "schema",
    "site": "site",
    "stakeholders": "release",
    "trace": "trace",
}
"""Commands defined in their own modules (``impact.cli.<module>``), imported only when used.

Each module registers its commands with ``@cli.command()`` when imported; a
check in a pre-commit hook then does not pay for importing every command.
"""


class ImpactGroup(click.Group):
    """Loads commands on first use; turns :class:`ImpactError` into clean ``Error:`` lines and exit code 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            importlib.import_module(f"impact.cli.{LAZY_COMMANDS[cmd_name]}")
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; the exit code it returns becomes the process's status."""
        try:
            code = super().invoke(ctx)
        except ImpactError as exc:
            if (ctx.obj or {}).get("debug"):  # for developers: where in impact it was raised
                click.echo("".join(traceback.format_exception(exc)).rstrip(), err=True)
            for problem in exc.problems:
                click.echo(f"Error: {problem}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
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

    Example:

        impact check catalogs/example/changes/CR-101-products-to-solutions.yaml
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    from impact.store import cache

    cache.set_enabled(False if no_cache else None)  # None: IMPACT_NO_CACHE decides, as before


def emit(text: str, output: str | None, protected: list[Path] | None = None) -> None:
    """Print, or write a file atomically (never over an input or into a catalog)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from impact.store.fsio import atomic_write, guard_output

    target = Path(output)
    guard_output(target, protected or [])
    atomic_write(target, text)
    click.echo(f"Wrote {output}", err=True)


@cli.command()
@click.argument("change_file", metavar="CHANGE.yaml", type=click.Path(dir_okay=False))
@catalog_option
@max_tools_option
@format_option("text", "json", "markdown")
@click.option("--all", "show_all", is_flag=True, help="List every impacted asset; by default a tool's long low-risk tail is folded.")
@output_option
def check(change_file: str, catalog: str | None, max_tools: int, fmt: str, show_all: bool, output: str | None) -> int:
    """What a change reaches, who to involve, which tests to run.

    Opens with what to do: blocking or not and why, the teams that must sign
    off, the tests to run (manual and automated apart) and the critical
    assets no test covers. Then every downstream asset up to --max-tools
    tools away, high risk first, each with the path that explains why (a
    tool's long low-risk tail is folded unless --all); the teams to involve,
    each with its one strongest role and the reason; the regression tests;
    and the changed or impacted assets that no test covers.

    Exits 1 when the change declares a release path lighter than it needs.

    Example:

        impact check catalogs/example/changes/CR-101-products-to-solutions.yaml --format markdown
    """
    from impact.analysis.workspace import run_check

    result, catalog_path = run_check(Path(change_file), catalog, max_tools)
    # Import only the renderer asked for: Jinja2 (markdown) alone takes ~0.1 s to import.
    if fmt == "json":
        from impact.render import jsonout

        rendered = jsonout.dumps(jsonout.check_dict(result))
    elif fmt == "markdown":
        from impact.render import markdown

        rendered = markdown.render_check(result, show_all=show_all)
    else:
        from impact.render import text

        rendered = text.render_check(result, show_all=show_all)
    emit(rendered, output, [Path(change_file), catalog_path])
    return EXIT_BLOCKING if result.blocking else EXIT_OK


@cli.command()
@click.argument("directory", metavar="[DIR]", required=False)
@format_option("text", "json")
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings.")
def validate(directory: str | None, fmt: str, strict: bool) -> int:
    """Check a catalog and report every problem at once.

    Errors (unknown keys, wrong types, dangling references, unknown teams,
    ids defined twice, duplicate YAML keys) are printed as
    'Error: file:line:col: message' and exit 2. Warnings (critical assets no
    test covers, dependency cycles) are printed as 'Warning: ...' and exit 0,
    or 1 with --strict.

    DIR defaults to IMPACT_CATALOG, then ./catalog.

    Example:

        impact validate catalogs/example/catalog
    """
    from impact.analysis.validation import validate_catalog
    from impact.render.jsonout import dumps

    root = str(catalog_folder(directory))
    validation = validate_catalog(root)
    if fmt == "json":
        click.echo(
            dumps(
                {
                    "catalog": root,
                    "valid": not validation.errors,
                    "problems": [
                        {"severity": p.severity, "file": p.file, "line": p.line, "col": p.col, "message": p.message}
                        for p in validation.problems
                    ],
                }
            ),
            nl=False,
        )
    for problem in validation.problems:
        click.echo(f"{problem.severity.capitalize()}: {problem}", err=True)
    if validation.errors:
        if fmt == "text":
            click.echo(f"{root}: {len(validation.errors)} error(s), {len(validation.warnings)} warning(s)", err=True)
        return EXIT_BAD_INPUT
    if fmt == "text" and validation.catalog is not None:
        c = validation.catalog
        click.echo(
            f"{root}: OK: {len(c.systems)} tools, {len(c.assets)} assets, {len(c.dependencies)} dependencies, "
            f"{len(c.teams)} teams, {len(c.tests)} tests; {len(validation.warnings)} warning(s)"
        )
    return EXIT_BLOCKING if strict and validation.warnings else EXIT_OK


def main() -> None:
    """The console script: run the command, then leave without freeing memory object by object."""
    try:
        cli(prog_name="impact")
        code: Any = EXIT_OK
    except SystemExit as done:
        code = done.code
    _exit(code)


def _exit(code: Any) -> None:
    """Exit like ``sys.exit(code)``, but without tearing down the heap.

    After a check over 100,000 assets, Python spends about 0.3 s freeing the
    catalog one object at a time, after the answer is out; the system takes
    the memory back at once. Exit handlers still run and the output is
    flushed first, and a failed flush is reported as any failed write is.
    """
    import atexit

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
