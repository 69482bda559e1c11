"""The README's excerpts of command output, made from what the commands print today.

Each excerpt in README.md sits between cog markers that name the command
and the lines to show::

    <!-- [[[cog excerpt("impact release check 2026-11-quick --changes ...", ("^Release", 2)) ]]] -->
    ```text
    ...
    ```
    <!-- [[[end]]] -->

A pick is a regular expression and how many lines to show from the first
line after the previous pick that matches it; lines left out between picks
(and after the last) are one ``...`` line. ``tests/test_readme_output.py``
fails when an excerpt differs from what the command prints; regenerate them
all with::

    cog -r -I . README.md
"""

from __future__ import annotations

import re
import shlex

from click.testing import CliRunner

from impact.cli.main import cli


def output(command: str) -> str:
    """What ``command`` (``impact ...``) prints on its standard output, as into a pipe."""
    args = shlex.split(command)
    assert args[0] == "impact", command
    result = CliRunner().invoke(cli, args[1:], env={"NO_COLOR": "1"})
    assert result.exit_code in (0, 1), f"{command}: exit {result.exit_code}\n{result.stderr}"
    return result.stdout


def _gap(line: str) -> str:
    """The '...' line standing for lines left out, indented like the line after it (at most 2 spaces)."""
    return " " * min(len(line) - len(line.lstrip(" ")), 2) + "..."


def pick_lines(text: str, picks: tuple[tuple[str, int] | str, ...]) -> list[str]:
    """The lines of ``text`` that ``picks`` choose, with '...' where lines are left out.

    >>> pick_lines("a\\nb\\nc\\nd\\ne\\n", (("^a", 2), "^d"))
    ['a', 'b', '...', 'd', '...']
    """
    lines = text.splitlines()
    shown: list[str] = []
    at = 0
    for pick in picks:
        pattern, count = (pick, 1) if isinstance(pick, str) else pick
        start = next((i for i in range(at, len(lines)) if re.search(pattern, lines[i])), None)
        assert start is not None, f"no line matches {pattern!r} after line {at}"
        if start > at:
            shown.append(_gap(lines[start]))
        shown += lines[start : start + count]
        at = start + count
    if at < len(lines):
        shown.append(_gap(lines[at]))
    return shown


def excerpt(command: str, *picks: tuple[str, int] | str) -> None:
    """Write (inside cog) the fenced excerpt of ``command``'s output."""
    import cog  # the module exists only while cog runs this

    cog.outl("```text")
    for line in pick_lines(output(command), picks):
        cog.outl(line.rstrip())
    cog.outl("```")
