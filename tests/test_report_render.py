"""``impact report``: the files it writes, escaping, determinism, safety of outputs."""

from __future__ import annotations

import json
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from impact.render.svg import sanitize_svg
from impact.render.templating import environment, safe_url
from tests.helpers import run_cli as run

EVIL = "<script>alert(1)</script>"

CATALOG = """\
teams:
  web: {name: "Web <img src=x onerror=alert(2)>", email: web@example.com, slack: "#web"}
  mops: {name: Marketing Ops, email: mops@example.com}
  sales: {name: "Sales, Ops", email: salesops@example.com}
systems:
  website:
    name: Website
    owner: web
    assets:
      "<script>alert(1)</script>": {type: folder, description: "</script><script>alert(3)</script>"}
      form/demo: {type: form, depends_on: ["website:<script>alert(1)</script>"]}
  marketo:
    name: Marketo
    owner: mops
    assets:
      segmentation/interest:
        type: segmentation
        depends_on:
          - {asset: "website:<script>alert(1)</script>", note: "javascript:alert(4)"}
  salesforce:
    name: Salesforce
    owner: sales
    assets:
      queue/emea: {type: queue, critical: true, depends_on: [marketo:segmentation/interest]}
tests:
  demo-routing:
    name: Demo form reaches the <b>EMEA</b> queue
    covers: [website:form/demo]
    kind: manual
    minutes: 15
"""

CHANGE = """\
id: CR-1
title: "Rename <script>alert(5)</script> folder"
requested_by: web
status: approved
release: R-1
path: quick-hit
catalog: ../catalog
changes:
  - target: "website:<script>alert(1)</script>"
    action: rename
    note: "</script><b>bold</b>"
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "stack.yaml").write_text(CATALOG, encoding="utf-8")
    (tmp_path / "changes").mkdir()
    (tmp_path / "changes" / "cr-1.yaml").write_text(CHANGE, encoding="utf-8")
    return tmp_path


def report(project: Path, out: Path) -> dict[str, bytes]:
    code, _, err = run("report", str(project / "changes" / "cr-1.yaml"), "-o", str(out))
    assert code == 0, err
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


class _Collector(HTMLParser):
    """Every tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def test_writes_every_file(project: Path, tmp_path: Path) -> None:
    files = report(project, tmp_path / "out")
    assert sorted(files) == ["graph.dot", "graph.svg", "impact.json", "release-notes.html", "release-notes.md"]
    data = json.loads(files["impact.json"])
    assert data["report"] == {"kind": "change", "id": "CR-1", "title": "Rename <script>alert(5)</script> folder", "catalog": data["report"]["catalog"], "max_tools": 5}
    assert data["assets"][0]["id"] == f"website:{EVIL}"
    assert data["summary"]["impacted"] == 3
    assert data["verdicts"][0]["verdict"] == "hold"  # critical queue reached: not a quick hit


def test_default_folder_is_reports_id(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    code, _, err = run("report", "changes/cr-1.yaml")
    assert code == 0, err
    assert (project / "reports" / "CR-1" / "release-notes.html").is_file()
    assert "Wrote reports/CR-1/" in err


def test_html_escapes_catalog_text(project: Path, tmp_path: Path) -> None:
    html = report(project, tmp_path / "out")["release-notes.html"].decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    parser = _Collector()
    parser.feed(html)
    # Exactly two scripts: the JSON data block and the page's own script; no data-made tags.
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "impact-data"}, {}]
    assert not [t for t, _ in parser.tags if t in ("img", "iframe", "object")]
    assert "<b>bold</b>" not in html and "&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>EMEA</b>" not in html and "&lt;b&gt;EMEA&lt;/b&gt;" in html
    assert not [(t, a) for t, a in parser.tags if any(k.startswith("on") for k in a)]
    # The JSON block is inert (no '<' at all) and gives back the original strings.
    block = parser.scripts[0]
    assert "<" not in block and ">" not in block
    page = json.loads(block)
    assert page["assets"][0]["id"] == f"website:{EVIL}"
    assert page["assets"][0]["description"] == "</script><script>alert(3)</script>"
    assert "alert" not in parser.scripts[1]


