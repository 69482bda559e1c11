"""Root cause first: a file that cannot be read, or a system defined twice, is reported before its follow-on errors.

References to ids that the unreadable file (or the second definition) may
define are not reported as dangling; one note says how many were left
unchecked and why. References to ids it cannot define still are.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.helpers import run_cli, without_cache


@pytest.fixture
def example(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE / "catalog", tmp_path / "catalog")
    return tmp_path / "catalog"


def lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(("Error: ", "Note: "))]


def test_a_quote_closed_too_early_is_the_first_and_only_error(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent)
    site = example / "website.yaml"
    text = site.read_text(encoding="utf-8")
    references = sum(p.read_text(encoding="utf-8").count("website:") for p in example.glob("*.yaml") if p != site)
    assert references > 5  # other files really do refer to the website's assets
    site.write_text(text.replace("    name: Corporate website (www.example.com)", '    name: "Corporate website" (www.example.com)'), encoding="utf-8")
    for run in (lambda: run_cli("validate", "catalog"), lambda: run_cli("--no-cache", "validate", "catalog")):
        with without_cache():
            code, _, err = run()
        found = lines(err)
        assert code == 2
        assert found[0].startswith("Error: catalog/website.yaml:4:") and "YAML syntax error" in found[0]
        assert len(found) == 2 and found[1].startswith("Note: catalog/website.yaml: ")
        assert "not reported as missing" in found[1] and "could not be read" in found[1]
        assert "which is not an asset" not in err


def test_a_real_dangling_reference_is_still_reported_after_the_root_cause(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent)
    site = example / "website.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("    name: Corporate website (www.example.com)", '    name: "Corporate" website'), encoding="utf-8")
    gtm = example / "gtm.yaml"
    gtm.write_text(gtm.read_text(encoding="utf-8").replace("- asset: website:/products/", "- asset: nowhere:/at-all/", 1), encoding="utf-8")
    with without_cache():
        code, _, err = run_cli("validate", "catalog")
    found = lines(err)
    assert code == 2
    assert "YAML syntax error" in found[0] and found[1].startswith("Note: catalog/website.yaml")
    assert [line for line in found if "which is not an asset" in line] == [
        line for line in found[2:] if "'nowhere:/at-all/', which is not an asset of this catalog" in line
    ]
    assert len(found) == 3


def test_a_system_defined_in_two_files(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent)
    site = example / "website.yaml"
    lines_ = site.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines_) if line.startswith("      form/"))
    site.write_text("".join(lines_[:start]), encoding="utf-8")
    header = "".join(lines_[: next(i for i, line in enumerate(lines_) if line.strip() == "assets:") + 1])
    (example / "website-forms.yaml").write_text(header + "".join(lines_[start:]), encoding="utf-8")
    with without_cache():
        code, _, err = run_cli("check", str(EXAMPLE / "changes" / "CR-101-products-to-solutions.yaml"), "--catalog", "catalog")
    found = lines(err)
    assert code == 2
    assert found[0] == "Error: catalog/website.yaml:3:3: system 'website' is defined twice; the first is at catalog/website-forms.yaml:3:3"
    assert found[1].startswith("Note: catalog/website.yaml:3:3: ") and "second definition of the system" in found[1]
    assert len(found) == 2 and "did you mean" not in err
