"""docs/cli.md is the CLI's own help, kept in sync by this test.

After changing a command's options or help, regenerate it with:

    IMPACT_UPDATE_DOCS=1 python -m pytest tests/test_cli_reference.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from impact.cli.main import cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def walk(
    command: click.Command, path: list[str], parent: click.Context | None = None
) -> list[tuple[str, click.Command, click.Context]]:
    settings = {"max_content_width": 100, "terminal_width": 100, **command.context_settings}
    ctx = click.Context(command, parent=parent, info_name=path[-1], **settings)
    found = [(" ".join(path), command, ctx)]
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                found.extend(walk(sub, [*path, name], ctx))
    return found


def reference() -> str:
    parts = [
        "# Command-line reference",
        "",
        "Generated from the commands' own `--help` by `tests/test_cli_reference.py`;",
        "regenerate with `IMPACT_UPDATE_DOCS=1 python -m pytest tests/test_cli_reference.py`.",
        "",
    ]
    for name, command, ctx in walk(cli, ["impact"]):
        parts += [f"## `{name}`", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(parts)


def test_cli_reference_is_in_sync() -> None:
    text = reference()
    if os.environ.get("IMPACT_UPDATE_DOCS"):
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text, "docs/cli.md is stale: see this test's docstring"


def test_every_command_has_an_example_and_short_help() -> None:
    for name, command, ctx in walk(cli, ["impact"]):
        if isinstance(command, click.Group) and name != "impact":
            continue
        assert re.search(r"^\s*Examples?:$", command.help or "", re.M), f"{name} has no Example: in its help"
        assert "-h, --help" in command.get_help(ctx), name


def test_lazy_commands_are_registered_by_their_modules() -> None:
    import importlib

    from impact.cli.main import LAZY_COMMANDS

    for module in set(LAZY_COMMANDS.values()):
        importlib.import_module(f"impact.cli.{module}")
    own = {"check", "validate"}
    assert set(cli.commands) == own | set(LAZY_COMMANDS)
