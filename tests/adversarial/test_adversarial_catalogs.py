"""Whole catalogs gone wrong: look-alike ids, many broken files, sizes, links (cases 7, 9, 10, 11)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from .conftest import GOOD_STACK, GOOD_TEAMS, assert_refused, run, snapshot, write

# --- 7. ids a person cannot tell apart ---------------------------------------


def test_ids_that_differ_only_by_case_are_warned_with_both_places(work: Path) -> None:
    write(work, "cat/a.yaml", "teams:\n  payments: {name: P}\n")
    write(work, "cat/b.yaml", "teams:\n  Payments: {name: P2}\n")
    result = run("validate", "cat")
    assert result.err.splitlines() == [
        "Warning: cat/b.yaml:2:3: team 'Payments' differs from team 'payments' (cat/a.yaml:2:3) only in upper/lower case; use one spelling"
    ]
    assert result.code == 0
    assert run("validate", "cat", "--strict").code == 1


def test_a_cyrillic_lookalike_asset_is_warned_naming_the_character(work: Path) -> None:
    write(
        work,
        "cat/a.yaml",
        "teams:\n  web: {name: W}\nsystems:\n  website:\n    name: W\n    owner: web\n    assets:\n"
        "      /payments/: {type: folder}\n      /p\u0430yments/: {type: folder}\n",
    )
    result = run("validate", "cat")
    assert result.err.splitlines() == [
        (
            "Warning: cat/a.yaml:9:7: asset 'website:/p\u0430yments/' looks like asset 'website:/payments/' (cat/a.yaml:8:7) "
            "but is a different id (this one has U+0430 CYRILLIC SMALL LETTER A); retype it with plain letters or rename one of them"
        )
    ]
    assert result.code == 0


def test_fullwidth_and_mixed_case_lookalikes_collide_but_plain_ascii_lookalikes_do_not(
    work: Path,
) -> None:
    write(
        work,
        "cat/a.yaml",
        "teams:\n  web: {name: W}\nsystems:\n  website:\n    name: W\n    owner: web\n    assets:\n"
        "      /Pay/: {type: folder}\n      /\uff50ay/: {type: folder}\n      turn: {type: t}\n      tum: {type: t}\n",
    )
    result = run("validate", "cat")
    assert [line.split(": ", 2)[1] for line in result.err.splitlines()] == [
        "cat/a.yaml:9:7"
    ]
    assert "U+FF50 FULLWIDTH LATIN SMALL LETTER P" in result.err


def test_right_to_left_override_is_shown_escaped_in_messages_and_reports(
    work: Path,
) -> None:
    rlo = "\u202e"
    write(
        work,
        "cat/a.yaml",
        f"teams:\n  web: {{name: 'Web{rlo}evil'}}\nsystems:\n  s:\n    name: S\n    owner: web\n    assets:\n"
        f"      'x{rlo}/': {{type: t, owner: nobody}}\n",
    )
    result = run("validate", "cat")
    assert_refused(
        result,
        "cat/a.yaml:8:31: asset 's:x\\u202e/' owner 'nobody', which is not a team of this catalog; the teams are web",
    )
    assert rlo not in result.err
    write(
        work,
        "cat/a.yaml",
        f"teams:\n  web: {{name: 'Web{rlo}evil'}}\nsystems:\n  s:\n    name: S\n    owner: web\n    assets:\n"
        f"      'x{rlo}/': {{type: t}}\n      y: {{type: t, depends_on: ['s:x{rlo}/']}}\n",
    )
    write(
        work,
        "changes/c.yaml",
        f"id: CR-1\ntitle: 'T{rlo}'\nchanges:\n  - {{target: 's:x{rlo}/', action: modify}}\n",
    )
    for fmt in ("text", "markdown"):
        out = run("check", "changes/c.yaml", "--catalog", "cat", "--format", fmt).out
        assert rlo not in out and "x\\u202e/" in out, fmt
    data = json.loads(
        run("check", "changes/c.yaml", "--catalog", "cat", "--format", "json").out
    )
    assert (
        data["change"]["title"] == f"T{rlo}"
    )  # JSON keeps the exact text, escaped by JSON itself


def test_a_file_name_with_a_newline_cannot_forge_an_error_line(work: Path) -> None:
    write(work, "cat/evil\nError: all good.yaml", "teams: [\n")
    result = run("validate", "cat")
    assert result.code == 2
    assert len(result.errors) == 1 and result.errors[0].startswith(
        "Error: cat/evil\\u000aError: all good.yaml:2:1: YAML syntax error"
    )


# --- 9. every problem of every file in one run, in a stable order -------------

BROKEN = {
    "b.yaml": "teams:\n  web: {name: W}\n  web: {name: X}\n",
    "a.yaml": "teams:\n  ops: {name: O}\nsystems:\n  s: {name: S, owner: nobody, assets: {x: {type: t, depends_on: [s:y]}}}\n",
    "sub/c.yml": b"\xff",
    "sub/d.yaml": "tests:\n  t1: {name: T, covers: []}\n",
    "z/good.yaml": GOOD_TEAMS,
    "z/stack.yaml": GOOD_STACK.replace(
        "form/demo: {type: form,", "form/demo: {type: form, critical: maybe,"
    ),
}
EXPECTED = [
    # Files that cannot be read come first (root causes), then the rest in file order.
    "cat/b.yaml:3:3: duplicate key 'web' (first at line 2, column 3); keep one of them",
    "cat/sub/c.yml:1:1: this file is not UTF-8 text (byte 0xff); save it as UTF-8",
    "cat/a.yaml:4:23: system 's' owner 'nobody', which is not a team of this catalog; the teams are mops, ops, web",
    "cat/a.yaml:4:66: asset 's:x' depends_on 's:y', which is not an asset of this catalog; did you mean 's:x'?",
    "cat/sub/d.yaml:2:25: covers: must list at least one item",
    "cat/z/stack.yaml:7:41: critical: expected true or false, found 'maybe'; write true or false",
]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_problem_is_reported_at_once_in_a_stable_order(
    work: Path, seed: int
) -> None:
    names = list(BROKEN)
    random.Random(seed).shuffle(names)  # creation order must not matter
    for name in names:
        write(work, f"cat/{name}", BROKEN[name])
    result = run("validate", "cat")
    assert result.errors == [f"Error: {line}" for line in EXPECTED]
    assert result.err.splitlines()[-1] == "cat: 6 errors, 0 warnings"
    assert result.code == 2


# --- 10. sizes refused before parsing ----------------------------------------


def test_an_oversized_file_is_refused_before_it_is_parsed(work: Path) -> None:
    # Broken YAML on purpose: had it been parsed, the message would be a syntax error.
    write(work, "cat/big.yaml", "teams: [" + "x, " * 400_000)
    result = run("validate", "cat", env={"IMPACT_MAX_FILE_MB": "1"})
    assert_refused(
        result,
        "cat/big.yaml: this file is 1.1 MiB, more than the limit of 1 MiB (IMPACT_MAX_FILE_MB)",
    )


def test_an_oversized_catalog_is_refused_before_anything_is_parsed(work: Path) -> None:
    for i in range(3):
        write(work, f"cat/f{i}.yaml", "teams: [" + "x, " * 200_000)
    result = run("validate", "cat", env={"IMPACT_MAX_CATALOG_MB": "1"})
    assert_refused(
        result,
        "cat: the catalog is 2 MiB, more than the limit of 1 MiB (IMPACT_MAX_CATALOG_MB)",
    )


def test_an_oversized_change_file_is_refused(catalog: Path, work: Path) -> None:
    write(work, "changes/big.yaml", "id: [" + "x, " * 400_000)
    result = run(
        "check", "changes/big.yaml", "--catalog", "cat", env={"IMPACT_MAX_FILE_MB": "1"}
    )
    assert_refused(
        result,
        "changes/big.yaml: this file is 1.1 MiB, more than the limit of 1 MiB (IMPACT_MAX_FILE_MB)",
    )


@pytest.mark.parametrize("value", ["abc", "inf", "nan"])
def test_a_bad_limit_setting_is_bad_input_not_a_crash(
    catalog: Path, value: str
) -> None:
    result = run("validate", "cat", env={"IMPACT_MAX_FILE_MB": value})
    assert_refused(
        result, f"impact: IMPACT_MAX_FILE_MB={value!r} is not a number of MiB"
    )


# --- 11. links ---------------------------------------------------------------


def test_a_link_loop_is_walked_once_and_the_run_ends(catalog: Path) -> None:
    os.makedirs(catalog / "sub")
    os.symlink("..", catalog / "sub" / "loop")
    os.makedirs(catalog / "deeper")
    os.symlink("../../cat", catalog / "deeper" / "back")
    os.symlink(
        "teams.yaml", catalog / "again.yaml"
    )  # the same file twice: read once, no "defined twice"
    result = run("validate", "cat")
    assert (result.code, result.err) == (0, "")
    assert (
        result.out
        == "cat: OK: 2 tools, 3 assets, 2 dependencies, 2 teams, 1 test; 0 warnings\n"
    )


def test_links_out_of_the_catalog_are_refused_on_their_real_path(
    catalog: Path, work: Path
) -> None:
    write(work, "elsewhere/secret.yaml", "teams:\n  x: {name: X}\n")
    os.symlink(work / "elsewhere" / "secret.yaml", catalog / "in.yaml")
    os.symlink(work / "elsewhere", catalog / "folder")
    os.symlink("../elsewhere/secret.yaml", catalog / "rel.yaml")
    before = snapshot(work)
    result = run("validate", "cat")
    real = (work / "elsewhere").resolve()
    assert_refused(
        result,
        f"cat/folder: this folder is a link to {real}, outside the catalog; copy it in instead",
        f"cat/in.yaml: this file is a link to {real / 'secret.yaml'}, outside the catalog; copy it in instead",
        f"cat/rel.yaml: this file is a link to {real / 'secret.yaml'}, outside the catalog; copy it in instead",
    )
    assert snapshot(work) == before
