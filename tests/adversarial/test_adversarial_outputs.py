"""Output safety (case 12): data from a catalog is shown as text, never run as code.

One hostile catalog (``EVIL`` below in every name, note and title it can
reach) goes through every output: text, JSON, Markdown, CSV, the e-mail list,
DOT, SVG and the HTML report. Each is read back with a real parser.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from .conftest import run, write

EVIL = (
    '=HYPERLINK("http://x","y") <script>alert(1)</script> "><img src=x onerror=alert(2)> </script> | pipe\n'
    "newline \\N \\l node edge graph <b>bold</b> \u202e \u2728 trailing\\"
)
K1 = '=cmd|"/c calc"!A1'
K2 = 'page/"quoted\\'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted string


@pytest.fixture()
def evil(work: Path) -> Path:
    write(
        work,
        "cat/a.yaml",
        "\n".join(
            [
                "teams:",
                f"  web: {{name: {q(EVIL)}, email: {q(chr(43) + 'cmd|' + chr(39) + ' /C calc' + chr(39) + '!A0')}, slack: {q('@evil')}}}",
                f"  mops: {{name: {q('-2+3')}, email: {q(chr(9) + 'TAB')}, slack: {q(chr(13) + 'CR javascript:alert(3)')}}}",
                "systems:",
                "  website:",
                f"    name: {q(EVIL)}",
                "    owner: web",
                "    assets:",
                f"      {q(K1)}: {{type: {q('<script>t</script>')}, description: {q(EVIL)}}}",
                f"      {q(K2)}: {{type: page, depends_on: [{{asset: {q('website:' + K1)}, note: {q(EVIL)}}}]}}",
                "  marketo:",
                "    name: M",
                "    owner: mops",
                "    assets:",
                f"      node: {{type: edge, critical: true, depends_on: [{q('website:' + K2)}]}}",
                f"      {q('javascript:alert(4)')}: {{type: url, depends_on: [marketo:node]}}",
                f"      {q('tick``tock|x')}: {{type: t, depends_on: [marketo:node]}}",
                "tests:",
                f"  t1: {{name: {q(EVIL)}, covers: [marketo:node], run: {q('=1+1')}}}",
                "",
            ]
        ),
    )
    write(
        work,
        "changes/c.yaml",
        f"id: CR-1\ntitle: {q(EVIL)}\nchanges:\n  - {{target: {q('website:' + K1)}, action: modify, note: {q(EVIL)}}}\n",
    )
    return work


def check(fmt: str) -> str:
    result = run("check", "changes/c.yaml", "--catalog", "cat", "--format", fmt)
    assert result.code == 0, result.err
    return result.out


def test_json_round_trips_script_tags_bidi_and_emoji_exactly(evil: Path) -> None:
    data = json.loads(check("json"))
    assert data["change"]["title"] == EVIL
    assert (
        data["changed"][0]["asset"] == f"website:{K1}"
        and data["changed"][0]["note"] == EVIL
    )
    assert data["impacted"][0]["notes"] == [EVIL]


def test_text_output_escapes_bidi_and_control_characters(evil: Path) -> None:
    out = check("text")
    assert "\u202e" not in out and "\\u202e" in out
    assert out.splitlines()[0].startswith(
        "CR-1: =HYPERLINK"
    )  # the newline in the title did not start a line
    assert "\\u000dCR javascript:alert(3)" in out


def test_markdown_tables_keep_their_columns_and_markup_is_inert(evil: Path) -> None:
    out = check("markdown")
    assert "\u202e" not in out
    assert re.findall(r"(?<!\\)<", out) == []  # every '<' escaped: no tag can open
    rows: list[str] = []
    for line in out.splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            cells = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
            assert len(cells) == 1, (
                rows
            )  # every row of a table has the header's columns
            rows = []
    assert "\\<script\\>" in out  # shown as text
    assert (
        "```marketo:tick``tock\\|x```" in out
    )  # a fence longer than the backticks inside


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_cells_cannot_start_a_formula(evil: Path) -> None:
    result = run(
        "stakeholders",
        "changes/c.yaml",
        "--catalog",
        "cat",
        "--format",
        "csv",
        "-o",
        "s.csv",
    )
    assert result.code == 0, result.err
    rows = read_csv(
        (evil / "s.csv").read_bytes().decode("utf-8")
    )  # bytes: keep a CR a CR
    assert rows[0][:4] == ["team", "name", "email", "slack"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    by_team = {row[0]: row for row in rows[1:]}
    assert (
        by_team["web"][1] == "'" + EVIL.replace("\u202e", "\\u202e")
    )  # neutralised with a leading quote, the override shown as \u202e, otherwise intact
    assert by_team["web"][2:4] == ["'+cmd|' /C calc'!A0", "'@evil"]
    assert by_team["mops"][1:4] == ["'-2+3", "'\tTAB", "'\rCR javascript:alert(3)"]
    assert any(
        f"website:{K1}" in cell for cell in by_team["web"]
    )  # mid-cell '=' is data, kept


def test_the_email_list_notes_show_names_escaped(evil: Path) -> None:
    result = run(
        "stakeholders", "changes/c.yaml", "--catalog", "cat", "--format", "emails"
    )
    notes = [line for line in result.err.splitlines() if line.startswith("Note:")]
    assert len(notes) == 2 and all("\u202e" not in n for n in notes)


def svg_texts(svg: bytes) -> tuple[ElementTree.Element, str]:
    root = ElementTree.fromstring(svg)  # well-formed XML, or this raises
    text = "\n".join(
        "".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text")
    )
    return root, text


def assert_inert_svg(root: ElementTree.Element) -> None:
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        assert tag not in ("script", "foreignobject", "iframe", "img"), tag
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            assert not local.startswith("on"), (tag, name)
            if local == "href":
                assert not value.strip().lower().startswith("javascript:"), value


def test_dot_and_svg_show_labels_literally(evil: Path) -> None:
    dot = run("graph", "changes/c.yaml", "--catalog", "cat")
    assert dot.code == 0, dot.err
    assert dot.out.startswith("digraph")
    assert "\u202e" not in dot.out
    result = run("graph", "changes/c.yaml", "--catalog", "cat", "-o", "g.svg")
    assert result.code == 0, result.err
    root, text = svg_texts((evil / "g.svg").read_bytes())
    assert_inert_svg(root)
    flat = " ".join(text.split())
    for literal in (
        "<script>alert(1)</script>",
        '"><img src=x',
        "\\N \\l node edge graph",
        "<b>bold</b>",
        "\\u202e",
        'page/"quoted\\',
        K1,
    ):
        assert literal in flat, literal
    assert "trailing\\" in flat


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.bad: list[object] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.bad.append((tag, name, value))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def test_the_html_report_keeps_every_payload_inert(evil: Path) -> None:
    result = run("report", "changes/c.yaml", "--catalog", "cat", "-o", "rep")
    assert result.code == 0, result.err
    page = _Html()
    page.feed((evil / "rep" / "release-notes.html").read_text(encoding="utf-8"))
    assert page.bad == []
    assert "img" not in page.tags
    # Only the page's own scripts; data sits in a JSON block that '</script>' cannot close.
    data_blocks = [s for s in page.scripts if "alert(1)" in s]
    assert (
        len(data_blocks) == 1
        and "</script>" not in data_blocks[0]
        and "<script>" not in data_blocks[0]
    )
    root, _ = svg_texts((evil / "rep" / "graph.svg").read_bytes())
    assert_inert_svg(root)
    assert json.loads(
        (evil / "rep" / "impact.json").read_text(encoding="utf-8")
    )  # parses
