"""End to end: the release notes page in a real headless Chromium (Debian's package, driven by Playwright).

No browser is downloaded: the test uses /usr/bin/chromium (``apt-get install
chromium``; ``.ci/run`` installs it). Without a browser the test skips with a
loud reason, except under ``CI=true``, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

EVIL = "<script>alert(1)</script>"

CATALOG = """\
teams:
  web: {name: "Web <img src=x onerror=alert(2)>", email: web@example.com, slack: "#web"}
  mops: {name: Marketing Ops, email: mops@example.com, slack: "#mops"}
  sales: {name: Sales Ops, email: salesops@example.com}
systems:
  website:
    name: Website
    owner: web
    assets:
      "<script>alert(1)</script>": {type: folder}
      form/demo: {type: form, depends_on: ["website:<script>alert(1)</script>"]}
  marketo:
    name: Marketo
    owner: mops
    assets:
      segmentation/interest:
        type: segmentation
        description: Interest from the product folder
        depends_on:
          - {asset: "website:<script>alert(1)</script>", note: keyed on the folder name}
  salesforce:
    name: Salesforce
    owner: sales
    assets:
      field/division: {type: field, depends_on: [marketo:segmentation/interest]}
      queue/emea: {type: queue, critical: true, depends_on: [salesforce:field/division]}
tests:
  demo-routing:
    name: Demo form reaches the EMEA queue
    covers: [website:form/demo, salesforce:queue/emea]
    kind: manual
    minutes: 15
"""

CHANGE = """\
id: CR-7
title: Rename the product folder
requested_by: web
path: major
catalog: ../catalog
changes:
  - target: "website:<script>alert(1)</script>"
    action: rename
"""


def _chromium() -> str:
    """The browser to drive, or skip (fail under CI=true) with the reason and the fix."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright package is not installed (pip install -e '.[test]')")
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path is None:
        problems.append("no Chromium found (apt-get install -y chromium)")
    if problems:
        reason = "BROWSER TEST NOT RUN: " + "; ".join(problems)
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " — under CI=true a missing browser is a failure")
        pytest.skip(reason)
    assert path is not None
    return path


@pytest.fixture()
def page_file(tmp_path: Path) -> Path:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "stack.yaml").write_text(CATALOG, encoding="utf-8")
    (tmp_path / "changes").mkdir()
    (tmp_path / "changes" / "cr-7.yaml").write_text(CHANGE, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "changes" / "cr-7.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out / "release-notes.html"


def test_release_notes_in_a_real_browser(page_file: Path, tmp_path: Path) -> None:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    url = page_file.resolve().as_uri()
    errors: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)

            # Nothing but the file itself is requested; nothing from the data ran.
            assert requests == [url]
            assert dialogs == []
            assert page.title().startswith("Change CR-7: Rename the product folder")
            assert page.locator("h1").inner_text() == "CR-7 Rename the product folder"
            assert page.locator(f'text="website:{EVIL}"').count() >= 1

            # Click an asset in the graph: the panel shows owner, distance, why-path and tests.
            node = page.locator('#graph-box g.node[data-asset="marketo:segmentation/interest"]')
            assert node.count() == 1
            node.click()
            details = page.locator("#details-body")
            assert details.get_attribute("data-showing") == "marketo:segmentation/interest"
            text = details.inner_text()
            assert "Marketing Ops" in text and "mops@example.com" in text
            assert "1 tool away from the change" in text
            assert f"website:{EVIL} (changed)" in text and "keyed on the folder name" in text
            assert "No regression test covers this asset" in text
            assert "on-path" in (page.locator(f'#graph-box g.node[data-asset="website:{EVIL}"]').get_attribute("class") or "")

            # Hovering previews another asset; leaving the graph brings back the clicked one.
            page.locator('#graph-box g.node[data-asset="salesforce:queue/emea"]').hover()
            assert details.get_attribute("data-showing") == "salesforce:queue/emea"
            assert "Demo form reaches the EMEA queue (demo-routing, manual)" in details.inner_text()
            page.locator("h1").hover()
            assert details.get_attribute("data-showing") == "marketo:segmentation/interest"

            # Filter the table by tool, then by distance, then only untested.
            rows = page.locator("#asset-table tbody tr")
            assert rows.count() == 5
            page.select_option("#f-tool", "salesforce")
            visible = [r.get_attribute("data-asset") for r in rows.all() if r.is_visible()]
            assert visible == ["salesforce:field/division", "salesforce:queue/emea"]
            assert page.locator("#f-count").inner_text() == "Showing 2 of 5"
            page.select_option("#f-tool", "")
            page.select_option("#f-distance", "1")
            assert [r.get_attribute("data-asset") for r in rows.all() if r.is_visible()] == ["marketo:segmentation/interest"]
            page.select_option("#f-distance", "")
            page.check("#f-untested")
            assert page.locator("#f-count").inner_text() == "Showing 3 of 5"
            page.uncheck("#f-untested")

            # A table row selects too.
            page.locator('#asset-table tr[data-asset="website:form/demo"]').click()
            assert details.get_attribute("data-showing") == "website:form/demo"

            # Tick a test; copy the distribution list.
            page.check('input.test-tick[data-test="demo-routing"]')
            assert page.locator("#tests-done").inner_text() == "1 of 1 done"
            assert page.locator("#distribution").input_value() == (
                '"Web <img src=x onerror=alert(2)>" <web@example.com>, Marketing Ops <mops@example.com>, Sales Ops <salesops@example.com>'
            )
            page.click("#copy-distribution")
            page.wait_for_function("document.getElementById('copy-status').textContent.length > 0")

            shot = tmp_path / "release-notes.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            keep = os.environ.get("IMPACT_SCREENSHOT_DIR")
            if keep:
                shutil.copy(shot, Path(keep) / shot.name)

            # Printing: the panel and the filters are hidden, every row shows.
            page.select_option("#f-tool", "salesforce")
            page.emulate_media(media="print")
            assert not page.locator("#details").is_visible() and not page.locator("#filters").is_visible()
            assert all(r.is_visible() for r in rows.all())
        finally:
            browser.close()
    assert errors == []
    assert requests == [url]
    assert dialogs == []
