"""``impact site`` in a real headless Chromium (Debian's package, driven by Playwright), from file://.

What a person does (search, an asset's page, a team's page, a deep link) at
390 px and 1,280 px, with no console error, no request outside the site's
folder and no sideways scroll; and the page's answers checked against the
CLI's own (``impact check`` and ``impact trace`` JSON) for several assets of
the example catalog and of a generated one. Set ``IMPACT_SCREENSHOTS=DIR`` to
keep the screenshots. Skips loudly without a browser (fails under CI=true).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import EXAMPLE, ROOT
from tests.helpers import run_cli
from tests.test_report_browser import CHROMIUM_ARGS, _chromium

EVIL = "<script>alert(1)</script>"
EVIL_CATALOG = f"""\
teams:
  web: {{name: "Web <img src=x onerror=alert(2)>", email: web@example.com}}
  ops: {{name: Ops}}
systems:
  website:
    name: "Site </script><script>alert(3)</script>"
    owner: web
    assets:
      "{EVIL}": {{type: folder, description: "Right-to-left \\u202e override"}}
      form/demo: {{type: form, depends_on: ["website:{EVIL}"]}}
  crm:
    name: CRM
    owner: ops
    assets:
      field/x: {{type: field, description: "<b>bold?</b>", depends_on: [website:form/demo]}}
      "100% café/Ü?x=1#y": {{type: report, depends_on: [crm:field/x]}}
"""


def build(catalog: Path, out: Path, *extra: str) -> Path:
    code, _, err = run_cli("site", "--catalog", str(catalog), *extra, "-o", str(out))
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(EXAMPLE / "catalog", tmp_path_factory.mktemp("example") / "site")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 600-asset synthetic catalog (benchmarks/generate.py) and its site."""
    root = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(root / "catalog"), "--assets", "600", "--tools", "9"],
        check=True,
        capture_output=True,
    )
    return root / "catalog", build(root / "catalog", root / "site")


class Page:
    """A page with every console message, error, request and dialog recorded."""

    def __init__(self, browser: Any, site: Path, width: int) -> None:
        self.site = site
        self.width = width
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.problems.append("dialog: " + d.message), d.dismiss()))

    def open(self, fragment: str = "") -> Any:
        self.page.goto((self.site / "index.html").resolve().as_uri() + fragment)
        self.page.wait_for_selector("body[data-ready]")
        return self.page

    def check(self, shot: str | None = None) -> None:
        """No error, nothing asked outside the site's folder, no sideways scroll; keep a screenshot."""
        page = self.page
        assert self.problems == []
        base = self.site.resolve().as_uri() + "/"
        assert all(url.startswith(base) for url in self.requests), self.requests
        assert page.evaluate("document.documentElement.scrollWidth") <= self.width, shot
        folder = os.environ.get("IMPACT_SCREENSHOTS")
        if shot and folder:
            page.screenshot(path=str(Path(folder) / f"site-{shot}-{self.width}.png"))


