"""``impact import``: start or refresh a catalog from inventories teams already have."""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from impact.cli.main import cli
from impact.cli.options import catalog_folder_options
from impact.core import progress as core_progress
from impact.store.lock import DEFAULT_WAIT

F = TypeVar("F", bound=Callable[..., Any])


def import_options(func: F) -> F:
    func = click.option(
        "--catalog",
        "catalog",
        metavar="DIR",
        help="The catalog folder whose other files define teams and systems. Default: the folder of the output file.",
    )(func)
    func = click.option("--owner", metavar="TEAM", help="Owning team of a new system (and of rows with no owner).")(
        func
    )
    func = wait_option(_without_wait(func))
    return click.option(
        "-o",
        "--output",
        "output",
        metavar="FILE",
        required=True,
        help="The catalog file to create, or to refresh: what it holds is kept, only new things are added.",
    )(func)


def progress(items: Iterable[Path], total: int, label: str) -> Iterable[Path]:
    """Long imports' progress, through the one progress line every command shows on a terminal.

    (:mod:`impact.core.progress`; :func:`impact.cli.terminal.show_progress` draws it.)
    """
    for done, item in enumerate(items, start=1):
        yield item
        core_progress.step(label, done, total)


def parse_links(values: tuple[str, ...]) -> dict[str, str]:
    links: dict[str, str] = {}
    for value in values:
        source, sep, system = value.partition("=")
        if not sep or not source.strip() or not system.strip():
            raise click.BadParameter(f"{value!r}: write SOURCE=SYSTEM, e.g. salesforce=salesforce", param_hint="--link")
        links[source.strip()] = system.strip()
    return links


IMPORTERS = {
    "dbt": "import_analytics",
    "gtm": "import_web",
    "hubspot": "import_marketing",
    "marketo": "import_marketing",
    "salesforce": "import_salesforce",
    "salesforce-deps": "import_salesforce",
    "sitemap": "import_web",
    "tableau": "import_analytics",
}
"""The ``impact import`` commands defined in their own modules (``impact.cli.<module>``), by tool family.

Each is imported when its command is used, as ``main.LAZY_COMMANDS`` does
for the top-level commands; ``csv`` and ``refresh`` are defined here.
"""


class ImportGroup(click.Group):
    """``impact import``: loads each importer's command from its module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *IMPORTERS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in IMPORTERS:
            importlib.import_module(f"impact.cli.{IMPORTERS[cmd_name]}")
        return self.commands.get(cmd_name)


@cli.group("import", cls=ImportGroup)
def import_group() -> None:
    """Start or refresh a catalog from a CSV inventory, a sitemap, Salesforce, dbt, GTM, Marketo, HubSpot or Tableau.

    Each importer writes one catalog file. Importing again into the same file
    only adds what is new and fills empty fields: descriptions, owners,
    critical flags, consulted/informed teams, dependencies, notes and comments
    you wrote by hand are kept. Assets the source no longer lists are kept and
    named. Each import records itself under 'sources:' in the file it writes;
    'impact import refresh' runs them all again.

    \b
    Example:
        impact import sitemap sitemap.xml --system website --owner web -o catalog/website.yaml
    """


_PATH_OPTIONS = {"fields", "workbook", "dbt"}  # options naming a file: kept relative to the catalog file in 'sources:'


def _source_entry(output: Path, source: str) -> dict[str, Any]:
    """This import as a ``sources:`` entry: kind, the export's path relative to the catalog file, the options given."""
    ctx = click.get_current_context()
    base = output.resolve().parent
    args: list[str] = []
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name in ("output", "catalog", "wait") or param.name is None:
            continue
        value = ctx.params.get(param.name)
        if value is None or value == param.default or value == () or value is False:
            continue
        flag = max(param.opts, key=len)
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if param.is_flag:
                args.append(flag)
            else:
                text = str(item)
                if param.name in _PATH_OPTIONS:
                    text = Path(os.path.relpath(Path(text).resolve(), base)).as_posix()
                args.extend([flag, text])
    return {
        "kind": ctx.command.name,
        "path": Path(os.path.relpath(Path(source).resolve(), base)).as_posix(),
        "args": args,
    }


