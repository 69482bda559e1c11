"""``impact changes`` on dbt projects, GTM containers and sitemaps, from the command line and from git.

The two-export form is run on labelled cases (tests/fixtures/changes/); the
``--base`` form on a real temporary git repository whose catalog was
imported from a dbt project folder, a container export and a sitemap index
with a compressed sitemap beside it.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import yaml
from click.testing import CliRunner

from impact.cli.main import cli

FIXTURES = Path(__file__).parent / "fixtures"
CASES = FIXTURES / "changes"
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def expected(case: Path) -> set[tuple[str, str, str]]:
    items = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))["items"] or []
    return {(i["target"], i["action"], i.get("to") or "") for i in items}


def test_two_exports_of_each_kind_give_the_judged_items() -> None:
    for kind, name in (("dbt", "salesforce-int-renames"), ("gtm", "filter-operator"), ("sitemap", "folder-rename")):
        case = CASES / kind / name
        code, out = run("changes", kind, str(case / "old"), str(case / "new"), "--format", "json")
        assert code == 0, out
        found = {(c["target"], c["action"], c.get("to") or "") for c in json.loads(out)["changes"]}
        assert found == expected(case), (kind, out)
    code, out = run(
        "changes", "gtm", str(CASES / "gtm" / "reexport-noise" / "old"), str(CASES / "gtm" / "reexport-noise" / "new")
    )
    assert code == 0 and out.startswith("Nothing the catalog tracks changed"), out


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def urlset(paths: list[str]) -> bytes:
    body = "".join(f"<url><loc>https://www.example.org{p}</loc></url>" for p in paths)
    return f'<urlset xmlns="{NS}">{body}</urlset>'.encode()


def test_base_compares_the_catalogs_dbt_gtm_and_sitemap_sources(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "dbt" / "jaffle_shop_duckdb_project", repo / "dbt")
    (repo / "gtm").mkdir()
    shutil.copy(CASES / "gtm" / "pause-unpause" / "old" / "GTM-TEST123.json", repo / "gtm" / "container.json")
    (repo / "site").mkdir()
    (repo / "site" / "index.xml").write_text(
        f'<sitemapindex xmlns="{NS}"><sitemap><loc>https://www.example.org/pages.xml</loc></sitemap></sitemapindex>'
    )
    (repo / "site" / "pages.xml.gz").write_bytes(
        gzip.compress(urlset(["/products/a", "/products/b", "/blog/x", "/blog/y"]))
    )
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "t@example.org")
    git(repo, "config", "user.name", "t")
    for args in (("dbt", "dbt", "data"), ("gtm", "gtm/container.json", "web"), ("sitemap", "site/index.xml", "web")):
        code, out = run(
            "import", args[0], str(repo / args[1]), "--owner", args[2], "-o", str(repo / "catalog" / f"{args[0]}.yaml")
        )
        assert code == 0, out
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    model = repo / "dbt" / "models" / "staging" / "stg_orders.sql"
    model.write_text(model.read_text().replace("order_date,", "order_date, status as order_status,"))
    shutil.copy(CASES / "gtm" / "pause-unpause" / "new" / "GTM-TEST123.json", repo / "gtm" / "container.json")
    (repo / "site" / "pages.xml.gz").write_bytes(
        gzip.compress(urlset(["/solutions/a", "/solutions/b", "/blog/x", "/blog/y"]))
    )
    git(repo, "commit", "-qam", "change")
    code, out = run("changes", "--base", "HEAD~1", "--catalog", str(repo / "catalog"), "--format", "json")
    assert code == 0, out
    found = {(c["target"], c["action"], c.get("to") or ""): c["aspects"] for c in json.loads(out)["changes"]}
    assert found == {
        ("dbt:model/stg_orders", "modify", ""): ["logic", "schema"],
        ("gtm:tag/LinkedIn - Demo conversion", "modify", ""): ["availability"],
        ("gtm:tag/Marketo - Munchkin", "modify", ""): ["availability"],
        ("website:/products/", "rename", "website:/solutions/"): ["name"],
    }
