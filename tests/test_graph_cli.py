"""``impact graph`` as a user runs it: formats, files, errors and exit codes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from click.testing import CliRunner

from impact.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "catalogs" / "example"


def _change(write: Callable[..., Path], name: str, ident: str, target: str, release: str = "r1") -> Path:
    return write(
        f"changes/{name}.yaml",
        f"id: {ident}\ntitle: Change {ident}\nrelease: {release}\nchanges:\n  - {{target: \"{target}\", action: modify}}\n",
    )


def test_svg_and_png_from_the_suffix(small_catalog: Path, write: Callable[..., Path], tmp_path: Path) -> None:
    change = _change(write, "cr", "CR-1", "website:/products/")
    runner = CliRunner()
    svg = tmp_path / "out" / "impact.svg"
    done = runner.invoke(cli, ["graph", str(change), "-o", str(svg)])
    assert done.exit_code == 0, done.output
    assert done.stderr == f"Wrote {svg}\n"
    root = ElementTree.parse(svg).getroot()
    assets = {g.get("data-asset") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("data-asset")}
    assert "website:/products/" in assets and "salesforce:queue/emea" in assets
    png = tmp_path / "impact.png"
    done = runner.invoke(cli, ["graph", str(change), "-o", str(png), "--owners", "--upstream", "1"])
    assert done.exit_code == 0, done.output
    assert png.read_bytes().startswith(b"\x89PNG")
    assert not list(png.parent.glob(".impact.png.*"))  # no temporary file left behind


def test_dot_on_stdout_by_default(small_catalog: Path, write: Callable[..., Path]) -> None:
    change = _change(write, "cr", "CR-1", "website:/products/")
    done = CliRunner().invoke(cli, ["graph", str(change)])
    assert done.exit_code == 0
    assert done.stdout.startswith("digraph impact {")
    assert "cluster_website" in done.stdout


def test_usage_errors(small_catalog: Path, write: Callable[..., Path], tmp_path: Path) -> None:
    change = _change(write, "cr", "CR-1", "website:/products/")
    runner = CliRunner()
    done = runner.invoke(cli, ["graph", str(change), "-o", str(tmp_path / "x.gif")])
    assert done.exit_code == 2 and "cannot tell the picture format from" in done.stderr
    done = runner.invoke(cli, ["graph", str(change), "-o", str(tmp_path / "x.png"), "--format", "svg"])
    assert done.exit_code == 2 and "make them agree" in done.stderr
    done = runner.invoke(cli, ["graph"])
    assert done.exit_code == 2 and "give a change file" in done.stderr
    done = runner.invoke(cli, ["graph", "--release", "r1"])
    assert done.exit_code == 2 and "--release needs --changes DIR" in done.stderr
    done = runner.invoke(cli, ["graph", "--catalog", str(small_catalog), "--focus", "web:nope"])
    assert done.exit_code == 2
    assert done.stderr.startswith(f"Error: impact: --focus 'web:nope' is not an asset of the catalog in {small_catalog}/; ")
    done = runner.invoke(cli, ["graph", "--catalog", str(small_catalog), "--focus", "website:/prodcts/"])
    assert done.stderr == f"Error: impact: --focus 'website:/prodcts/' is not an asset of the catalog in {small_catalog}/; did you mean 'website:/products/'?\n"
    done = runner.invoke(cli, ["graph", "--catalog", str(small_catalog), "--system", "websit"])
    assert done.stderr == f"Error: impact: --system 'websit' is not a tool of the catalog in {small_catalog}/; did you mean 'website'?\n"


def test_never_writes_into_the_catalog(small_catalog: Path, write: Callable[..., Path]) -> None:
    change = _change(write, "cr", "CR-1", "website:/products/")
    done = CliRunner().invoke(cli, ["graph", str(change), "-o", str(small_catalog / "pic.svg")])
    assert done.exit_code == 2 and "inside the catalog" in done.stderr
    assert not (small_catalog / "pic.svg").exists()


def test_catalog_and_release_pictures(small_catalog: Path, write: Callable[..., Path], tmp_path: Path) -> None:
    _change(write, "a", "CR-A", "website:/products/")
    _change(write, "b", "CR-B", "marketo:field/division")
    _change(write, "c", "CR-C", "salesforce:queue/emea", release="r2")
    runner = CliRunner()
    done = runner.invoke(cli, ["graph", "--release", "r1", "--changes", str(tmp_path / "changes"), "--catalog", str(small_catalog)])
    assert done.exit_code == 0, done.output
    assert '"change-CR-A" -> "change-CR-B"' in done.stdout and "class=conflict" in done.stdout
    # CR-C (another release) appears only as unfinished work holding a change request back, never as a change drawn.
    assert '"change-CR-C" -> "asset-' not in done.stdout
    if "change-CR-C" in done.stdout:
        assert 'class="change-request unfinished"' in done.stdout and "holds back" in done.stdout
    done = runner.invoke(cli, ["graph", "--catalog", str(small_catalog), "--system", "marketo", "--format", "svg"])
    assert done.exit_code == 0, done.output
    assert b"data-tool=\"marketo\"" in done.stdout_bytes


def test_example_change_renders() -> None:
    change = EXAMPLE / "changes" / "CR-101-products-to-solutions.yaml"
    done = CliRunner().invoke(cli, ["graph", str(change), "--format", "svg"])
    assert done.exit_code == 0, done.output
    ElementTree.fromstring(done.stdout_bytes)
