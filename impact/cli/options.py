"""The command line's one vocabulary: options shared by every command, declared once.

A new command gets the same words as the others by stacking these decorators:

- :func:`catalog_option` (``--catalog DIR``, also ``IMPACT_CATALOG``), or
  :func:`catalog_folder_options` for a command that also takes the folder as
  its argument (``impact validate DIR`` and ``impact validate --catalog DIR``);
- :func:`change_selection`: one or more change files, or ``--release ID
  --changes DIR``, checked the same way everywhere;
- :func:`answer_format` (``text``, ``json``, ``markdown``) or
  :func:`table_format` (the same plus ``csv`` and ``emails``), with the old
  names of a format kept as hidden aliases;
- :func:`output_file_option` (``-o FILE``: always a file) and
  :func:`output_dir_option` (``--output-dir DIR``: always a folder).

Which value wins, for every command and every setting: the command line, then
a key in a file (a change file's ``catalog:``), then the environment
(``IMPACT_CATALOG``), then what impact discovers (a folder named ``catalog``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import click

from impact.core.distance import DEFAULT_MAX_TOOLS

F = TypeVar("F", bound=Callable[..., Any])

CATALOG_HELP = (
    "Catalog folder. Wins over a change file's 'catalog:' key; without it: that key, "
    "then IMPACT_CATALOG, then a folder named 'catalog' beside or above the change files (or ./catalog)."
)

ANSWER_FORMATS = ("text", "json", "markdown")
TABLE_FORMATS = ("text", "csv", "json", "markdown", "emails")
FORMAT_ALIASES = {"table": "text", "md": "markdown"}
"""Older or shorter names still accepted (public contracts are only added to); not shown in help."""


class FormatChoice(click.Choice):  # type: ignore[type-arg]
    """A ``--format`` choice that also accepts hidden aliases, turned into their canonical name."""

    def __init__(self, choices: Sequence[str], aliases: Mapping[str, str] | None = None) -> None:
        super().__init__(list(choices))
        self.aliases = {k: v for k, v in (aliases or FORMAT_ALIASES).items() if v in choices}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.lower() in self.aliases:
            value = self.aliases[value.lower()]
        return super().convert(value, param, ctx)


def catalog_option(func: F) -> F:
    """``--catalog DIR``; IMPACT_CATALOG is read where the catalog is found, after any file key."""
    return click.option("--catalog", "catalog", metavar="DIR", help=CATALOG_HELP)(func)


def catalog_folder_options(func: F) -> F:
    """The catalog as an optional argument ``[DIR]`` or as ``--catalog DIR`` (either; the same folder if both)."""

    @functools.wraps(func)
    def wrapper(*args: Any, catalog_dir: str | None, catalog: str | None, **kwargs: Any) -> Any:
        if catalog_dir and catalog and catalog_dir != catalog:
            raise click.UsageError(f"two catalogs given: {catalog_dir} and --catalog {catalog}; give one")
        return func(*args, catalog=catalog or catalog_dir, **kwargs)

    wrapped = click.argument("catalog_dir", metavar="[DIR]", required=False)(wrapper)
    return click.option(
        "--catalog",
        "catalog",
        metavar="DIR",
        help="Catalog folder (or give it as DIR). Default: IMPACT_CATALOG, then ./catalog.",
    )(wrapped)  # type: ignore[return-value]


def max_tools_option(func: F) -> F:
    return click.option(
        "--max-tools",
        type=click.IntRange(0, 50),
        default=DEFAULT_MAX_TOOLS,
        show_default=True,
        metavar="N",
        help="How far impact is followed, in tools (system-boundary crossings).",
    )(func)


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    """``--format`` with these choices (hidden aliases such as ``table`` for ``text`` accepted too)."""

    def decorator(func: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=FormatChoice(choices),
            default=default,
            show_default=True,
            help="Output format.",
        )(func)

    return decorator


answer_format = format_option(*ANSWER_FORMATS)
"""``--format text|json|markdown``: every command that prints an answer."""

table_format = format_option(*TABLE_FORMATS)
"""``--format text|csv|json|markdown|emails``: an answer that is a table of teams."""


def output_file_option(func: F) -> F:
    """``-o FILE``: always a file, written atomically."""
    return click.option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write to FILE (atomically) instead of standard output.",
    )(func)


def output_dir_option(help_text: str, default: str | None = None) -> Callable[[F], F]:
    """``--output-dir DIR``, a folder; the older ``-o DIR`` / ``--output DIR`` still work (hidden)."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, output_dir: str | None, legacy_output: str | None, **kwargs: Any) -> Any:
            if output_dir and legacy_output and output_dir != legacy_output:
                raise click.UsageError(f"two folders given: --output-dir {output_dir} and -o {legacy_output}; give one")
            return func(*args, output_dir=output_dir or legacy_output or default, **kwargs)

        wrapped = click.option("-o", "--output", "legacy_output", metavar="DIR", hidden=True)(wrapper)
        return click.option(
            "--output-dir",
            "output_dir",
            metavar="DIR",
            help=help_text + (f"  [default: {default}]" if default else ""),
        )(wrapped)  # type: ignore[return-value]

    return decorator


def change_selection(
    *,
    release_help: str = "Every change request of this release (needs --changes DIR).",
    changes_help: str = "Folder of every change file (each *.yaml in it, not recursive), for --release.",
) -> Callable[[F], F]:
    """``CHANGE.yaml...`` (one or more), or ``--release ID --changes DIR``: the same for every command.

    The command receives ``change_files`` (a tuple, maybe empty), ``release_id``
    and ``changes_dir``; :func:`require_selection` checks that exactly one
    of the two ways was used.
    """

    def decorator(func: F) -> F:
        func = click.option(
            "--changes",
            "changes_dir",
            metavar="DIR",
            help=changes_help,
        )(func)
        func = click.option("--release", "release_id", metavar="ID", help=release_help)(func)
        return click.argument("change_files", metavar="[CHANGE.yaml]...", nargs=-1, type=click.Path(dir_okay=False))(
            func
        )

    return decorator


def require_selection(change_files: Sequence[str], release_id: str | None, changes_dir: str | None) -> None:
    """Exactly one of: change files, or --release ID with --changes DIR."""
    if release_id and change_files:
        raise click.UsageError("give change files or --release ID --changes DIR, not both")
    if release_id and not changes_dir:
        raise click.UsageError(
            "--release needs --changes DIR, the folder of every change file (other releases' changes count too)"
        )
    if not release_id and not change_files:
        if changes_dir:
            raise click.UsageError("--changes DIR goes with --release ID; or give the change files themselves")
        raise click.UsageError("give one or more change files, or --release ID --changes DIR")
    if changes_dir and not release_id:
        raise click.UsageError("--changes DIR goes with --release ID; or give the change files themselves")


def releases_option(func: F) -> F:
    return click.option(
        "--releases",
        "releases_dir",
        metavar="DIR",
        help="Folder of release files (<id>.yaml). Default: 'releases' beside the --changes folder.",
    )(func)
