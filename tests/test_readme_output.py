"""Every excerpt of command output in the README is what the command prints today.

The excerpts are written by cog (``tests/readme_output.py`` says how);
regenerate them all with ``cog -r -I . README.md``. The picture size the
README gives for CR-101 is checked against the picture drawn now.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cogapp import Cog

from tests.conftest import EXAMPLE, ROOT
from tests.helpers import run_cli
from tests.readme_output import pick_lines

README = ROOT / "README.md"


def test_every_output_excerpt_is_generated_by_cog() -> None:
    text = README.read_text(encoding="utf-8")
    fenced = [m.start() for m in re.finditer(r"^```text\n", text, re.M)]
    assert fenced
    for start in fenced:
        before = text[:start].rstrip("\n").rsplit("\n", 1)[-1]
        assert "[[[cog" in before and "excerpt(" in before, (
            f"README.md:{text.count(chr(10), 0, start) + 1}: an output excerpt without cog markers"
        )


def test_output_excerpts_match_what_the_commands_print(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    status = Cog().main(["cog", "--check", "-I", str(ROOT), str(README)])
    assert status == 0, (
        f"README excerpts drifted from the commands' output; regenerate: cog -r -I . README.md\n{capsys.readouterr()}"
    )


def test_a_changed_line_fails_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    drifted = README.read_text(encoding="utf-8").replace("5 change requests: 2 ships", "4 change requests: 1 ships", 1)
    assert drifted != README.read_text(encoding="utf-8")
    (tmp_path / "README.md").write_text(drifted, encoding="utf-8")
    assert Cog().main(["cog", "--check", "-I", str(ROOT), str(tmp_path / "README.md")]) != 0


def test_picks_show_left_out_lines_as_dots() -> None:
    assert pick_lines("a\nb\n  c\n  d\ne\n", ("^a", ("c$", 1), "^e")) == ["a", "  ...", "  c", "...", "e"]
    with pytest.raises(AssertionError, match="no line matches"):
        pick_lines("a\n", ("^z",))


def test_the_cr_101_picture_size_in_the_readme_is_the_one_drawn(tmp_path: Path) -> None:
    out = tmp_path / "cr-101.png"
    code, _, err = run_cli("graph", str(EXAMPLE / "changes" / "CR-101-products-to-solutions.yaml"), "-o", str(out))
    assert code == 0, err
    width, height = (
        int.from_bytes(out.read_bytes()[16:20], "big"),
        int.from_bytes(out.read_bytes()[20:24], "big"),
    )  # the PNG header
    said = re.search(
        r"CR-101,\s+which reaches (\d+) assets, draws ([\d,]+) \u00d7 ([\d,]+) px", README.read_text(encoding="utf-8")
    )
    assert said, "the README no longer gives CR-101's picture size"
    assert (int(said.group(2).replace(",", "")), int(said.group(3).replace(",", ""))) == (width, height), (
        f"write {width:,} \u00d7 {height:,} px"
    )
