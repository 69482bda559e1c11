"""``impact check`` on a terminal: why-paths wrapped at its width, the verdict coloured; files and pipes untouched.

A fake terminal: ``impact.cli.terminal.on_terminal`` says yes, ``COLUMNS``
gives the width, and click keeps the colours (``color=True``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli
from tests.conftest import EXAMPLE

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CHANGES = EXAMPLE / "changes"


def run(
    *args: str, terminal: bool, monkeypatch: pytest.MonkeyPatch, env: dict[str, str] | None = None
) -> tuple[int, str]:
    monkeypatch.setattr("impact.cli.terminal.on_terminal", lambda: terminal)
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "60", "NO_COLOR": "", **(env or {})}, color=True)
    return result.exit_code, result.stdout


@pytest.mark.parametrize(
    ("change", "code", "colour"),
    [
        ("CR-101-products-to-solutions", 0, "33"),
        ("CR-106-funnel-first-touch-channel", 1, "31"),
        ("CR-107-resources-benchmark-report", 0, "32"),
    ],
)
def test_the_verdict_is_coloured_by_what_it_says(
    change: str, code: int, colour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    got, out = run("check", str(CHANGES / f"{change}.yaml"), terminal=True, monkeypatch=monkeypatch)
    assert got == code
    verdict = next(line for line in out.splitlines() if "blocking" in line.lower())
    assert re.match(rf"\x1b\[{colour}m", verdict), (
        verdict
    )  # yellow: held (status before approved), red: blocking, green: ships
    assert ANSI.sub("", verdict).startswith("BLOCKING" if code == 1 else "Not blocking")


def test_why_paths_wrap_at_the_terminal_width_and_say_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    change = str(CHANGES / "CR-105-retire-emea-round-robin.yaml")
    _, piped = run("check", change, terminal=False, monkeypatch=monkeypatch)
    _, shown = run("check", change, terminal=True, monkeypatch=monkeypatch)
    assert "\x1b[" not in piped and "\x1b[" in shown
    piped_whys = [line.split("why: ", 1)[1] for line in piped.splitlines() if "why: " in line]
    assert any(len(line) > 60 for line in piped.splitlines() if "why: " in line)  # there was something to wrap
    wrapped: list[str] = []
    current = False
    for line in ANSI.sub("", shown).splitlines():
        if "why: " in line:
            wrapped.append(line.split("why: ", 1)[1])
            current = True
        elif current and line.startswith(" " * 13) and not line.startswith(" " * 14):
            wrapped[-1] += " " + line.strip()
        else:
            current = False
            continue
        assert len(line) <= 60, line
    assert wrapped == piped_whys  # cut between steps only: every id whole, nothing lost


def test_no_colour_and_no_wrap_into_a_file_or_with_no_color(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    change = str(CHANGES / "CR-105-retire-emea-round-robin.yaml")
    _, piped = run("check", change, terminal=False, monkeypatch=monkeypatch)
    run("check", change, "-o", str(tmp_path / "answer.txt"), terminal=True, monkeypatch=monkeypatch)
    assert (tmp_path / "answer.txt").read_text(encoding="utf-8") == piped
    _, no_color = run("check", change, terminal=True, monkeypatch=monkeypatch, env={"NO_COLOR": "1"})
    assert "\x1b[" not in no_color and max(len(line) for line in no_color.splitlines() if "why:" in line) <= 60


def test_all_still_lists_every_asset_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    change = str(CHANGES / "CR-101-products-to-solutions.yaml")
    _, folded = run("check", change, terminal=True, monkeypatch=monkeypatch)
    _, every = run("check", change, "--all", terminal=True, monkeypatch=monkeypatch)
    assert "--all lists every asset" in ANSI.sub("", folded)
    assert ANSI.sub("", every).count("why: ") > ANSI.sub("", folded).count("why: ")
