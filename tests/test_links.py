"""``links:``: a dependency between two assets declared in any catalog file (issue #28).

Cold (no cache), warm (snapshot) and patched (an edit) runs give the same
answer; a dangling or self link is an error at its place; an import into
the file keeps its links; ``impact check`` follows them with their note.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import RENAME_PRODUCTS
from tests.helpers import run_cli as run

pytestmark = pytest.mark.usefixtures("cache_home")

LINKS = """\
links:
  - {asset: "salesforce:queue/emea", depends_on: "website:/products/", uses: [name], note: routing rule keyed on the folder}
  - asset: marketo:field/division
    depends_on: website:form/demo
"""


def _same(catalog: Path, change_file: Path) -> dict[str, object]:
    """check (json, text) and validate equal with and without the cache, twice (cold, then warm); the json answer."""
    for _ in range(2):
        for args in (
            ("check", str(change_file), "--format", "json"),
            ("check", str(change_file)),
            ("validate", str(catalog)),
        ):
            assert run(*args) == run("--no-cache", *args), args
    code, out, _err = run("check", str(change_file), "--format", "json")
    assert code in (0, 1)
    answer: dict[str, object] = json.loads(out)
    return answer


def _impacted(answer: dict[str, object]) -> dict[str, dict[str, object]]:
    return {item["asset"]: item for item in answer["impacted"]}  # type: ignore[index, attr-defined]


def test_a_link_is_followed_with_its_note(small_catalog: Path, write: Callable[..., Path]) -> None:
    change_file = write("changes/cr-1.yaml", RENAME_PRODUCTS)
    before = _impacted(_same(small_catalog, change_file))
    write("catalog/links.yaml", LINKS)
    after = _impacted(_same(small_catalog, change_file))
    queue = after["salesforce:queue/emea"]
    assert queue["path"] == ["website:/products/", "salesforce:queue/emea"]
    assert "routing rule keyed on the folder" in queue["notes"]
    assert set(before) < set(after) or before["salesforce:queue/emea"]["path"] != queue["path"]


def test_an_edited_link_is_patched_into_the_snapshot(small_catalog: Path, write: Callable[..., Path]) -> None:
    change_file = write("changes/cr-1.yaml", RENAME_PRODUCTS)
    links = write("catalog/links.yaml", LINKS)
    _same(small_catalog, change_file)
    links.write_text(
        LINKS.replace("routing rule keyed on the folder", "another note").replace("uses: [name]", "uses: [data]")
    )
    answer = _impacted(_same(small_catalog, change_file))
    assert "salesforce:queue/emea" not in answer or answer["salesforce:queue/emea"]["path"] != [
        "website:/products/",
        "salesforce:queue/emea",
    ]
    links.write_text(LINKS.replace("uses: [name], ", ""))
    assert _impacted(_same(small_catalog, change_file))["salesforce:queue/emea"]["path"] == [
        "website:/products/",
        "salesforce:queue/emea",
    ]


def test_a_link_to_nothing_is_an_error_at_its_place(small_catalog: Path, write: Callable[..., Path]) -> None:
    write("catalog/links.yaml", LINKS.replace("website:form/demo", "website:form/gone"))
    for flags in ((), ("--no-cache",)):
        code, out, err = run(*flags, "validate", str(small_catalog))
        assert code == 2
        assert (
            "links.yaml:4:17: link 2 depends_on 'website:form/gone', which is not an asset of this catalog" in out + err
        )


def test_a_link_of_an_asset_to_itself_is_an_error(small_catalog: Path, write: Callable[..., Path]) -> None:
    write("catalog/links.yaml", 'links:\n  - {asset: "website:/products/", depends_on: "website:/products/"}\n')
    code, out, err = run("validate", str(small_catalog))
    assert code == 2
    assert "links.yaml:2:47: link 1: asset 'website:/products/' cannot depend on itself" in out + err


def test_a_removed_asset_named_by_a_link_is_reported_after_a_warm_run(
    small_catalog: Path, write: Callable[..., Path]
) -> None:
    write("catalog/links.yaml", LINKS)
    assert run("validate", str(small_catalog))[0] == 0
    stack = small_catalog / "stack.yaml"
    stack.write_text(stack.read_text().replace("      form/demo: {type: form, depends_on: [website:/products/]}\n", ""))
    stack.write_text(
        stack.read_text().replace(
            "covers: [website:form/demo, salesforce:queue/emea]", "covers: [salesforce:queue/emea]"
        )
    )
    code, out, err = run("validate", str(small_catalog))
    assert code == 2
    assert "link 2 depends_on 'website:form/demo', which is not an asset of this catalog" in out + err
    assert run("--no-cache", "validate", str(small_catalog))[1:] == (out, err)


def test_links_survive_a_re_import(tmp_path: Path, write: Callable[..., Path]) -> None:
    write("catalog/teams.yaml", "teams:\n  web: {name: Web}\n")
    sitemap = write("sitemap.xml", """\
        <?xml version="1.0" encoding="UTF-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <url><loc>https://example.com/products/analytics/tour</loc></url>
          <url><loc>https://example.com/blog/2026/post</loc></url>
        </urlset>
        """)  # fmt: skip
    target = tmp_path / "catalog" / "website.yaml"
    assert run("import", "sitemap", str(sitemap), "--owner", "web", "-o", str(target))[0] == 0
    link = '  - {asset: "website:/blog/", depends_on: "website:/products/", note: kept}\n'
    target.write_text(target.read_text() + "links:\n" + link)
    sitemap.write_text(
        sitemap.read_text().replace("</urlset>", "<url><loc>https://example.com/pricing/plans/team</loc></url></urlset>")
    )
    code, _out, err = run("import", "refresh", str(tmp_path / "catalog"))
    assert code == 0, err
    text = target.read_text()
    assert "/pricing/" in text and link.strip() in text  # the sequence's indentation is the writer's
    code, out, _err = run("validate", str(tmp_path / "catalog"))
    assert code == 0, out