@pytest.mark.parametrize("width", [390, 1280])
def test_a_person_finds_what_breaks_and_whom_to_ask(browser: Any, example_site: Path, width: int) -> None:
    view = Page(browser, example_site, width)
    page = view.open()
    assert page.locator("h1").inner_text() == "What breaks if it changes, and whom to ask"
    view.check("home")

    # Search: results as they type, across ids, names, types, owners, tools and descriptions.
    page.locator("#q").press_sequentially("products")
    page.wait_for_selector('#results[data-query="products"]')
    hits = page.locator("#results a.hit").evaluate_all("els => els.map(e => e.dataset.asset)")
    assert hits[0] == "website:/products/" and len(hits) > 3
    page.locator("#q").fill("Revenue Operations")  # an owner team's name
    page.wait_for_selector('#results[data-query="Revenue Operations"]')
    assert page.locator("#results a.hit").count() > 0
    page.locator("#q").fill("sales region")  # a display name
    page.wait_for_selector('#results[data-query="sales region"]')
    first = page.locator("#results a.hit").first
    assert first.get_attribute("data-asset") == "marketo:field/Region__c"
    assert first.locator(".name").inner_text() == "Sales Region"
    page.locator("#q").fill("products")
    page.wait_for_selector('#results[data-query="products"]')
    view.check("search")

    # Enter opens the first answer: what the folder reaches, and whom to ask.
    page.locator("#q").press("Enter")
    page.wait_for_selector('main[data-asset="website:/products/"]')
    assert page.evaluate("location.hash") == "#asset=" + quote("website:/products/", safe="")
    assert page.locator("#results").count() == 0
    groups = page.locator("#downstream .group").evaluate_all("els => els.map(e => e.dataset.toolDistance)")
    assert groups == sorted(groups) and groups[0] in ("0", "1")
    ask = page.locator("#ask").inner_text()
    assert "Web Team" in ask and "responsible" in ask and "web@example.com" in ask
    assert page.locator("#picture svg a[data-asset]").count() > 1
    view.check("asset")
    page.locator("#about a.type").click()  # the type searches for its kind
    page.wait_for_selector('#results[data-query="folder"]')
    assert page.locator('#results a.hit[data-asset="website:/products/"]').count() == 1
    page.locator('#results a.hit[data-asset="website:/products/"]').click()
    page.wait_for_selector('main[data-asset="website:/products/"]')
    assert page.locator("#results").count() == 0

    # Walk: owner link to the team's page.
    page.locator('#about a.team[data-team="web"]').click()
    page.wait_for_selector('main[data-team="web"]')
    assert page.locator("h1").inner_text() == "Web Team"
    assert page.locator('#owns a[data-asset="website:/products/"]').count() == 1
    view.check("team")

    for fragment, marker in [("#tool=marketo", 'main[data-tool="marketo"]'), ("#coverage", "#untested"), ("#change=CR-105", 'main[data-change="CR-105"]')]:
        page.evaluate(f"location.hash = {json.dumps(fragment)}")
        page.wait_for_selector(marker)
        if fragment == "#tool=marketo":  # the tools it is fed by and feeds, as links
            assert page.locator("#links a.tool").count() >= 2
        if fragment == "#coverage":  # the same untested assets as impact coverage, critical first
            covered = _cli_json("coverage", "--catalog", str(EXAMPLE / "catalog"))["overall"]["assets"]
            shown = page.locator("#untested li.untested").evaluate_all("els => els.map(e => e.dataset.asset)")
            assert sorted(shown) == covered["untested"]
            assert f"{covered['percent']}%" in page.locator("#overall").inner_text()
        view.check(fragment.strip("#").split("=")[0])

    # A deep link straight to an asset, as pasted in a chat message.
    page = view.open("#asset=" + quote("salesforce:queue/EMEA_Inbound", safe=""))
    page.wait_for_selector('main[data-asset="salesforce:queue/EMEA_Inbound"]')
    assert page.locator('#changes li[data-change="CR-105"]').count() == 1
    assert page.locator("#tests li.test").count() >= 1
    view.check("deep-link")


def _cli_json(*args: str) -> Any:
    code, out, err = run_cli(*args, "--format", "json")
    assert code in (0, 1), err
    return json.loads(out)


