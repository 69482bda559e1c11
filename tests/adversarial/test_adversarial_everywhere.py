"""The same hostile strings through every output of every command (issue #25, item 5).

A catalog, change and release whose every name, title, note and id carries
an HTML tag with an event handler, a Markdown ``javascript:`` link, an ANSI
escape and invisible or reordering characters (U+202E, U+200B, U+2066) are
rendered by each command in each format. Whatever the output kind, each
invisible character is shown as ``\\u202e``-style text, never raw; in
Markdown no tag or link survives; in HTML and SVG no tag survives. JSON is
exact text by contract (escaped by JSON itself), so only its terminal-unsafe
control characters are checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import run, write

TAG = "<img src=x onerror=alert(1)>"
LINK = "[x](javascript:alert(2))"
INVISIBLE = ["\u202e", "\u200b", "\u2066", "\x1b"]
HOSTILE = f"{TAG} {LINK} rtl\u202eevil zero\u200bwidth iso\u2066late \x1b[31mred"


def q(text: str) -> str:
    return json.dumps(text)


@pytest.fixture()
def hostile(work: Path) -> Path:
    write(
        work,
        "cat/a.yaml",
        "\n".join(
            [
                "teams:",
                f"  web: {{name: {q(HOSTILE)}, email: web@example.com}}",
                f"  mops: {{name: {q(HOSTILE)}, email: mops@example.com}}",
                "systems:",
                "  website:",
                f"    name: {q(HOSTILE)}",
                "    owner: web",
                "    assets:",
                f"      {q('page/a' + chr(0x202E) + 'b')}: {{type: page, name: {q(HOSTILE)}, description: {q(HOSTILE)}}}",
                f"      page/c: {{type: page, depends_on: [{{asset: {q('website:page/a' + chr(0x202E) + 'b')}, note: {q(HOSTILE)}}}]}}",
                "  marketo:",
                f"    name: {q(HOSTILE)}",
                "    owner: mops",
                "    assets:",
                "      list/x: {type: list, critical: true, depends_on: [website:page/c]}",
                "tests:",
                f"  t1: {{name: {q(HOSTILE)}, covers: [marketo:list/x], steps: [{q(HOSTILE)}]}}",
                "",
            ]
        ),
    )
    change = (
        f"id: CR-1\ntitle: {q(HOSTILE)}\nrequested_by: web\nrelease: r1\nstatus: approved\n"
        f"changes:\n  - {{target: {q('website:page/a' + chr(0x202E) + 'b')}, action: rename, note: {q(HOSTILE)}}}\n"
    )
    write(work, "changes/c.yaml", change)
    write(work, "releases/r1.yaml", f"id: r1\nname: {q(HOSTILE)}\ndate: '2026-11-12'\nnotes: {q(HOSTILE)}\n")
    return work


TEXT_FORMATS = ("text", "markdown")
COMMANDS = [
    *[("check", ["check", "changes/c.yaml", "--catalog", "cat", "--format", f]) for f in TEXT_FORMATS],
    *[("check-changes", ["check-changes", "changes/c.yaml", "--catalog", "cat", "--format", f]) for f in TEXT_FORMATS],
    *[
        ("trace", ["trace", "marketo:list/x", "--catalog", "cat", "--changes", "changes", "--format", f])
        for f in TEXT_FORMATS
    ],
    *[("conflicts", ["conflicts", "changes/c.yaml", "--catalog", "cat", "--format", f]) for f in TEXT_FORMATS],
    *[
        ("stakeholders", ["stakeholders", "changes/c.yaml", "--catalog", "cat", "--format", f])
        for f in (*TEXT_FORMATS, "csv", "emails")
    ],
    *[
        ("notify", ["notify", "changes/c.yaml", "--catalog", "cat", "--stage", s, "--format", f])
        for f in TEXT_FORMATS
        for s in ("pre-release", "completed")
    ],
    *[
        ("release", ["release", "check", "r1", "--changes", "changes", "--catalog", "cat", "--format", f])
        for f in TEXT_FORMATS
    ],
    *[("coverage", ["coverage", "cat", "--format", f]) for f in (*TEXT_FORMATS, "csv")],
    *[("validate", ["validate", "cat", "--format", f]) for f in TEXT_FORMATS],
    *[("diff", ["diff", "old", "cat", "--format", f]) for f in TEXT_FORMATS],
    ("graph", ["graph", "changes/c.yaml", "--catalog", "cat", "--format", "dot"]),
]


def _no_raw_invisible(where: str, text: str) -> None:
    for ch in INVISIBLE:
        assert ch not in text, f"{where}: raw U+{ord(ch):04X}"


def _markdown_inert(where: str, text: str) -> None:
    text = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)  # code spans are shown as written
    assert not re.search(r"(?<!\\)<img", text), f"{where}: a raw <img> tag"
    assert not re.search(r"(?<!\\)\[x(?<!\\)\]\(javascript:", text), f"{where}: a live javascript: link"


def _html_inert(where: str, text: str) -> None:
    assert "<img src=x" not in text, f"{where}: a raw <img> tag (its event handler would run)"


@pytest.mark.parametrize(
    ("name", "args"),
    COMMANDS,
    ids=[" ".join(a[a.index("--format") + 1 :] if "--format" in a else a[:1]) + f" {n}" for n, a in COMMANDS],
)
def test_every_command_in_every_text_format_shows_hostile_strings_inert(
    hostile: Path, name: str, args: list[str]
) -> None:
    if name == "diff":
        write(hostile, "old/a.yaml", "teams:\n  web: {name: W}\n")
    result = run(*args)
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.err
    where = " ".join(args[:1] + args[-1:])
    _no_raw_invisible(where + " (stdout)", result.out)
    _no_raw_invisible(where + " (stderr)", result.err)
    if "markdown" in args:
        _markdown_inert(where, result.out)
    if args[0] == "graph":
        _html_inert(where, result.out)


def test_notify_markdown_escapes_a_hostile_title_in_the_subject_and_body(hostile: Path) -> None:
    out = run("notify", "changes/c.yaml", "--catalog", "cat", "--stage", "pre-release", "--format", "markdown").out
    subject = next(line for line in out.splitlines() if line.startswith("**Subject:**"))
    assert "\\<img src=x onerror=alert(1)\\>" in subject and "\\[x\\](javascript:alert(2))" in subject
    assert "rtl\\\\u202eevil" in subject  # the backslash of \u202e escaped: Markdown shows \u202e
    _markdown_inert("notify", out)


def test_every_file_of_the_report_and_the_site_is_inert(hostile: Path) -> None:
    assert run("report", "changes/c.yaml", "--catalog", "cat", "-o", "rep").code == 0
    assert run("site", "--catalog", "cat", "--changes", "changes", "-o", "site").code == 0
    files = [*sorted((hostile / "rep").iterdir()), *sorted((hostile / "site").rglob("*.*"))]
    assert any(f.name == "release-notes.html" for f in files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(hostile).as_posix()
        if path.suffix == ".json":
            assert "\x1b" not in text  # JSON is exact text: its escapes are JSON's own
            continue
        _no_raw_invisible(where, text)
        if path.suffix in (".html", ".svg", ".js"):
            _html_inert(where, text)
        if path.suffix == ".md":
            _markdown_inert(where, text)


def test_the_html_report_shows_the_override_as_text(hostile: Path) -> None:
    assert run("report", "changes/c.yaml", "--catalog", "cat", "-o", "rep").code == 0
    page = (hostile / "rep" / "release-notes.html").read_text(encoding="utf-8")
    assert "\u202e" not in page
    assert "rtl\\u202eevil" in page  # shown, as in the terminal and Markdown
