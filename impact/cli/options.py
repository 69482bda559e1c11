"""Options shared by several commands, declared once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from impact.core.distance import DEFAULT_MAX_TOOLS

F = TypeVar("F", bound=Callable[..., Any])


def catalog_option(func: F) -> F:
    return click.option(
        "--catalog",
        "catalog",
        metavar="DIR",
        envvar="IMPACT_CATALOG",
        help="Catalog folder. Default: the change file's 'catalog:' key, then this option or "
        "IMPACT_CATALOG, then a folder named 'catalog' beside or above the change file's folder.",
    )(func)


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
    def decorator(func: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(choices),
            default=default,
            show_default=True,
            help="Output format.",
        )(func)

    return decorator


def output_option(func: F) -> F:
    return click.option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write to FILE (atomically) instead of standard output.",
    )(func)