def _compare(browser: Any, catalog: Path, site: Path, assets: list[str], tmp_path: Path, changes: Path | None) -> None:
    view = Page(browser, site, 1280)
    page = view.open()
    answer = "(args) => impactSite.answer[args[0]](args[1])"
    (tmp_path / "changes").mkdir(exist_ok=True)
    for i, asset in enumerate(assets):
        change = tmp_path / "changes" / f"cr-{i}.yaml"
        change.write_text(
            f"id: CR-{i}\ntitle: t\ncatalog: {json.dumps(str(catalog.resolve()))}\nchanges:\n  - {{target: {json.dumps(asset)}, action: modify}}\n",
            encoding="utf-8",
        )
        checked = _cli_json("check", str(change))
        expected = [[r["asset"], r["tool_distance"], r["steps"], r["path"]] for r in checked["impacted"]]
        assert page.evaluate(answer, ["downstream", asset]) == expected, asset
        people = [[s["team"], s["roles"], [[r["role"], r["asset"], r["reason"]] for r in s["reasons"]]] for s in checked["stakeholders"]]
        assert page.evaluate(answer, ["stakeholders", asset]) == people, asset
        traced = _cli_json("trace", asset, "--catalog", str(catalog), *(["--changes", str(changes)] if changes else []))
        assert page.evaluate(answer, ["upstream", asset]) == [[r["asset"], r["tool_distance"], r["steps"], r["path"]] for r in traced["upstream"]], asset
        # trace leaves drafts out and keeps released ones; the site shows what is not released yet.
        drafts = {c["id"] for c in _meta(site)["changes"] if c["status"] == "draft"}
        shown = [c for c in page.evaluate(answer, ["changes", asset]) if c[0] not in drafts]
        assert shown == [[c["id"], c["tool_distance"], c["path"], c["action"]] for c in traced["changes"] if c["status"] != "released"], asset
    # The asset's page lists what the CLI lists, in the same order (the first rows of each group).
    asset = assets[0]
    page = view.open("#asset=" + quote(asset, safe=""))
    rows = page.locator("#downstream li.reach").evaluate_all("els => els.map(e => [e.dataset.asset, +e.dataset.toolDistance])")
    expected_rows = [[a, d] for a, d, _, _ in page.evaluate(answer, ["downstream", asset])]
    shown_rows = [r for r in expected_rows if r in rows]
    assert rows == shown_rows and len(rows) >= min(len(expected_rows), 50)
    view.check()


def _meta(site: Path) -> Any:
    from tests.test_site import read_payload

    return read_payload(site / "data" / "meta.js")[1]


def test_page_answers_equal_the_cli_on_the_example(browser: Any, example_site: Path, tmp_path: Path) -> None:
    assets = ["website:/products/", "salesforce:queue/EMEA_Inbound", "marketo:field/Division__c", "leandata:rule/emea-round-robin", "gtm:tag/Marketo Munchkin", "tableau:datasource/revops-leads", "marketo:smart-list/Product Page Visitors - 90d"]  # the last two: uses cut their upstream
    _compare(browser, EXAMPLE / "catalog", example_site, assets, tmp_path, EXAMPLE / "changes")


