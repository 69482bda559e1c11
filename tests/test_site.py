"""``impact site`` without a browser: the files, their data read back independently, writing as a whole.

The browser tests (``test_site_browser.py``) check what a person sees and that
the page's answers equal the CLI's; these check what is written.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from impact.store import fsio
from tests.conftest import EXAMPLE
from tests.helpers import run_cli

LOAD = re.compile(r'^impactSite\.load\(("[^"]*"), (".*")\);\n$', re.S)

EVIL_CATALOG = """\
teams:
  web: {name: "Web <img src=x onerror=alert(2)>", email: web@example.com}
systems:
  website:
    name: "Site </script><script>alert(3)</script>"
    owner: web
    assets:
      "<script>alert(1)</script>": {type: folder, description: "\\u2028 line end and \\" quote \\\\ backslash"}
      form/demo: {type: form, depends_on: ["website:<script>alert(1)</script>"]}
"""


def read_payload(path: Path) -> tuple[str, Any]:
    """A data file read back: its name and its JSON, without running any JavaScript."""
    match = LOAD.match(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} is not one impactSite.load(name, string) call"
    name, literal = json.loads(match.group(1)), json.loads(match.group(2))
    return name, json.loads(literal)


def build(tmp_path: Path, *args: str, out: str = "site") -> Path:
    target = tmp_path / out
    code, _, err = run_cli("site", *args, "-o", str(target))
    assert code == 0, err
    return target


def test_example_site_files_and_data(tmp_path: Path) -> None:
    site = build(tmp_path, "--catalog", str(EXAMPLE / "catalog"))
    names = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert names == ["data/assets-000.js", "data/meta.js", "index.html", "site.css", "site.js"]
    _, meta = read_payload(site / "data/meta.js")
    _, shard = read_payload(site / "data/assets-000.js")

    # Read the catalog's YAML independently (not through impact's loader).
    assets: dict[str, dict[str, Any]] = {}
    edges: set[tuple[str, str]] = set()
    for file in sorted((EXAMPLE / "catalog").rglob("*.yaml")):
        doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for sid, system in (doc.get("systems") or {}).items():
            for key, spec in (system.get("assets") or {}).items():
                aid = f"{sid}:{key}"
                assets[aid] = {**spec, "system": sid, "owner": spec.get("owner", system["owner"])}
                for dep in spec.get("depends_on") or []:
                    edges.add((dep if isinstance(dep, str) else dep["asset"], aid))
                for down in spec.get("feeds") or []:
                    edges.add((aid, down if isinstance(down, str) else down["asset"]))
        for link in doc.get("links") or []:  # a dependency declared outside both assets
            edges.add((link["depends_on"], link["asset"]))
    assert shard["ids"] == sorted(assets)
    assert meta["counts"]["assets"] == len(assets) and meta["counts"]["dependencies"] == len(edges)
    ids = shard["ids"]
    read_edges = {(ids[i], ids[t]) for i in range(len(ids)) for t in shard["targets"][shard["offsets"][i] : shard["offsets"][i + 1]]}
    assert read_edges == edges
    systems = [s["id"] for s in meta["systems"]]
    for i, aid in enumerate(ids):
        assert systems[shard["systems"][i]] == assets[aid]["system"]
        assert meta["owners"][shard["owners"][i]] == assets[aid]["owner"]
        assert meta["types"][shard["types"][i]] == assets[aid]["type"]
        assert (i in shard["critical"]) == (assets[aid].get("critical") is True)
        assert shard["names"][i] == assets[aid].get("name")  # display names, shown beside the id
    assert any(shard["names"])
    # Every change request of the example is in flight (none is released); each names its changed assets.
    assert [c["id"] for c in meta["changes"]] == sorted(p.stem[:6] for p in (EXAMPLE / "changes").glob("CR-*.yaml"))
    cr101 = next(c for c in meta["changes"] if c["id"] == "CR-101")
    assert {x["id"] for x in cr101["changed"]} >= {"website:/products/"}
    assert all(x["asset"] == ids.index(x["id"]) for x in cr101["changed"])


def test_same_input_same_bytes(tmp_path: Path) -> None:
    one = build(tmp_path, "--catalog", str(EXAMPLE / "catalog"), out="one")
    # Read afresh (no cache) the second time: the cache's column snapshot gives the same site.
    code, _, err = run_cli("--no-cache", "site", "--catalog", str(EXAMPLE / "catalog"), "-o", str(tmp_path / "two"))
    assert code == 0, err
    two = tmp_path / "two"
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    for name in files:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_catalog_text_is_never_markup_or_code(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "stack.yaml").write_text(EVIL_CATALOG, encoding="utf-8")
    site = build(tmp_path, "--catalog", str(tmp_path / "catalog"))
    page = (site / "index.html").read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None
    policy = dict(part.strip().split(" ", 1) for part in csp.group(1).split(";"))
    assert policy["default-src"] == "'none'" and policy["connect-src"] == "'none'" and policy["script-src"] == "'self' file:"
    assert "<script>" not in page.replace('<script src="', "")  # only external scripts: no inline code
    for data in (site / "data").iterdir():
        text = data.read_text(encoding="utf-8")
        assert "<" not in text and "\u2028" not in text, data.name  # catalog text only inside a string literal
        name, payload = read_payload(data)
        assert name and payload
    _, shard = read_payload(site / "data/assets-000.js")
    assert "<script>alert(1)</script>" in shard["ids"][0]
    assert shard["descriptions"][0] == '\u2028 line end and " quote \\ backslash'
    script = (site / "site.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setTimeout(\""):
        assert sink not in script, sink


def test_replaces_a_previous_site_as_a_whole(tmp_path: Path) -> None:
    site = build(tmp_path, "--catalog", str(EXAMPLE / "catalog"))
    (site / "data" / "assets-999.js").write_text("stale", encoding="utf-8")
    build(tmp_path, "--catalog", str(EXAMPLE / "catalog"))
    assert not (site / "data" / "assets-999.js").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folder left beside it


def test_a_failed_run_leaves_the_previous_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = build(tmp_path, "--catalog", str(EXAMPLE / "catalog"))
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    calls = {"n": 0}
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # the disk fills while the third file is written
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(fsio.os, "fsync", failing_fsync)
    code, _, err = run_cli("site", "--catalog", str(EXAMPLE / "catalog"), "-o", str(site))
    assert code == 2
    assert err.startswith("Error: ") and "cannot write" in err and "the disk is full" in err
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_never_replaces_a_folder_it_did_not_write(tmp_path: Path) -> None:
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "plan.txt").write_text("mine", encoding="utf-8")
    code, _, err = run_cli("site", "--catalog", str(EXAMPLE / "catalog"), "-o", str(mine))
    assert code == 2 and "impact did not write" in err
    assert [p.name for p in mine.iterdir()] == ["plan.txt"]


def test_never_writes_into_or_over_the_catalog(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "stack.yaml").write_text(EVIL_CATALOG, encoding="utf-8")
    for target in (tmp_path / "catalog" / "site", tmp_path):
        code, _, err = run_cli("site", "--catalog", str(tmp_path / "catalog"), "-o", str(target))
        assert code == 2 and "refusing to write" in err, err
    assert sorted(p.name for p in (tmp_path / "catalog").iterdir()) == ["stack.yaml"]


def test_bad_catalog_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "stack.yaml").write_text("systems:\n  web: {name: W, owner: nobody, assets: {}}\n", encoding="utf-8")
    code, _, err = run_cli("site", "--catalog", str(tmp_path / "catalog"), "-o", str(tmp_path / "site"))
    assert code == 2 and re.match(r"Error: .*stack\.yaml:\d+:\d+: ", err), err
    assert not (tmp_path / "site").exists()


def test_shards_split_big_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import impact.render.site as site_render

    monkeypatch.setattr(site_render, "SHARD_ASSETS", 20)
    site = build(tmp_path, "--catalog", str(EXAMPLE / "catalog"))
    _, meta = read_payload(site / "data/meta.js")
    shards = [read_payload(site / s["file"])[1] for s in meta["shards"]]
    n = meta["counts"]["assets"]
    assert n > 80 and [len(s["ids"]) for s in shards] == [20] * (n // 20) + ([n % 20] if n % 20 else [])
    assert sum(len(s["targets"]) for s in shards) == meta["counts"]["dependencies"]
    assert all(s["offsets"][0] == 0 and s["offsets"][-1] == len(s["targets"]) for s in shards)
    page = (site / "index.html").read_text(encoding="utf-8")
    assert all(f'<script src="{s["file"]}" defer></script>' in page for s in meta["shards"])


def test_serve_previews_and_writes_again_on_change(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request

    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLE / "catalog", catalog)
    site = tmp_path / "site"
    cmd = [sys.executable, "-c", "import sys; from impact.cli.main import main; sys.argv[0] = 'impact'; main()"]
    proc = subprocess.Popen([*cmd, "site", str(catalog), "--output-dir", str(site), "--serve", "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        url = ""
        deadline = time.monotonic() + 60
        while not url and time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line, "impact site --serve stopped early"
            if line.startswith("Serving "):
                url = line.split()[1]
        with urllib.request.urlopen(url) as answer:  # the page, as a browser would ask for it
            assert b'<meta name="generator" content="impact site">' in answer.read()
        with urllib.request.urlopen(url + "data/meta.js") as answer:
            before = read_payload_text(answer.read().decode("utf-8"))["counts"]["assets"]
        extra = "systems:\n  newtool:\n    name: New tool\n    owner: web\n    assets:\n      thing/one: {type: page}\n"
        (catalog / "zz-new.yaml").write_text(extra, encoding="utf-8")
        after = before
        while after == before and time.monotonic() < deadline:
            time.sleep(0.3)
            with urllib.request.urlopen(url + "data/meta.js") as answer:
                after = read_payload_text(answer.read().decode("utf-8"))["counts"]["assets"]
        assert after == before + 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def read_payload_text(text: str) -> Any:
    match = LOAD.match(text)
    assert match
    return json.loads(json.loads(match.group(2)))