def wait_option(func: F) -> F:
    """``--wait SECONDS``: how long a writer waits for another one writing the same file (see impact.store.lock)."""
    return click.option(
        "--wait",
        "wait",
        type=click.FloatRange(0, 86400),
        default=DEFAULT_WAIT,
        show_default=True,
        metavar="SECONDS",
        help="When another import is writing the same file, wait this long for it, then give up (exit 2).",
    )(func)


def _without_wait(func: F) -> F:
    """The command without the ``wait`` parameter: ``finish_import`` reads it from the context."""

    @functools.wraps(func)
    def wrapper(*args: Any, wait: float, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def finish_import(output: str, imported: Any, catalog: str | None, source: str) -> None:
    from impact.importers.merge import merge_into_file
    from impact.store.lock import writing

    entry = _source_entry(Path(output), source)
    wait = click.get_current_context().params.get("wait", DEFAULT_WAIT)
    with writing(Path(output), wait):  # read, merge and replace the file as one writer
        report = merge_into_file(Path(output), imported, Path(catalog) if catalog else None, [Path(source)], entry)
    for line in [*report.lines(), *getattr(imported, "notes", [])]:
        click.echo(line, err=True)


@import_group.command("csv")
@click.argument("inventory", metavar="INVENTORY.csv", type=click.Path(dir_okay=False))
@click.option(
    "--system",
    "systems",
    metavar="ID",
    multiple=True,
    help="Import only the rows of this system (repeatable): to add rows to the file that already defines it.",
)
@import_options
def import_csv(inventory: str, systems: tuple[str, ...], output: str, owner: str | None, catalog: str | None) -> None:
    """Assets from a spreadsheet export: columns system, key, type, owner, depends_on.

    depends_on lists asset ids (system:key) separated by ';' or line breaks;
    a bare key means an asset of the same system. Optional columns:
    description, system_name. Comma, semicolon and tab separators all work;
    save the sheet as 'CSV UTF-8'. When a system of the sheet is already
    defined in another catalog file (say, an imported salesforce.yaml),
    import its rows into that file with --system salesforce -o that file,
    and the other systems' rows with their own --system.

    \b
    Example:
        impact import csv inventory.csv -o catalog/inventory.yaml
    """
    from impact.importers.readers import read_inventory_csv

    imported = read_inventory_csv(Path(inventory), owner)
    if systems:
        missing = sorted(set(systems) - set(imported.systems))
        if missing:
            from impact.core.errors import ImpactError

            raise ImpactError(
                f"{inventory}: no row of system {', '.join(map(repr, missing))}; systems in it: "
                f"{', '.join(sorted(imported.systems))}"
            )
        imported.systems = {sid: s for sid, s in imported.systems.items() if sid in systems}
    finish_import(output, imported, catalog, inventory)


def known_assets(catalog: str | None, output: str, wanted: bool) -> dict[str, dict[str, str | None]]:
    from impact.importers.existing import catalog_assets

    return catalog_assets(Path(catalog) if catalog else Path(output).parent, Path(output)) if wanted else {}


def fetched(kind: str, folder: str, fetch: Callable[[Path], int]) -> None:
    click.echo(f"Fetching {kind} into {folder} ...", err=True)
    click.echo(f"Fetched {kind} into {folder} ({fetch(Path(folder))} calls)", err=True)


WEBSITE_HELP = "The catalog's website system: a page-view filter depends on the deepest folder its URL pattern names."


@import_group.command("refresh")
@click.option(
    "--allow-path",
    "allow",
    multiple=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Also read exports inside DIR (repeatable). "
    "By default a source must be inside the folder that holds the catalog.",
)
@wait_option
@catalog_folder_options
def import_refresh(catalog: str | None, allow: tuple[str, ...], wait: float) -> None:
    """Run every import listed under 'sources:' in the catalog's files again.

    Each import records itself in the file it writes (kind, path of the
    export relative to that file, options), so when the exports are fresh
    (a new manifest.json, a new retrieve of the org) one command brings the
    catalog up to date. For each source it prints what was added and which
    assets the source no longer lists. A source that cannot be refreshed
    (its export gone, say) leaves its file as it was; the others are still
    refreshed, and every failure is listed at the end (exit code 2).
    DIR (or --catalog DIR) defaults to $IMPACT_CATALOG, else ./catalog.

    \b
    Example:
        impact import refresh catalog
    """
    from impact.core.errors import ImpactError, Problem
    from impact.importers.confine import allowed_roots

    folder = Path(catalog or os.environ.get("IMPACT_CATALOG") or "catalog")
    found = _sources(folder)
    ctx = click.get_current_context()
    group = ctx.parent.command if ctx.parent is not None else None
    # Every source is tried: one that fails (an export gone, a file that no longer
    # parses) is reported with the others at the end, and leaves its catalog file as it was.
    failed: list[Problem] = []
    broken = 0
    roots = allowed_roots(folder, allow)
    seen: dict[Path, int] = {}
    for target, entry in found:
        index = seen[target] = seen.get(target, -1) + 1
        command = group.get_command(ctx, entry["kind"]) if isinstance(group, click.Group) else None
        refused = _refused(command, target, index, entry, roots)
        problems = [refused] if refused is not None else _refresh(ctx, command, target, entry, folder, wait)
        if problems:
            failed.extend(problems)
            broken += 1
    if failed:
        click.echo(
            f"{len(found) - broken} of {len(found)} sources refreshed; {broken} could not be, and their catalog "
            "files were left as they were:",
            err=True,
        )
        raise ImpactError(failed)


def _sources(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every ``sources:`` entry of the catalog's files, with its file; an error when there is none."""
    from impact.core.errors import ImpactError, Problem, display_path
    from impact.importers.existing import catalog_sources

    if not folder.is_dir():
        raise ImpactError(
            Problem(
                display_path(folder),
                0,
                0,
                "no such catalog folder; give the catalog folder whose files have 'sources:'",
            )
        )
    found = catalog_sources(folder)
    if not found:
        raise ImpactError(
            Problem(
                display_path(folder),
                0,
                0,
                "no file of this catalog has 'sources:'; import something with 'impact import ...' first",
            )
        )
    return found


def _refresh(
    ctx: click.Context, command: Any, target: Path, entry: dict[str, Any], folder: Path, wait: float
) -> list[Any]:
    """Run one source's import again into its file; the problems that stopped it (none: it was refreshed)."""
    from impact.core.errors import ImpactError, Problem, display_path

    export = os.path.normpath(target.parent / entry["path"])
    args = [_rebase(arg, prev, target) for prev, arg in zip(["", *entry["args"]], entry["args"])]
    click.echo(f"Refreshing {display_path(target)} from {entry['kind']} {display_path(export)}", err=True)
    try:
        args = [export, *args, "-o", str(target), "--catalog", str(folder), "--wait", str(wait)]
        # A child of this command's context: it inherits the group's settings (-h), as when typed.
        with command.make_context(entry["kind"], args, parent=ctx) as sub:
            command.invoke(sub)
    except ImpactError as exc:
        return list(exc.problems)
    except click.ClickException as exc:  # the export's path refused by its option, say
        said = f"could not refresh from {entry['kind']} {display_path(export)}: {exc.format_message()}"
        return [Problem(display_path(target), 0, 0, said)]
    return []


def _refused(command: click.Command | None, target: Path, index: int, entry: dict[str, Any], roots: list[str]) -> Any:
    """The problem of a ``sources:`` entry that may not run, or None.

    Unknown kind, an ``args:`` value that is not an option of the importer,
    or a path outside ``roots`` (see :mod:`impact.importers.confine`).
    """
    from impact.core.errors import Problem, display_path
    from impact.importers.confine import refused_source

    where = f"sources[{index}]"
    if command is None:
        return Problem(display_path(target), 0, 0, f"{where}: unknown source kind {entry['kind']!r}")
    options = {opt: param for param in command.params if isinstance(param, click.Option) for opt in param.opts}
    paths: dict[str, bool] = {str(entry["path"]): True}
    args = iter(entry["args"])
    for arg in args:
        param = options.get(arg)
        if param is None or param.name in ("output", "catalog", "wait"):
            what = f"{where}: args: {arg!r} is not an option 'impact import {entry['kind']}' takes from 'sources:'"
            return Problem(display_path(target), 0, 0, what)
        if param.is_flag:
            continue
        value = next(args, None)
        if value is None:
            return Problem(display_path(target), 0, 0, f"{where}: args: {arg} needs a value")
        if param.name in _PATH_OPTIONS:
            paths[value] = False
    return refused_source(target, index, entry, paths, roots)


def _rebase(arg: str, option: str, target: Path) -> str:
    """A path option's value, stored relative to the catalog file, made usable from here."""
    if option.lstrip("-") in _PATH_OPTIONS:
        return (target.parent / arg).as_posix()
    return arg