def test_page_answers_equal_the_cli_on_a_generated_catalog(browser: Any, generated: tuple[Path, Path], tmp_path: Path) -> None:
    catalog, site = generated
    meta = _meta(site)
    ids = [i for s in meta["shards"] for i in _shard_ids(site / s["file"])]
    picks = ids[:: max(1, len(ids) // 12)][:12]
    changed = [x["id"] for c in meta["changes"] for x in c["changed"]]
    _compare(browser, catalog, site, [*changed[:2], *picks], tmp_path, catalog.parent / "changes")


def _shard_ids(path: Path) -> list[str]:
    from tests.test_site import read_payload

    ids: list[str] = read_payload(path)[1]["ids"]
    return ids


def test_catalog_text_stays_text(browser: Any, tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "stack.yaml").write_text(EVIL_CATALOG, encoding="utf-8")
    site = build(tmp_path / "catalog", tmp_path / "site")
    view = Page(browser, site, 390)
    page = view.open()
    page.locator("#q").fill("<script>")
    page.wait_for_selector("#results a.hit")
    assert page.locator("#results a.hit").first.inner_text() == f"website:{EVIL}"
    page.locator("#results a.hit").first.click()
    page.wait_for_selector(f"main[data-asset='website:{EVIL}']")
    assert page.locator("h1").inner_text() == f"website:{EVIL}"
    assert "\\u202e override" in page.locator("#about").inner_text()  # shown as an escape, never applied
    page = view.open("#asset=" + quote("crm:field/x", safe=""))
    assert "<b>bold?</b>" in page.locator("#about").inner_text()
    assert page.locator("main b").evaluate_all("els => els.filter(e => e.textContent === 'bold?').length") == 0
    assert page.locator("img").count() == 0
    odd = "crm:100% café/Ü?x=1#y"  # percent, non-ASCII, '?' and '#' in an id survive a deep link
    page = view.open("#asset=" + quote(odd, safe=""))
    assert page.locator("main").get_attribute("data-asset") == odd
    assert page.locator('#upstream li.reach[data-asset="crm:field/x"]').count() == 1
    view.check()


def test_a_missing_data_file_is_named(browser: Any, tmp_path: Path) -> None:
    import shutil

    site = build(EXAMPLE / "catalog", tmp_path / "site")
    shutil.copytree(site, tmp_path / "copy")
    (tmp_path / "copy" / "data" / "assets-000.js").unlink()
    view = Page(browser, tmp_path / "copy", 1280)
    view.page.goto((tmp_path / "copy" / "index.html").as_uri())
    view.page.wait_for_selector("#status.error")
    assert "data/assets-000.js did not load" in view.page.locator("#status").inner_text()
    assert all("ERR_FILE_NOT_FOUND" in p for p in view.problems)  # the browser's own note of the missing file, nothing else


def test_change_pages_equal_impact_check(browser: Any, tmp_path: Path) -> None:
    """Every example change request, and one that creates an asset: what it reaches and whom to involve."""
    import shutil

    changes = tmp_path / "changes"
    shutil.copytree(EXAMPLE / "changes", changes)
    (changes / "CR-900-new-page.yaml").write_text(
        f"id: CR-900\ntitle: A new page\nstatus: build\ncatalog: {json.dumps(str((EXAMPLE / 'catalog').resolve()))}\n"
        "changes:\n  - {target: website:/products/new-thing/, action: create}\n  - {target: website:/products/, action: modify}\n",
        encoding="utf-8",
    )
    # A value-level change (issue #29): the page shows impact's own answer (left out, carried on), not its search.
    (changes / "CR-901-open-status.yaml").write_text(
        f"id: CR-901\ntitle: Rename the Open status\nstatus: build\ncatalog: {json.dumps(str((EXAMPLE / 'catalog').resolve()))}\n"
        "changes:\n  - {target: marketo:field/leadStatus, action: modify, values: [Open]}\n",
        encoding="utf-8",
    )
    site = build(EXAMPLE / "catalog", tmp_path / "site", "--changes", str(changes))
    view = Page(browser, site, 1280)
    page = view.open()
    in_flight = [c["id"] for c in _meta(site)["changes"]]
    assert "CR-900" in in_flight and len(in_flight) == len(list(changes.glob("*.yaml")))
    for file in sorted(changes.glob("*.yaml")):
        checked = _cli_json("check", str(file), "--catalog", str(EXAMPLE / "catalog"))
        answer = page.evaluate("(id) => impactSite.answer.change(id)", checked["change"]["id"])
        assert answer["impacted"] == [[r["asset"], r["tool_distance"], r["steps"], r["path"]] for r in checked["impacted"]], file.name
        people = [[s["team"], s["roles"], [[r["role"], r["asset"], r["reason"]] for r in s["reasons"]]] for s in checked["stakeholders"]]
        assert answer["stakeholders"] == people, file.name
    page = view.open("#change=CR-900")
    assert page.locator('#ask li[data-team="web"]').count() == 1
    assert "(new)" in page.locator("#changed").inner_text()
    view.check()


@pytest.mark.parametrize("width", [390, 1280])
def test_ids_break_only_after_their_separators(browser: Any, example_site: Path, width: int) -> None:
    """No id is cut inside a word (``EMEA_I|nbound``): each piece up to a '/', ':', '.', '_' or '-' stays on one line."""
    view = Page(browser, example_site, width)
    page = view.open("#asset=" + quote("leandata:rule/emea-round-robin", safe=""))
    page.wait_for_selector(".path a")
    found = page.evaluate(
        """() => {
          const pieces = [];
          for (const a of document.querySelectorAll(".path a, a.asset code")) {
            for (const node of a.childNodes) {
              if (node.nodeType !== Node.TEXT_NODE || node.data.includes(" ")) continue;
              const range = document.createRange();
              range.selectNodeContents(node);
              const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
              pieces.push([node.data, lines.size]);
            }
          }
          return pieces;
        }"""
    )
    view.check("ids")
    assert any(piece == "EMEA_" for piece, _ in found)  # the ids are cut into pieces at their separators
    assert [piece for piece, lines in found if lines > 1] == []
