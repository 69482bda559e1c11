"""``uses``, ``aspects`` and asset ``name`` read from real files: with and without the cache,
after an edit patched into the cached snapshot, and refused with a "did you mean"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli
from tests.conftest import ROOT

CATALOG = """\
teams:
  web: {name: Web}
  mops: {name: Marketing Ops}
systems:
  website:
    name: Website
    owner: web
    assets:
      page/footer: {type: page, name: Global footer}
      form/newsletter:
        type: form
        name: Newsletter sign-up
        depends_on:
          - {asset: website:page/footer, uses: [availability]}
  marketo:
    name: Marketo
    owner: mops
    assets:
      list/subscribers:
        type: smart-list
        depends_on:
          - {asset: website:form/newsletter, uses: [data]}
      email/monthly:
        type: email
        depends_on: [marketo:list/subscribers]
"""


def change(aspects: str | None, target: str = "website:page/footer", action: str = "modify") -> str:
    extra = f", aspects: {aspects}" if aspects else ""
    return f"id: CR-1\ntitle: Footer copy\npath: quick-hit\nchanges:\n  - {{target: '{target}', action: {action}{extra}}}\n"


def check(tmp_path: Path, body: str, *flags: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    (tmp_path / "changes").mkdir(exist_ok=True)
    path = tmp_path / "changes" / "cr.yaml"
    path.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(cli, [*flags, "check", str(path), "--catalog", str(tmp_path / "catalog"), "--format", "json"])
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IMPACT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "stack.yaml").write_text(CATALOG, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("flags", [(), ("--no-cache",)], ids=["cache", "no-cache"])
def test_a_content_edit_stops_where_nothing_uses_content(catalog: Path, flags: tuple[str, ...]) -> None:
    for _ in range(2):  # cold, then warm from the snapshot
        code, data = check(catalog, change("[content]"), *flags)
        assert (code, data["impacted"]) == (0, [])
        assert data["release_path"]["computed"] == "quick-hit"
        assert data["changed"][0]["aspects"] == ["content"]
        assert data["changed"][0]["name"] == "Global footer"
    # Without aspects a modify touches everything: the form is reached, and what it produces goes on.
    code, data = check(catalog, change(None), *flags)
    assert code == 1
    assert [(r["asset"], r["name"], r["tool_distance"]) for r in data["impacted"]] == [
        ("website:form/newsletter", "Newsletter sign-up", 0),
        ("marketo:list/subscribers", None, 1),
        ("marketo:email/monthly", None, 1),
    ]
    assert data["changed"][0]["aspects"] == ["name", "content", "values", "logic", "schema", "data", "availability"]


def test_feeds_entries_say_what_they_use_and_two_declarations_add_up(catalog: Path) -> None:
    stack = catalog / "catalog" / "stack.yaml"
    # The same dependency declared again from the footer's side, without uses: it then uses every aspect.
    stack.write_text(
        CATALOG.replace("page/footer: {type: page, name: Global footer}", "page/footer: {type: page, feeds: [website:form/newsletter]}"),
        encoding="utf-8",
    )
    _, data = check(catalog, change("[content]"))
    assert [r["asset"] for r in data["impacted"]][:1] == ["website:form/newsletter"]
    # Declared from the footer's side with uses [logic]: together with [availability], content is not used.
    stack.write_text(
        CATALOG.replace(
            "page/footer: {type: page, name: Global footer}", "page/footer: {type: page, feeds: [{asset: website:form/newsletter, uses: [logic]}]}"
        ),
        encoding="utf-8",
    )
    _, data = check(catalog, change("[content]"))
    assert data["impacted"] == []
    _, data = check(catalog, change("[logic]"))
    assert [r["asset"] for r in data["impacted"]][:1] == ["website:form/newsletter"]


def test_an_edit_to_uses_is_seen_by_the_warm_snapshot(catalog: Path) -> None:
    stack = catalog / "catalog" / "stack.yaml"
    assert check(catalog, change("[content]"))[1]["impacted"] == []
    stack.write_text(CATALOG.replace("uses: [availability]", "uses: [availability, content]"), encoding="utf-8")
    assert [r["asset"] for r in check(catalog, change("[content]"))[1]["impacted"]][:1] == ["website:form/newsletter"]
    stack.write_text(CATALOG.replace("name: Global footer", "name: Site footer"), encoding="utf-8")
    _, data = check(catalog, change("[content]"))
    assert data["impacted"] == [] and data["changed"][0]["name"] == "Site footer"


def test_a_reached_asset_passes_on_only_through_what_uses_its_data(catalog: Path) -> None:
    stack = catalog / "catalog" / "stack.yaml"
    stack.write_text(CATALOG.replace("depends_on: [marketo:list/subscribers]", "depends_on: [{asset: marketo:list/subscribers, uses: [logic]}]"), encoding="utf-8")
    _, data = check(catalog, change(None))
    assert [r["asset"] for r in data["impacted"]] == ["website:form/newsletter", "marketo:list/subscribers"]
    # Changing the list's logic itself does reach the email that uses its logic.
    _, data = check(catalog, change("[logic]", target="marketo:list/subscribers"))
    assert [r["asset"] for r in data["impacted"]] == ["marketo:email/monthly"]


def test_unknown_aspects_are_refused_with_did_you_mean(catalog: Path) -> None:
    stack = catalog / "catalog" / "stack.yaml"
    stack.write_text(CATALOG.replace("uses: [data]", "uses: [dta]"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(catalog / "catalog")])
    assert result.exit_code == 2
    assert "stack.yaml:" in result.stderr
    assert "uses: 'dta' is not one of 'name', 'content', 'values', 'logic', 'schema', 'data' or 'availability'; did you mean 'data'?" in result.stderr
    stack.write_text(CATALOG, encoding="utf-8")
    (catalog / "changes").mkdir()
    (catalog / "changes" / "cr.yaml").write_text(change("[contnet]"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(catalog / "changes" / "cr.yaml"), "--catalog", str(catalog / "catalog")])
    assert result.exit_code == 2
    assert result.stderr.endswith("aspects: 'contnet' is not one of 'name', 'content', 'values', 'logic', 'schema', 'data' or 'availability'; did you mean 'content'?\n")
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")


def test_the_example_footer_edit_is_a_quick_hit_only_because_it_says_what_it_touches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    cr = ROOT / "catalogs" / "example" / "changes" / "CR-111-site-footer-address.yaml"
    result = CliRunner().invoke(cli, ["check", str(cr.relative_to(ROOT)), "--format", "json"])
    data = json.loads(result.stdout)
    assert (result.exit_code, data["release_path"]["computed"], data["impacted"]) == (0, "quick-hit", [])
    plain = tmp_path / "CR-111.yaml"
    text = cr.read_text(encoding="utf-8").replace("    aspects: [content]\n", "").replace("catalog: ../catalog\n", "")
    plain.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(plain), "--catalog", "catalogs/example/catalog", "--format", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["release_path"]["computed"] != "quick-hit" and data["impacted"]
