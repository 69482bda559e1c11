"""Root cause first: a file that cannot be read, or a system defined twice, is reported before its follow-on errors.

References to ids that the unreadable file (or the second definition) may
define are not reported as dangling; one note says how many were left
unchecked and why. References to ids it cannot define still are.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

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


# --- shape mistakes: the key that slipped, named at its place, with the column it belongs at ---


def slip(example: Path, file: str, old: str, new: str) -> list[str]:
    """Edit one catalog file, then the errors of `validate`, the same with and without the cache (both readers)."""
    path = example / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    found = []
    for run in (lambda: run_cli("validate", "catalog"), lambda: run_cli("--no-cache", "validate", "catalog")):
        with without_cache():
            code, _, err = run()
        assert code == 2
        found.append([line for line in err.splitlines() if line.startswith("Error: ")])
    assert found[0] == found[1]
    return found[0]


def place_of(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in ``text``."""
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def test_depends_on_slipped_a_level_is_named_with_the_column_it_belongs_at(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent)
    text = (example / "website.yaml").read_text(encoding="utf-8")
    keys = "        description: Analytics Cloud product pages, feature tours and customer stories.\n"
    asset_line, _ = place_of(text, '      "/products/analytics/":')
    _, key_col = place_of(text, keys.strip())
    found = slip(example, "website.yaml", keys + "        depends_on:", keys + "      depends_on:")
    line = text[: text.index(keys)].count("\n") + 2
    assert found == [
        f"Error: catalog/website.yaml:{line}:7: 'depends_on' is a key of an asset, found where an asset id is expected; "
        f"indent it to column {key_col}, under the asset '/products/analytics/' (line {asset_line})"
    ]


def test_a_key_one_space_short_gets_the_column_of_its_neighbours(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent)
    text = (example / "website.yaml").read_text(encoding="utf-8")
    name_line, name_col = place_of(text, "name: Products section")
    found = slip(example, "website.yaml", "        name: Products section\n", "        name: Products section\n       critical: true\n")
    assert found == [
        f"Error: catalog/website.yaml:{name_line + 1}:{name_col - 1}: YAML syntax error: 'critical' is one space left of the keys above it "
        f"(line {name_line}, column {name_col}); indent it to column {name_col}"
    ]
    assert "'- '" not in found[0]  # no list item is involved


def test_a_list_item_out_of_line_gets_the_list_hint(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent)
    text = (example / "website.yaml").read_text(encoding="utf-8")
    item = '          - {asset: "website:/products/", uses: [name, availability], note: its URLs sit under /products/}\n'
    line, col = place_of(text, item.strip())
    found = slip(example, "website.yaml", item + "      \"/products/automation/\":", item + "         - website:/pricing/\n      \"/products/automation/\":")
    assert found == [
        f"Error: catalog/website.yaml:{line + 1}:{col - 1}: YAML syntax error: this '- ' item is one space left of the item "
        f"at line {line} (column {col}); indent it to column {col}"
    ]


def test_an_id_slipped_into_the_keys_of_the_entry_above(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent)
    text = (example / "website.yaml").read_text(encoding="utf-8")
    first_line, first_col = place_of(text, '"/products/":')
    entry = '      "/pricing/":\n        type: page\n        description: Pricing page with plan comparison and the Contact Sales form.\n'
    found = slip(example, "website.yaml", entry, "".join("  " + line for line in entry.splitlines(keepends=True)))
    line, col = place_of(text, '"/pricing/":')
    assert found == [
        f"Error: catalog/website.yaml:{line}:{col + 2}: '/pricing/' looks like an asset id, found among the keys of the asset "
        f"'/products/automation/'; indent it to column {first_col}, like '/products/' (line {first_line})"
    ]


def test_a_misspelled_top_level_key_comes_before_its_consequence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = (EXAMPLE / "changes" / "CR-101-products-to-solutions.yaml").read_text(encoding="utf-8")
    (tmp_path / "cr.yaml").write_text(source.replace("\nchanges:\n", "\nchange:\n"), encoding="utf-8")
    line, _ = place_of(source, "\nchanges:\n")
    code, _, err = run_cli("check", "cr.yaml", "--catalog", str(EXAMPLE / "catalog"))
    assert code == 2
    assert lines(err) == [f"Error: cr.yaml:{line + 1}:1: unknown key 'change'; did you mean 'changes' (required)?"]


def test_an_unknown_owner_lists_the_teams(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent)
    teams = sorted(yaml.safe_load((example / "teams.yaml").read_text(encoding="utf-8"))["teams"])
    found = slip(example, "website.yaml", "    owner: web\n", "    owner: digital\n")
    assert len(found) == 1 and found[0].endswith(f"owner 'digital', which is not a team of this catalog; the teams are {', '.join(teams)}")


