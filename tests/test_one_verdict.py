"""Issue #26, item 2: one verdict and one test cost, in the same words in every output, for every example change.

The words come from one function (``impact.analysis.decision.decide``); each
output is read as a user gets it (the command's text, Markdown, JSON; the
report's files; the notification; the site's data) and must carry them.
"""

from __future__ import annotations

import html
import json
import shutil
from functools import cache
from pathlib import Path

import pytest
from helpers import run_cli

from impact.analysis.decision import decide
from impact.analysis.workspace import open_workspace, run_check
from impact.render.templating import md_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "catalogs" / "example"
CHANGE_FILES = sorted((EXAMPLE / "changes").glob("*.yaml"))


@cache
def words(path: Path) -> tuple[str, str]:
    result, _ = run_check(path, None)
    decision = decide(result)
    return decision.headline, decision.cost


def test_cr_101_reads_as_the_issue_says() -> None:
    headline, cost = words(EXAMPLE / "changes" / "CR-101-products-to-solutions.yaml")
    assert headline == "Not blocking · not ready to ship: status build"
    assert cost == "15 to run: 10 manual (about 185 minutes), 5 automated"


@pytest.mark.parametrize("path", CHANGE_FILES, ids=lambda p: p.stem)
def test_check_says_it_in_text_markdown_and_json(path: Path) -> None:
    headline, cost = words(path)
    _, text, _ = run_cli("check", str(path))
    assert text.splitlines()[1] == headline
    assert f"\nTests: {cost}\n" in text
    _, markdown, _ = run_cli("check", str(path), "--format", "markdown")
    assert f"**{md_text(headline)}**" in markdown and f"**Tests:** {md_text(cost)}" in markdown
    _, out, _ = run_cli("check", str(path), "--format", "json")
    decision = json.loads(out)["answer"]["decision"]
    assert decision["verdict"] == headline and decision["tests"]["sentence"] == cost


@pytest.mark.parametrize("path", CHANGE_FILES, ids=lambda p: p.stem)
def test_report_and_notify_say_it_too(path: Path, tmp_path: Path) -> None:
    headline, cost = words(path)
    code, _, err = run_cli("report", str(path), "-o", str(tmp_path / "r"))
    assert code in (0, 1), err
    data = json.loads((tmp_path / "r" / "impact.json").read_text(encoding="utf-8"))
    assert data["verdicts"][0]["headline"] == headline and data["summary"]["tests_sentence"] == cost
    notes = (tmp_path / "r" / "release-notes.md").read_text(encoding="utf-8")
    assert md_text(headline) in notes and cost in notes
    page = (tmp_path / "r" / "release-notes.html").read_text(encoding="utf-8")
    assert html.escape(headline, quote=False) in page and html.escape(cost, quote=False) in page
    _, out, _ = run_cli("notify", str(path), "--stage", "pre-release", "--format", "json")
    body = json.loads(out)["body_text"]
    assert headline in body and cost in body


def test_the_site_says_it_for_every_change_in_flight(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "example")
    code, _, err = run_cli("site", str(tmp_path / "example" / "catalog"), "-o", str(tmp_path / "site"))
    assert code == 0, err
    meta = (tmp_path / "site" / "data" / "meta.js").read_text(encoding="utf-8")
    for path in CHANGE_FILES:
        headline, cost = words(path)
        assert headline in meta and cost in meta, path.stem


@pytest.mark.parametrize("release", ["2026-11-quick", "2026-12-minor", "2027-01-major"])
def test_release_outputs_say_the_release_checks_words(release: str, tmp_path: Path) -> None:
    ws = open_workspace((), str(EXAMPLE / "changes"), None)
    result = ws.release(release)
    said = {cid: d.headline for cid, d in result.decisions.items()}
    _, text, _ = run_cli("release", "check", release, "--changes", str(EXAMPLE / "changes"))
    _, markdown, _ = run_cli("release", "check", release, "--changes", str(EXAMPLE / "changes"), "--format", "markdown")
    _, out, _ = run_cli("release", "check", release, "--changes", str(EXAMPLE / "changes"), "--format", "json")
    by_id = {c["id"]: c for c in json.loads(out)["changes"]}
    run_cli("report", "--release", release, "--changes", str(EXAMPLE / "changes"), "-o", str(tmp_path / "r"))
    notes = (tmp_path / "r" / "release-notes.md").read_text(encoding="utf-8")
    for h in result.held:
        assert f"    {said[h.result.change.id]}\n" in text
    for cid, headline in said.items():
        assert by_id[cid]["decision"]["verdict"] == headline
        assert by_id[cid]["ready"] == (cid in {r.change.id for r in result.ships})
        assert md_text(headline) in markdown and md_text(headline) in notes
        # Alone, a change misses the same things, less only what other change requests add (conflicts).
        alone = decide(ws.check(next(c for c in ws.changes if c.id == cid)))
        in_release = result.decisions[cid]
        assert [m for m in in_release.missing if m.kind != "conflicts"] == list(alone.missing)
        assert in_release.cost == alone.cost


def test_the_sites_kept_words_follow_an_edited_change(tmp_path: Path, cache_home: Path) -> None:
    """The site keeps each change's words in the cache: the same words as worked out afresh, and new ones after an edit."""
    shutil.copytree(EXAMPLE, tmp_path / "example")
    catalog, site = tmp_path / "example" / "catalog", tmp_path / "site"
    change = tmp_path / "example" / "changes" / "CR-102-emea-pipeline-filter.yaml"
    before, _ = words(EXAMPLE / "changes" / change.name)
    for _ in range(2):  # the second run reads the kept words
        assert run_cli("site", str(catalog), "-o", str(site))[0] == 0
        assert before in (site / "data" / "meta.js").read_text(encoding="utf-8")
    assert list((cache_home / "site").glob("*.bin"))
    change.write_text(change.read_text(encoding="utf-8").replace("status: qa", "status: approved"), encoding="utf-8")
    assert run_cli("site", str(catalog), "-o", str(site))[0] == 0
    after, _ = words(change)
    assert after == "Not blocking · ready to ship" != before
    assert f'CR-102-emea-pipeline-filter.yaml\\",\\"verdict\\":\\"{after}' in (site / "data" / "meta.js").read_text(encoding="utf-8")
