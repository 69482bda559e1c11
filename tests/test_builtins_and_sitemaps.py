"""Issue #23: GTM built-ins have one id whatever their spelling; sitemaps beside an index; one-page folders.

The GTM expectations are an independent reading of the export with ``json``:
a ``{{_x}}`` reference is the built-in whose export type is ``X``. The
sitemap ones read the XML with ``xml.etree`` and ``gzip``.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from impact.cli.main import cli
from impact.load.loader import load_catalog

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def edges(folder: Path) -> set[tuple[str, str]]:
    return {(d.upstream, d.downstream) for d in load_catalog(folder).dependencies}


def export_with_spellings(path: Path) -> dict[str, str]:
    """A container whose triggers name built-ins every way real exports do; trigger name → the built-in it tests."""
    spelt = {
        "CE - a": "{{_event}}",
        "CE - b": "{{Event}}",
        "CE - c": "{{event}}",
        "PV - a": "{{_url}}",
        "PV - b": "{{Page URL}}",
        "PV - c": "{{url path}}",
    }
    triggers = [
        {
            "triggerId": str(i),
            "name": name,
            "type": "CUSTOM_EVENT" if name.startswith("CE") else "PAGEVIEW",
            "customEventFilter" if name.startswith("CE") else "filter": [
                {
                    "type": "EQUALS",
                    "parameter": [
                        {"type": "TEMPLATE", "key": "arg0", "value": ref},
                        {"type": "TEMPLATE", "key": "arg1", "value": "x"},
                    ],
                }
            ],
        }
        for i, (name, ref) in enumerate(sorted(spelt.items()), start=10)
    ]
    builtins = [
        {"type": "EVENT", "name": "Event"},
        {"type": "PAGE_URL", "name": "Page URL"},
        {"type": "PAGE_PATH", "name": "Page Path"},
    ]
    tag = {
        "tagId": "1",
        "name": "HTML - uses url",
        "type": "html",
        "firingTriggerId": ["10"],
        "parameter": [{"type": "TEMPLATE", "key": "html", "value": "<script>x('{{_url}}')</script>"}],
    }
    path.write_text(
        json.dumps(
            {
                "exportFormatVersion": 2,
                "containerVersion": {"tag": [tag], "trigger": triggers, "variable": [], "builtInVariable": builtins},
            }
        )
    )
    return spelt


def test_every_spelling_of_a_built_in_is_one_asset(tmp_path: Path) -> None:
    spelt = export_with_spellings(tmp_path / "export.json")
    code, out = run(
        "import", "gtm", str(tmp_path / "export.json"), "--owner", "web", "-o", str(tmp_path / "cat" / "gtm.yaml")
    )
    assert code == 0, out
    data = json.loads((tmp_path / "export.json").read_text())["containerVersion"]
    by_type = {b["type"]: b["name"] for b in data["builtInVariable"]}
    # GTM's internal names (custom-event triggers use {{_event}}) and its names before 2015, by export type.
    other_names = {"_event": "EVENT", "_url": "PAGE_URL", "event": "EVENT", "url": "PAGE_URL", "url path": "PAGE_PATH"}
    expected = set()
    for name, ref in spelt.items():
        inner = ref.strip("{}")
        expected.add((f"gtm:variable/{by_type.get(other_names.get(inner, ''), inner)}", f"gtm:trigger/{name}"))
    expected.add(("gtm:variable/Page URL", "gtm:tag/HTML - uses url"))
    found = {e for e in edges(tmp_path / "cat") if e[0].startswith("gtm:variable/")}
    assert found == expected
    variables = {a for a in load_catalog(tmp_path / "cat").assets if a.startswith("gtm:variable/")}
    assert variables == {"gtm:variable/Event", "gtm:variable/Page URL", "gtm:variable/Page Path"}


def test_the_built_in_event_reaches_every_custom_event_trigger(tmp_path: Path) -> None:
    export = FIXTURES / "gtm" / "GTM-TEST123_v0.json"
    custom = [
        t["name"] for t in json.loads(export.read_text())["containerVersion"]["trigger"] if t["type"] == "CUSTOM_EVENT"
    ]
    assert custom
    code, out = run("import", "gtm", str(export), "--owner", "web", "-o", str(tmp_path / "cat" / "gtm.yaml"))
    assert code == 0, out
    (tmp_path / "change.yaml").write_text(
        "id: CR-1\ntitle: Event variable\nchanges:\n  - target: gtm:variable/Event\n    action: modify\n"
    )
    code, out = run("check", str(tmp_path / "change.yaml"), "--catalog", str(tmp_path / "cat"), "--format", "json")
    reached = {a["asset"] for a in json.loads(out)["impacted"]}
    assert {f"gtm:trigger/{name}" for name in custom} <= reached, out


def urlset(paths: list[str]) -> bytes:
    body = "".join(f"<url><loc>https://www.example.org{p}</loc></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'.encode()


def test_an_index_reads_gz_sitemaps_lying_beside_it_whatever_it_calls_them(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "posts.xml.gz").write_bytes(gzip.compress(urlset(["/blog/a", "/blog/b"])))  # listed as posts.xml
    (site / "pages.xml.gz").write_bytes(urlset(["/docs/x", "/docs/y"]))  # named .gz, saved already unpacked
    (site / "more.xml").write_bytes(gzip.compress(urlset(["/news/1", "/news/2"])))  # gzip without the name
    index = "".join(
        f"<sitemap><loc>https://www.example.org/sitemaps/{n}</loc></sitemap>"
        for n in ("posts.xml", "pages.xml.gz", "more.xml")
    )
    (site / "index.xml").write_text(
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>'
    )
    code, out = run(
        "import", "sitemap", str(site / "index.xml"), "--owner", "web", "-o", str(tmp_path / "cat" / "w.yaml")
    )
    assert code == 0, out
    pages = []
    for child in ("posts.xml.gz", "pages.xml.gz", "more.xml"):
        raw = (site / child).read_bytes()
        raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        pages += [loc.text or "" for loc in ET.fromstring(raw).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    expected = {"website:" + re.sub(r"^https://[^/]+(/[^/]+/).*$", r"\1", p) for p in pages}
    assert (
        set(load_catalog(tmp_path / "cat").assets) == expected == {"website:/blog/", "website:/docs/", "website:/news/"}
    )


def test_one_page_folders_fold_into_their_parent_unless_pages_is_given(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "make_sitemap.py"),
            str(tmp_path / "site"),
            "--pages",
            "600",
            "--per-file",
            "250",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    code, out = run(
        "import",
        "sitemap",
        str(tmp_path / "site" / "sitemap_index.xml"),
        "--owner",
        "web",
        "-o",
        str(tmp_path / "cat" / "w.yaml"),
    )
    assert code == 0, out
    assets = set(load_catalog(tmp_path / "cat").assets)
    children = sorted((tmp_path / "site").glob("*.xml.gz"))
    locs = [
        loc.text or ""
        for c in children
        for loc in ET.fromstring(gzip.decompress(c.read_bytes())).iter(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    ]
    sections = {"website:/docs/" + p.split("/docs/")[1].split("/")[0] + "/" for p in locs if "/docs/" in p}
    assert assets == {"website:/experiments/", "website:/docs/", *sections}
    assert len([p for p in locs if "/experiments/" in p]) == 540  # 540 one-page folders, none an asset
    code, out = run(
        "import",
        "sitemap",
        str(tmp_path / "site" / "sitemap_index.xml"),
        "--pages",
        "--owner",
        "web",
        "-o",
        str(tmp_path / "p" / "w.yaml"),
    )
    assert code == 0, out
    assert "website:/experiments/100000/" in load_catalog(tmp_path / "p").assets


def test_a_change_snapshot_follows_the_index_to_the_sitemaps_it_lists(tmp_path: Path) -> None:
    from impact.importers.changes.model import FolderTree
    from impact.importers.changes.sitemap import snapshot

    (tmp_path / "posts.xml.gz").write_bytes(gzip.compress(urlset(["/blog/a", "/blog/b"])))
    (tmp_path / "feed.xml").write_text("<rss/>")  # another XML file in the same folder: not a sitemap
    index = '<sitemap><loc>https://www.example.org/posts.xml</loc></sitemap>'
    (tmp_path / "index.xml").write_text(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>')
    assert set(snapshot(FolderTree(tmp_path), "website", None, {"index": "index.xml"})) == {"website:/blog/"}
