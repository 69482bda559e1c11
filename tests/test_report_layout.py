"""The release notes as a person sees them: on a phone (390 px) and on a desktop (1,280 px).

Drives Debian's Chromium through Playwright (see test_report_browser.py for
how the browser is found, and why a missing one skips or fails). Every check
reads the laid-out page: sideways scroll, what the first screen shows, where
ids wrap, which columns are empty, and what is folded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from impact.cli.main import cli
from tests.conftest import ROOT
from tests.test_report_browser import CHROMIUM_ARGS, _chromium

WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The committed release notes, and a fresh report of the widest example change (CR-101)."""
    out = tmp_path_factory.mktemp("cr101")
    result = CliRunner().invoke(cli, ["report", str(ROOT / "catalogs/example/changes/CR-101-products-to-solutions.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return {"release": ROOT / "reports/2026-12-minor/release-notes.html", "cr101": out / "release-notes.html"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _open(browser: Any, path: Path, size: tuple[int, int], problems: list[str]) -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(path.resolve().as_uri())
    return page


@pytest.mark.parametrize("which", ["release", "cr101"])
@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_fits_the_screen_and_answers_first(browser: Any, pages: dict[str, Path], which: str, device: str) -> None:
    problems: list[str] = []
    width, height = WIDTHS[device]
    page = _open(browser, pages[which], (width, height), problems)
    try:
        # Never sideways: the document is no wider than the window.
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        assert page.evaluate("innerWidth") == width
        assert scroll_width <= width, f"{which} at {width}px is {scroll_width}px wide"

        # The verdict and the what-to-do block are on the first screen, whole.
        for selector in ("#overall-verdict", "#todo"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["height"] > 0, selector
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{selector} ends at {box['y'] + box['height']:.0f}px"
        todo = page.locator("#todo").inner_text()
        assert "What to do" in todo and "Tests: " in todo and " to run: " in todo and "involve " in todo.lower()

        # An id wraps only between its pieces: no piece is split over two lines.
        split = page.evaluate(
            """() => Array.from(document.querySelectorAll('code.aid > span'))
                 .filter(s => s.offsetParent !== null && s.getClientRects().length > 1).map(s => s.textContent)"""
        )
        assert split == []

        # No empty columns: every column of every shown table has some text.
        empty = page.evaluate(
            """() => {
              const out = [];
              for (const table of document.querySelectorAll('main table')) {
                const heads = Array.from(table.querySelectorAll('thead th')).map(th => th.textContent.trim());
                heads.forEach((head, i) => {
                  const cells = Array.from(table.querySelectorAll('tbody tr')).map(tr => tr.children[i]);
                  if (!cells.some(td => td && td.textContent.trim())) { out.push(table.className + ': ' + head); }
                });
              }
              return out;
            }"""
        )
        assert empty == []
        # The details panel takes no room until an asset is chosen.
        assert not page.locator("#details").is_visible()
    finally:
        page.close()
    assert problems == []


def test_large_change_reads_in_a_few_screens(browser: Any, pages: dict[str, Path]) -> None:
    """CR-101 (71 impacted assets): the long tail is folded and counted, why-paths fold to their tool crossings."""
    problems: list[str] = []
    page = _open(browser, pages["cr101"], WIDTHS["desktop"], problems)
    try:
        height = page.evaluate("document.scrollingElement.scrollHeight")
        assert height <= 8 * WIDTHS["desktop"][1], f"the page is {height}px tall"
        rows = page.locator("#asset-table tbody tr")
        total = rows.count()
        shown = sum(1 for r in rows.all() if r.is_visible())
        assert total == 74 and shown == 20
        more = page.locator("#asset-more").inner_text()
        assert more.startswith(f"{total - shown} more assets not shown: ")
        counted = sum(int(part.strip().split(" ")[0]) for part in more.split(": ", 1)[1].split(".")[0].split(","))
        assert counted == total - shown
        page.click("#show-all")
        assert sum(1 for r in rows.all() if r.is_visible()) == total
        assert not page.locator("#asset-more").is_visible()

        # A why-path shows its tool crossings folded; opening it shows every step.
        row = page.locator('#asset-table tr[data-asset="tableau:dashboard/exec-revenue-weekly"]')
        why = row.locator("details.why")
        summary = why.locator("summary").inner_text()
        steps = why.locator("ol.why-steps > li")
        assert "step" in summary and not steps.first.is_visible()
        shown_ids = why.locator("summary code.aid").count()
        assert 2 <= shown_ids < steps.count()
        why.locator("summary").click()
        assert steps.first.is_visible() and steps.count() >= 5
        # Opening it does not open the details panel over the page.
        assert not page.locator("#details").is_visible()
    finally:
        page.close()
    assert problems == []


def test_details_panel_opens_and_closes_on_a_phone(browser: Any, pages: dict[str, Path]) -> None:
    problems: list[str] = []
    page = _open(browser, pages["release"], WIDTHS["phone"], problems)
    try:
        page.locator("#asset-table tbody tr").first.click()
        panel = page.locator("#details")
        assert panel.is_visible()
        box = panel.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS["phone"][0]
        page.click("#details-close")
        assert not panel.is_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= WIDTHS["phone"][0]
    finally:
        page.close()
    assert problems == []


@pytest.mark.parametrize("which", ["release", "cr101"])
@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_the_graph_opens_readable_with_the_changed_assets_in_view(browser: Any, pages: dict[str, Path], which: str, device: str) -> None:
    problems: list[str] = []
    page = _open(browser, pages[which], WIDTHS[device], problems)
    try:
        found = page.evaluate(
            """() => {
              const box = document.getElementById("graph-box"), svg = box.querySelector("svg");
              const natural = Number(svg.getAttribute("viewBox").split(/[\\s,]+/)[2]);
              const shown = svg.getBoundingClientRect().width;
              const at = box.getBoundingClientRect();
              const inView = Array.from(svg.querySelectorAll("g.node.changed")).filter(n => {
                const r = n.getBoundingClientRect();
                return r.left >= at.left && r.right <= at.right && r.top >= at.top && r.bottom <= at.bottom;
              }).length;
              const pressed = document.querySelector("button[data-zoom][aria-pressed=true]").getAttribute("data-zoom");
              return {natural, shown, inView, pressed, room: box.clientWidth};
            }"""
        )
    finally:
        page.close()
    assert not problems
    assert found["natural"] > found["room"]  # the example graphs are wider than the screen: a zoom had to be chosen
    assert found["pressed"] == "1" and abs(found["shown"] - found["natural"]) < 2  # labels at their own size, not shrunk
    assert found["inView"] >= 1  # and scrolled to what changes
