"""The table of output formats (``render/formats.FORMATS``) is the one place the command line renders through."""

from __future__ import annotations

import ast
from pathlib import Path

import click

from impact.cli.main import cli
from impact.render.formats import FORMATS, _renderer, formats_of, notes_of, render_as, write_as

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "check": ("check",),
    "check several": ("check",),
    "conflicts": ("conflicts",),
    "stakeholders": ("stakeholders",),
    "coverage": ("coverage",),
    "trace": ("trace",),
    "diff": ("diff",),
    "release check": ("release", "check"),
    "validate": ("validate",),
    "notify": ("notify",),
}
"""Each entry of the table, and the command (with its subcommand) that offers its formats."""


def _format_choices(path: tuple[str, ...]) -> set[str]:
    ctx = click.Context(cli)
    command: click.Command | None = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.get_command(ctx, name)
    assert command is not None
    option = next(p for p in command.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    return set(option.type.choices)


def test_every_entry_names_a_renderer_that_exists() -> None:
    assert set(FORMATS) == set(COMMANDS)
    for command, formats in FORMATS.items():
        for fmt, entry in formats.items():
            assert callable(_renderer(entry.function)), (command, fmt)
            if entry.notes:
                assert callable(_renderer(entry.notes)), (command, fmt)


def test_each_command_offers_the_formats_of_its_entry() -> None:
    for command, path in COMMANDS.items():
        assert _format_choices(path) == set(formats_of(command)), command


def _format_branches(source: str) -> list[int]:
    """Lines comparing a format variable with a format's name (``fmt == "json"``, ``fmt in ("png", "pdf")``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        named = any(isinstance(s, ast.Name) and s.id in ("fmt", "output_format", "picture_format") for s in sides)
        literal = any(
            (isinstance(s, ast.Constant) and isinstance(s.value, str))
            or (isinstance(s, ast.Tuple | ast.List | ast.Set) and all(isinstance(e, ast.Constant) for e in s.elts))
            for s in sides
        )
        if named and literal:
            found.append(node.lineno)
    return found


def test_no_command_branches_on_a_format_name() -> None:
    branches = {
        path.name: lines
        for path in sorted((ROOT / "impact" / "cli").glob("*.py"))
        if (lines := _format_branches(path.read_text(encoding="utf-8")))
    }
    assert branches == {}
    # The check can fail: a branch on a format's name is found.
    assert _format_branches('if fmt == "json":\n    pass\nif fmt in ("png", "pdf"):\n    pass\n') == [1, 3]


def test_a_streamed_format_gives_the_same_bytes_whole_or_in_pieces() -> None:
    from impact.analysis.workspace import run_check
    from impact.render.check import CheckAnswer

    result, _ = run_check(ROOT / "catalogs/example/changes/CR-101-products-to-solutions.yaml", None, 5)
    for fmt in ("text", "json"):
        pieces: list[bytes] = []
        write_as("check", fmt, CheckAnswer(result), pieces.append)
        assert b"".join(pieces).decode("utf-8") == render_as("check", fmt, CheckAnswer(result))
        assert render_as("check", fmt, CheckAnswer(result)).startswith(("CR-101", "{"))


def test_the_e_mail_list_names_the_teams_it_leaves_out() -> None:
    from impact.analysis.stakeholder_lists import TeamInvolvement
    from impact.core.catalog import Team
    from impact.render.stakeholder_lists import StakeholdersAnswer

    teams = [
        TeamInvolvement(Team("web", "Web", "web@example.com"), ("informed",), ("CR-1",), (), ()),
        TeamInvolvement(Team("bi", "Analytics"), ("informed",), ("CR-1",), (), ()),
    ]
    answer = StakeholdersAnswer(teams, None, ["CR-1"])
    assert render_as("stakeholders", "emails", answer) == "Web <web@example.com>\n"
    assert notes_of("stakeholders", "emails", answer) == [
        "Note: team bi (Analytics) has no usable e-mail address in the catalog; reach it another way"
    ]
    assert notes_of("stakeholders", "csv", answer) == []