def test_html_asks_nothing_of_the_network(project: Path, tmp_path: Path) -> None:
    html = report(project, tmp_path / "out")["release-notes.html"].decode()
    parser = _Collector()
    parser.feed(html)
    csp = [a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "connect-src" not in csp[0]
    for tag, attrs in parser.tags:
        for name in ("src", "href", "xlink:href", "action", "data", "poster"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
    assert "@import" not in html and "url(" not in html


def test_markdown_escapes_and_has_every_section(project: Path, tmp_path: Path) -> None:
    md = report(project, tmp_path / "out")["release-notes.md"].decode()
    # Inside code spans '<' is shown literally; everywhere else it must be escaped.
    prose = re.sub(r"(`+).*?\1", "", md).replace("<br>", "")  # <br>: the template's own line breaks in cells
    assert f"`website:{EVIL}`" in md
    assert not re.findall(r"(?<!\\)<", prose), "an unescaped < outside code"
    assert "\\<img src=x onerror=alert(2)\\>" in prose
    for heading in ("## Change requests", "## Dependency graph", "## Impacted assets", "## Stakeholders", "## Regression test checklist", "## Untested impacted assets"):
        assert heading in md
    assert "- [ ] Demo form reaches the \\<b\\>EMEA\\</b\\> queue" in md
    assert "![Dependency graph of the changed and impacted assets](graph.svg)" in md
    assert "**Verdict:** BLOCKING · not ready to ship:" in md  # the one verdict (issue #26)


def test_same_input_same_bytes(project: Path, tmp_path: Path) -> None:
    assert report(project, tmp_path / "a") == report(project, tmp_path / "b")


def test_refuses_to_write_into_the_catalog(project: Path) -> None:
    code, _, err = run("report", str(project / "changes" / "cr-1.yaml"), "-o", str(project / "catalog" / "notes"))
    assert code == 2
    assert "refusing to write" in err and "inside the catalog" in err
    assert not (project / "catalog" / "notes").exists()


def test_failure_leaves_earlier_report_untouched(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = report(project, out)
    (project / "tpl").mkdir()
    (project / "tpl" / "report.md.j2").write_text("{{ no_such_variable }}", encoding="utf-8")
    (project / "changes" / "cr-1.yaml").write_text(CHANGE.replace("Rename", "Move"), encoding="utf-8")
    code, _, _ = run("report", str(project / "changes" / "cr-1.yaml"), "-o", str(out), "--templates", str(project / "tpl"))
    assert code != 0
    assert {p.name: p.read_bytes() for p in sorted(out.iterdir())} == before


def test_team_template_override_keeps_autoescape(project: Path, tmp_path: Path) -> None:
    (project / "tpl").mkdir()
    (project / "tpl" / "report.html.j2").write_text("<h1>{{ r.title }}</h1>\n", encoding="utf-8")
    code, _, err = run("report", str(project / "changes" / "cr-1.yaml"), "-o", str(tmp_path / "o"), "--templates", str(project / "tpl"))
    assert code == 0, err
    assert (tmp_path / "o" / "release-notes.html").read_text() == "<h1>Rename &lt;script&gt;alert(5)&lt;/script&gt; folder</h1>\n"


def test_autoescape_is_on_for_the_real_template_names() -> None:
    env = environment()
    for name in ("report.html.j2", "x.htm.j2", "x.svg.j2", "x.xml.j2"):
        assert env.autoescape(name) if callable(env.autoescape) else env.autoescape, name
    assert not env.autoescape("report.md.j2")


def test_usage_errors() -> None:
    code, _, err = run("report")
    assert code == 2 and "give one or more change files, or --release ID --changes DIR" in err
    code, _, err = run("report", "x.yaml", "--release", "R")
    assert code == 2 and "not both" in err


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/a?b=1", True),
        ("http://example.com", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<b>", False),
        ("//example.com", False),
        ("/relative", False),
        ("https://exa mple.com", False),
        ("https:///nohost", False),
    ],
)
def test_safe_url_allows_only_http_and_https(url: str, ok: bool) -> None:
    assert (safe_url(url) == url) is ok


def test_sanitize_svg_removes_anything_active() -> None:
    svg = textwrap.dedent(
        """\
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100pt" height="50pt" viewBox="0 0 100 50" onload="alert(1)">
        <script>alert(2)</script>
        <g class="node" id="n1" onclick="alert(3)"><title>w:a</title>
          <a xlink:href="javascript:alert(4)"><text>w:a</text></a>
          <foreignObject><div>x</div></foreignObject></g>
        <g class="node"><title>w:b</title><image href="https://example.com/x.png"/></g>
        <g class="edge"><title>w:a -&gt; w:b</title><path d="M0,0"/></g>
        </svg>"""
    )
    out = sanitize_svg(svg, ["w:a", "w:b"], untested=["w:b"])
    assert "alert" not in out and "javascript" not in out and "example.com" not in out
    assert "<script" not in out and "foreignObject" not in out and "<image" not in out
    assert 'data-asset="w:a"' in out and 'data-from="w:a" data-to="w:b"' in out
    assert 'class="node untested"' in out and "<text>w:a</text>" in out
    assert 'width="100pt"' not in out


RELEASE_CHANGE = """\
id: CR-2
title: Touch the queue
status: triage
release: R-1
path: minor
catalog: ../catalog
changes:
  - target: salesforce:queue/emea
    action: modify
"""


def test_release_mode(project: Path, tmp_path: Path) -> None:
    (project / "changes" / "cr-2.yaml").write_text(RELEASE_CHANGE, encoding="utf-8")
    out = tmp_path / "rel"
    code, _, err = run("report", "--release", "R-1", "--changes", str(project / "changes"), "-o", str(out))
    assert code == 0, err
    data = json.loads((out / "impact.json").read_text())
    assert data["report"]["kind"] == "release" and data["report"]["id"] == "R-1"
    verdicts = {v["change"]: v for v in data["verdicts"]}
    assert verdicts["CR-2"]["verdict"] == "hold"
    assert any("status is triage" in r for r in verdicts["CR-2"]["reasons"])
    assert [c["kind"] for c in data["conflicts"]] == ["downstream"]
    assert data["conflicts"][0]["message"].startswith("the impact of CR-1 reaches salesforce:queue/emea")
    html = (out / "release-notes.html").read_text()
    # CR-1 is held too: its impact reaches what the unfinished CR-2 changes.
    assert verdicts["CR-1"]["verdict"] == "hold"
    assert 'id="conflicts"' in html and "2 of 2 change requests held back; none ships." in html
    md = (out / "release-notes.md").read_text()
    assert "## Conflicts" in md


def test_release_mode_refuses_to_write_into_changes(project: Path) -> None:
    code, _, err = run("report", "--release", "R-1", "--changes", str(project / "changes"), "-o", str(project / "changes" / "out"))
    assert code == 2 and "refusing to write" in err


def test_unknown_release(project: Path, tmp_path: Path) -> None:
    code, _, err = run("report", "--release", "NOPE", "--changes", str(project / "changes"), "-o", str(tmp_path / "x"))
    assert code == 2 and re.search(r"no change request names release 'NOPE'", err)


def test_report_without_graphviz_still_has_everything_else(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from impact.core.errors import ImpactError
    from impact.render import graphviz

    def broken(dot: str, fmt: str) -> bytes:
        raise ImpactError("Graphviz could not draw the picture as svg: engine missing")

    monkeypatch.setattr(graphviz, "render_picture", broken)
    files = report(project, tmp_path / "out")
    assert "graph.svg" not in files and "graph.dot" in files
    html = files["release-notes.html"].decode()
    assert "The graph is not drawn in this report: Graphviz could not draw the picture as svg: engine missing." in html
    assert 'id="asset-table"' in html


VALUES_CATALOG = """\
teams:
  ops: {name: Ops, email: ops@example.com}
systems:
  salesforce:
    name: Salesforce
    owner: ops
    assets:
      field/Case.Status: {type: field}
      flow/Escalate:
        type: flow
        depends_on: [{asset: salesforce:field/Case.Status, uses: [values], values: [In Progress, Closed]}]
      flow/Count: {type: flow, depends_on: [salesforce:field/Case.Status]}
"""


def test_the_report_says_which_values_a_dependency_tests(tmp_path: Path) -> None:
    # Issue #29: the why-line of the text answer ("tests 'In Progress'") in the HTML page and Markdown too.
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "stack.yaml").write_text(VALUES_CATALOG, encoding="utf-8")
    change = tmp_path / "cr-2.yaml"
    change.write_text(
        "id: CR-2\ntitle: rename a status\ncatalog: catalog\nchanges:\n"
        "  - {target: salesforce:field/Case.Status, action: modify, values: [In Progress]}\n",
        encoding="utf-8",
    )
    code, text, err = run("check", str(change))
    assert code == 0, err
    assert "why: salesforce:field/Case.Status -> salesforce:flow/Escalate (tests 'In Progress')" in text
    out = tmp_path / "out"
    code, _, err = run("report", str(change), "-o", str(out))
    assert code == 0, err
    rows = _asset_rows((out / "release-notes.html").read_text(encoding="utf-8"))
    assert rows["salesforce:flow/Escalate"].endswith("(tests 'In Progress')")
    assert "tests" not in rows["salesforce:flow/Count"]  # it reads the whole field: no values to name
    md = (out / "release-notes.md").read_text(encoding="utf-8")
    assert "`salesforce:flow/Escalate` (tests 'In Progress') |" in md
    data = json.loads((out / "impact.json").read_text(encoding="utf-8"))
    tested = {a["id"]: a.get("path_tests") for a in data["assets"]}
    assert tested["salesforce:flow/Escalate"] == ["In Progress"] and tested["salesforce:flow/Count"] is None


def _asset_rows(html: str) -> dict[str, str]:
    """The assets table as asset id → the text of its "Why" cell, as a reader sees it."""

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: dict[str, str] = {}
            self.asset: str | None = None
            self.cell: str | None = None
            self.in_table = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found = dict(attrs)
            if tag == "table":
                self.in_table = found.get("id") == "asset-table"
            elif tag == "tr" and self.in_table and found.get("data-asset"):
                self.asset = found["data-asset"]
            elif tag == "td" and self.in_table and self.asset and found.get("data-label") == "Why":
                self.cell = ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "td" and self.cell is not None and self.asset:
                self.rows[self.asset] = " ".join(self.cell.split())
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell += data

    parser = Rows()
    parser.feed(html)
    return parser.rows


def test_the_report_says_which_values_a_copy_carries_on(tmp_path: Path) -> None:
    # Issue #29: a field that copies the changed one reads the value whole and passes the changed values on.
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "stack.yaml").write_text(
        "teams:\n  ops: {name: Ops}\nsystems:\n  crm:\n    name: CRM\n    owner: ops\n    assets:\n"
        "      field/status: {type: field}\n"
        "      field/status-copy: {type: field, depends_on: [crm:field/status]}\n"
        "      flow/closed: {type: flow, depends_on: [{asset: crm:field/status, values: [Closed]}]}\n",
        encoding="utf-8",
    )
    change = tmp_path / "cr.yaml"
    change.write_text(
        "id: CR-3\ntitle: t\ncatalog: catalog\nchanges:\n  - {target: crm:field/status, action: modify, values: [New]}\n",
        encoding="utf-8",
    )
    code, text, err = run("check", str(change))
    assert code == 0, err
    assert "crm:field/status -> crm:field/status-copy (carries 'New' on)" in text
    out = tmp_path / "out"
    code, _, err = run("report", str(change), "-o", str(out))
    assert code == 0, err
    rows = _asset_rows((out / "release-notes.html").read_text(encoding="utf-8"))
    assert rows["crm:field/status-copy"].endswith("(carries 'New' on)") and "crm:flow/closed" not in rows
    assert "`crm:field/status-copy` (carries 'New' on) |" in (out / "release-notes.md").read_text(encoding="utf-8")