def test_a_case_slip_in_an_enumeration_gets_did_you_mean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = (EXAMPLE / "changes" / "CR-105-retire-emea-round-robin.yaml").read_text(encoding="utf-8")
    first = source.index("action: ")
    word = source[first + len("action: ") :].split("\n", 1)[0]
    (tmp_path / "cr.yaml").write_text(source[:first] + "action: " + word.capitalize() + source[first + len("action: " + word) :], encoding="utf-8")
    code, _, err = run_cli("check", "cr.yaml", "--catalog", str(EXAMPLE / "catalog"))
    assert code == 2
    assert lines(err) == [
        f"Error: cr.yaml:{source[:first].count(chr(10)) + 1}:{first - source.rfind(chr(10), 0, first) + len('action: ')}: "
        f"action: {word.capitalize()!r} is not one of 'modify', 'rename', 'delete', 'create' or 'deprecate'; did you mean {word!r}?"
    ]


def test_a_new_target_suggests_action_create(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cr.yaml").write_text(
        "id: CR-9\ntitle: A new landing page\nchanges:\n  - target: website:/webinars/spring-launch/\n    action: modify\n", encoding="utf-8"
    )
    code, _, err = run_cli("check", "cr.yaml", "--catalog", str(EXAMPLE / "catalog"))
    assert code == 2 and "if it is a new asset, write 'action: create'" in lines(err)[0]
    (tmp_path / "cr.yaml").write_text((tmp_path / "cr.yaml").read_text(encoding="utf-8").replace("modify", "create"), encoding="utf-8")
    code, _, err = run_cli("check", "cr.yaml", "--catalog", str(EXAMPLE / "catalog"))
    assert code in (0, 1) and not lines(err)


def test_validate_shows_the_warnings_with_the_errors(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent)
    with without_cache():
        _, _, clean = run_cli("validate", "catalog")
    # Every warning of the valid catalog but the dependency cycles (they need the graph, which a broken catalog has not).
    warnings = [line for line in clean.splitlines() if line.startswith("Warning: ") and "dependency cycle" not in line]
    assert any("critical asset" in line for line in warnings)
    slip(example, "website.yaml", "    owner: web\n", "    owner: digital\n")
    with without_cache():
        code, _, err = run_cli("validate", "catalog")
    assert code == 2
    assert [line for line in err.splitlines() if line.startswith("Warning: ")] == warnings
    assert f"1 error, {len(warnings)} warning" in err


@pytest.mark.parametrize(("indent", "spaces"), [(2, "2 spaces"), (3, "one space")])
def test_a_change_item_key_short_of_its_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, indent: int, spaces: str) -> None:
    monkeypatch.chdir(tmp_path)
    text = "id: CR-9\ntitle: t\nchanges:\n  - target: website:/pricing/\n" + " " * indent + "action: modify\n"
    (tmp_path / "cr.yaml").write_text(text, encoding="utf-8")
    code, _, err = run_cli("check", "cr.yaml", "--catalog", str(EXAMPLE / "catalog"))
    assert code == 2
    assert lines(err) == [
        f"Error: cr.yaml:5:{indent + 1}: YAML syntax error: 'action' is {spaces} left of the keys above it (line 4, column 5); "
        "indent it to column 5"
    ]


BASE = """\
teams:
  web:
    name: Web
systems:
  website:
    name: Site
    owner: web
    assets:
      /products/:
        type: folder
        name: Products
      /pricing/:
        type: page
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a key of the asset above, whose entry is left empty
            BASE.replace("        type: page", "      type: page"),
            "f.yaml:13:7: 'type' is a key of an asset, found where an asset id is expected; "
            "indent it to column 9, under the asset '/pricing/' (line 12)",
        ),
        (  # the system's own owner, slipped under its assets (the system misses it)
            BASE.replace("    owner: web\n", "") + "      owner: web\n",
            "f.yaml:13:7: 'owner' is a key of a system, found where an asset id is expected; "
            "indent it to column 5, under the system 'website' (line 5)",
        ),
        (  # a key of an asset among the system's keys
            BASE + "    depends_on: [website:/products/]\n",
            "f.yaml:14:5: 'depends_on' is a key of a link or an asset, not of a system; indent it to column 9, under the asset '/pricing/' (line 12)",
        ),
        (  # a system id slipped left into the systems' keys
            BASE + "  owner: web\n",
            "f.yaml:14:3: 'owner' is a key of a system, found where a system id is expected; "
            "indent it to column 5, under the system 'website' (line 5)",
        ),
    ],
)
def test_slipped_keys_are_named_with_their_place(text: str, expected: str) -> None:
    from impact.read.schema import CatalogFileSpec
    from impact.read.shape_check import validate
    from impact.read.yamlio import parse_yaml

    spec, problems = validate(CatalogFileSpec, parse_yaml(text, "f.yaml"))
    assert spec is None
    assert [str(p) for p in problems] == [expected]
