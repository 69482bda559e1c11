"""impact check: impact, RACI stakeholders and tests to run, on a small catalog."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from impact.load.loader import load_catalog
from tests.helpers import run_cli as run


@pytest.fixture
def change(write: Callable[..., Path], small_catalog: Path) -> Callable[..., Path]:
    def _change(body: str, name: str = "changes/cr.yaml") -> Path:
        return write(name, "id: CR-1\ntitle: Test change\ncatalog: ../catalog\n" + body)

    return _change


def check_json(path: Path, *extra: str) -> dict:
    code, out, err = run("check", str(path), "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_folder_rename_reaches_the_queue_with_paths(change: Callable[..., Path]) -> None:
    data = check_json(change("changes:\n  - {target: 'website:/products/', action: rename}\n"))
    assert data["changed"] == [
        {
            "asset": "website:/products/",
            "name": None,
            "system": "website",
            "action": "rename",
            "aspects": ["name"],  # a rename touches the name
            "target": "website:/products/",
            "note": None,
            "in_catalog": True,
            "critical": False,
            "owner": "web",
        }
    ]
    got = {i["asset"]: (i["tool_distance"], i["path"]) for i in data["impacted"]}
    assert got == {
        "website:form/demo": (0, ["website:/products/", "website:form/demo"]),
        "marketo:segmentation/interest": (1, ["website:/products/", "marketo:segmentation/interest"]),
        "marketo:field/division": (1, ["website:/products/", "marketo:segmentation/interest", "marketo:field/division"]),
        "salesforce:field/division": (
            2,
            ["website:/products/", "marketo:segmentation/interest", "marketo:field/division", "salesforce:field/division"],
        ),
        "salesforce:queue/emea": (
            2,
            [
                "website:/products/",
                "marketo:segmentation/interest",
                "marketo:field/division",
                "salesforce:field/division",
                "salesforce:queue/emea",
            ],
        ),
    }
    # Sorted by tool distance, then steps, then id.
    assert [i["asset"] for i in data["impacted"]] == [
        "website:form/demo",
        "marketo:segmentation/interest",
        "marketo:field/division",
        "salesforce:field/division",
        "salesforce:queue/emea",
    ]
    by_asset = {i["asset"]: i for i in data["impacted"]}
    assert by_asset["marketo:segmentation/interest"]["notes"] == ["keyed on the folder name"]


def test_max_tools_limits_the_reach(change: Callable[..., Path]) -> None:
    path = change("changes:\n  - {target: 'website:/products/', action: rename}\n")
    assert [i["asset"] for i in check_json(path, "--max-tools", "0")["impacted"]] == ["website:form/demo"]
    assert {i["tool_distance"] for i in check_json(path, "--max-tools", "1")["impacted"]} == {0, 1}


def test_stakeholders_follow_raci_with_reasons(change: Callable[..., Path]) -> None:
    data = check_json(change("changes:\n  - {target: 'website:/products/', action: rename}\n"))
    roles = {s["team"]: s["roles"] for s in data["stakeholders"]}
    # web owns the changed asset and its tool, and the impacted form; mops and sales own
    # impacted assets and tools (mops is also consulted on salesforce); bi is informed on marketo.
    assert roles == {
        "web": ["responsible", "accountable", "consulted"],
        "mops": ["consulted"],
        "sales": ["consulted"],
        "bi": ["informed"],
    }
    assert [s["team"] for s in data["stakeholders"]] == ["web", "mops", "sales", "bi"]
    web = data["stakeholders"][0]
    assert web["email"] == "web@example.com" and web["slack"] == "#web"
    assert web["reasons"][0] == {
        "role": "responsible",
        "asset": "website:/products/",
        "reason": "owns website:/products/, which this change will rename",
    }
    bi = next(s for s in data["stakeholders"] if s["team"] == "bi")
    assert bi["assets"] == ["marketo:field/division", "marketo:segmentation/interest"]
    assert all(r["role"] == "informed" and "listed as informed on the tool marketo" in r["reason"] for r in bi["reasons"])


def test_tests_to_run_nearest_first_and_untested(change: Callable[..., Path]) -> None:
    data = check_json(change("changes:\n  - {target: 'website:/products/', action: rename}\n"))
    assert [(t["id"], t["covers"], t["tool_distance"]) for t in data["tests"]] == [
        ("demo-routing", ["website:form/demo", "salesforce:queue/emea"], 0),
        ("interest-smoke", ["marketo:segmentation/interest"], 1),
    ]
    assert data["untested"] == ["marketo:field/division", "salesforce:field/division", "website:/products/"]


def test_system_target_changes_every_asset_of_it(change: Callable[..., Path]) -> None:
    data = check_json(change("changes:\n  - {target: marketo, action: modify, note: platform upgrade}\n"))
    assert [c["asset"] for c in data["changed"]] == ["marketo:field/division", "marketo:segmentation/interest"]
    assert all(c["target"] == "marketo" for c in data["changed"])
    # The two-way sync brings salesforce in; the changed assets are never listed as impacted.
    assert [i["asset"] for i in data["impacted"]] == ["salesforce:field/division", "salesforce:queue/emea"]


def test_create_may_name_a_new_asset_of_a_known_system(change: Callable[..., Path]) -> None:
    data = check_json(change("changes:\n  - {target: 'website:/new/', action: create}\n"))
    assert data["changed"][0]["in_catalog"] is False and data["impacted"] == []
    assert [s["roles"] for s in data["stakeholders"]] == [["responsible", "accountable"]]


def test_text_output_explains_itself(change: Callable[..., Path]) -> None:
    code, out, _ = run("check", str(change("changes:\n  - {target: 'website:/products/', action: rename}\n")))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "CR-1: Test change"
    # The answer first: the verdict, who signs off, what to test; then the summary.
    assert lines[1] == "Not blocking · not ready to ship: no status"  # the one verdict (issue #26)
    assert lines[2] == "The change needs the minor release path (none declared)."
    assert lines[3].startswith("Sign off: web (responsible)")
    assert lines[4].startswith("Tests: 2 to run: ")
    assert (
        "1 asset changed; 5 impacted across 3 tools, up to 2 tools away (2 high risk, 3 medium, 0 low); "
        "4 teams to involve; 2 tests to run; 3 assets with no test."
    ) in lines[3:6]
    assert "   ! salesforce:queue/emea (2 tools away)" in lines
    i = lines.index("   ! salesforce:queue/emea (2 tools away)")
    assert lines[i + 1] == (
        "        why: website:/products/ -> marketo:segmentation/interest -> marketo:field/division -> "
        "salesforce:field/division -> salesforce:queue/emea"
    )
    assert lines.index("  High risk (2):") < i < lines.index("  Medium risk (3):")


def test_markdown_output_keeps_table_columns(change: Callable[..., Path]) -> None:
    code, out, _ = run("check", str(change("changes:\n  - {target: 'website:/products/', action: rename, note: 'a | b'}\n")), "--format", "markdown")
    assert code == 0
    assert out.startswith("### Impact of `CR-1`: Test change\n")
    rows = [line for line in out.splitlines() if line.startswith("| ") and "`" in line]
    header_cells = {line.count(" | ") for line in out.splitlines() if line.startswith("|---")}
    assert rows and all(line.replace("\\|", "").count("|") in (5, 6) for line in rows), rows
    assert header_cells is not None
    assert "- [ ] `demo-routing` Demo form reaches the EMEA queue (manual, 15 min; covers `website:form/demo`, `salesforce:queue/emea`)" in out


def test_same_input_gives_same_bytes(change: Callable[..., Path]) -> None:
    path = change("changes:\n  - {target: marketo, action: modify}\n")
    for fmt in ("text", "json", "markdown"):
        first = run("check", str(path), "--format", fmt)[1]
        assert first and first == run("check", str(path), "--format", fmt)[1]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "changes:\n  - {target: 'website:/prodcts/', action: rename}\n",
            "changes/cr.yaml:5:14: target 'website:/prodcts/' is not an asset of the catalog in {cat}/; did you mean 'website:/products/'?",
        ),
        (
            "changes:\n  - {target: marketto, action: modify}\n",
            "changes/cr.yaml:5:14: target 'marketto' is neither an asset id (system:key) nor a system; systems: marketo, salesforce, website; did you mean 'marketo'?",
        ),
        (
            "changes:\n  - {target: 'website:/products/', action: remove}\n",
            "changes/cr.yaml:5:44: action: 'remove' is not one of 'modify', 'rename', 'delete', 'create' or 'deprecate'",
        ),
        ("changes: []\n", "changes/cr.yaml:4:10: changes: must list at least one item"),
    ],
)
def test_bad_change_files_are_refused_with_place(change: Callable[..., Path], tmp_path: Path, body: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = change(body)
    code, out, err = run("check", str(path))
    assert (code, out) == (2, "")
    assert err == "Error: " + message.format(cat="catalog") + "\n"


def test_catalog_discovery_order(write: Callable[..., Path], small_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMPACT_CATALOG", raising=False)
    # No catalog key: found by convention, a folder named 'catalog' above the change file.
    path = write("changes/deep/cr.yaml", "id: CR-2\ntitle: T\nchanges:\n  - {target: 'website:/products/', action: modify}\n")
    assert check_json(path)["catalog"] == "catalog"
    # --catalog / IMPACT_CATALOG come before the convention.
    (tmp_path / "other").mkdir()
    code, _, err = run("check", str(path), "--catalog", "other")
    assert code == 2 and "other: this folder holds no *.yaml or *.yml files; is it the catalog?" in err
    monkeypatch.setenv("IMPACT_CATALOG", "other")
    assert run("check", str(path))[0] == 2
    # The change file's own key comes before IMPACT_CATALOG and the convention...
    keyed = write("changes/keyed.yaml", "id: CR-3\ntitle: T\ncatalog: ../catalog\nchanges:\n  - {target: 'website:/products/', action: modify}\n")
    assert check_json(keyed)["catalog"] == "catalog"
    # ...but the command line wins over it: the option given now is what the person means.
    code, _, err = run("check", str(keyed), "--catalog", "other")
    assert code == 2 and "other: this folder holds no *.yaml or *.yml files; is it the catalog?" in err
    monkeypatch.delenv("IMPACT_CATALOG")
    (tmp_path / "other" / "teams.yaml").write_text("teams:\n  web: {name: Web}\n", encoding="utf-8")
    code, _, err = run("check", str(keyed), "--catalog", "other", "--format", "json")
    assert code == 2 and "not an asset of the catalog in other/" in err


def test_no_catalog_found_says_what_to_do(write: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMPACT_CATALOG", raising=False)
    path = write("cr.yaml", "id: CR-2\ntitle: T\nchanges:\n  - {target: 'a:b', action: modify}\n")
    code, _, err = run("check", str(path))
    assert code == 2
    assert err == (
        "Error: impact: no catalog found: give --catalog DIR, set IMPACT_CATALOG, add 'catalog: <folder>' to the change file, "
        "or keep the catalog in a folder named 'catalog' beside the folder of your change files\n"
    )


def test_validate_exit_codes(small_catalog: Path, write: Callable[..., Path], tmp_path: Path) -> None:
    code, out, err = run("validate", str(small_catalog))
    assert code == 0 and out == f"{small_catalog}: OK: 3 tools, 6 assets, 6 dependencies, 4 teams, 2 tests; 1 warning\n"
    assert err.startswith("Warning: ") and "dependency cycle" in err
    # --strict makes warnings fail, and says so instead of "OK".
    code, out, _ = run("validate", str(small_catalog), "--strict")
    assert code == 1 and out == f"{small_catalog}: FAILED with --strict: 1 warning (3 tools, 6 assets, 6 dependencies, 4 teams, 2 tests)\n"
    # The folder as an argument or as --catalog: the same answer.
    assert run("validate", "--catalog", str(small_catalog)) == run("validate", str(small_catalog))
    write("catalog/bad.yaml", "systems:\n  x:\n    name: X\n    owner: nobody\n")
    code, out, err = run("validate", str(small_catalog))
    assert code == 2 and out == ""
    assert "Error: " in err and "system 'x' owner 'nobody', which is not a team of this catalog" in err


def test_unexpected_errors_are_a_clean_bug_report(change: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import impact.analysis.check as check_module

    def boom(*_: object, **__: object) -> None:
        raise KeyError("x")

    monkeypatch.setattr(check_module, "tests_for", boom)
    code, out, err = run("check", str(change("changes:\n  - {target: marketo, action: modify}\n")))
    assert code == 3 and out == ""
    assert err.startswith("Error: internal error in impact (KeyError: 'x'). This is a bug")
    assert "Traceback" not in err


def test_loaded_catalog_is_the_fixture(small_catalog: Path) -> None:
    assert len(load_catalog(small_catalog).assets) == 6


def test_debug_adds_a_traceback_to_input_errors(change: Callable[..., Path]) -> None:
    path = change("changes:\n  - {target: nowhere, action: modify}\n")
    plain = run("check", str(path))
    debug = run("--debug", "check", str(path))
    assert plain[0] == debug[0] == 2
    assert "Traceback" not in plain[2]
    assert debug[2].startswith("Traceback (most recent call last):") and debug[2].endswith(plain[2])
