"""One command-line vocabulary: the same options mean the same thing in every command.

These tests walk the real commands (as docs/cli.md does), so a new command
that skips the shared decorators of impact/cli/options.py fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from impact.cli.main import SECTIONS, cli
from tests.conftest import EXAMPLE
from tests.helpers import run_cli
from tests.test_cli_reference import walk

COMMANDS = {name: (command, ctx) for name, command, ctx in walk(cli, ["impact"]) if not isinstance(command, click.Group)}
CHANGES = EXAMPLE / "changes"
CATALOG = EXAMPLE / "catalog"
CR101 = str(CHANGES / "CR-101-products-to-solutions.yaml")
CR105 = str(CHANGES / "CR-105-retire-emea-round-robin.yaml")

READS_NO_CATALOG = {"impact schema"}
"""Commands that never read a catalog (schema writes files from impact's own models)."""


def options(command: click.Command) -> dict[str, click.Parameter]:
    return {opt: p for p in command.params for opt in (*p.opts, *p.secondary_opts)}


def test_every_catalog_reading_command_takes_catalog_option() -> None:
    missing = [name for name, (command, _) in COMMANDS.items() if name not in READS_NO_CATALOG and "--catalog" not in options(command)]
    assert missing == []


@pytest.mark.parametrize("name", ["validate", "coverage"])
def test_folder_as_argument_or_option_gives_the_same_answer(name: str) -> None:
    by_argument = run_cli(name, str(CATALOG), "--format", "json")
    by_option = run_cli(name, "--catalog", str(CATALOG), "--format", "json")
    assert by_argument == by_option
    assert by_argument[0] == 0 and json.loads(by_argument[1])
    code, _, err = run_cli(name, str(CATALOG), "--catalog", str(EXAMPLE))
    assert code == 2 and "two catalogs given" in err


def test_every_answer_has_text_json_and_markdown() -> None:
    for name, (command, _) in COMMANDS.items():
        fmt = options(command).get("--format")
        if fmt is None or name in ("impact graph", "impact changes"):  # pictures (svg, png, pdf, dot); a change file (yaml, json)
            continue
        assert isinstance(fmt.type, click.Choice)
        assert {"text", "json", "markdown"} <= set(fmt.type.choices), name


def test_old_format_names_still_work_but_are_not_shown() -> None:
    command, ctx = COMMANDS["impact stakeholders"]
    assert "[text|csv|json|markdown|emails]" in command.get_help(ctx) and "table|" not in command.get_help(ctx)
    old = run_cli("stakeholders", CR101, "--format", "table")
    new = run_cli("stakeholders", CR101, "--format", "text")
    assert old == new and old[0] == 0 and "TEAM" in old[1]


def test_o_is_always_a_file_and_folders_are_named_as_folders() -> None:
    for name, (command, _) in COMMANDS.items():
        for param in command.params:
            if "-o" in param.opts and not param.hidden:
                assert isinstance(param, click.Option) and param.metavar == "FILE", name
            if param.metavar == "DIR" and param.name and "output" in param.name and not param.hidden:
                assert "--output-dir" in param.opts, name


def test_report_o_dir_still_works(tmp_path: Path) -> None:
    code, _, err = run_cli("report", CR105, "-o", str(tmp_path / "old"))
    assert code == 0, err
    code, _, err = run_cli("report", CR105, "--output-dir", str(tmp_path / "new"))
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "old").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "new").iterdir()) and "release-notes.html" in names
    assert (tmp_path / "old" / "impact.json").read_bytes() == (tmp_path / "new" / "impact.json").read_bytes()


CHANGE_COMMANDS = ["check", "check-changes", "conflicts", "stakeholders", "notify", "graph", "report"]


@pytest.mark.parametrize("name", CHANGE_COMMANDS)
def test_change_files_or_a_release_the_same_way(name: str) -> None:
    command, _ = COMMANDS[f"impact {name}"]
    found = options(command)
    assert {"--release", "--changes"} <= set(found), name
    argument = next(p for p in command.params if isinstance(p, click.Argument))
    assert argument.nargs == -1 and argument.human_readable_name == "[CHANGE.yaml]...", name
    extra = ["--stage", "pre-release"] if name == "notify" else []
    code, _, err = run_cli(name, "--release", "2026-12-minor", *extra)
    assert code == 2 and "--release needs --changes DIR" in err, (name, err)


@pytest.mark.parametrize("name", ["check", "check-changes", "stakeholders", "notify", "conflicts"])
def test_several_change_files(name: str) -> None:
    extra = ["--stage", "pre-release"] if name == "notify" else []
    code, out, err = run_cli(name, CR101, CR105, *extra, "--format", "json")
    assert code in (0, 1), err
    text = json.dumps(json.loads(out))
    assert "CR-101" in text and "CR-105" in text


def test_check_of_several_changes_ends_with_a_summary() -> None:
    files = sorted(str(p) for p in CHANGES.glob("*.yaml"))
    code, out, _ = run_cli("check-changes", *files)
    data = json.loads(run_cli("check-changes", *files, "--format", "json")[1])
    blocking = data["summary"]["blocking"]
    assert code == (1 if blocking else 0)
    last = out.rstrip("\n").splitlines()[-1]
    assert last.startswith(f"Checked {len(files)} change requests: {len(blocking)} blocking")
    assert all(b in last for b in blocking)
    assert len(data["changes"]) == len(files)
    # The same through check, and through --release.
    assert run_cli("check", *files) == (code, out, "")
    release = [c for c in data["changes"] if c["change"].get("release") == "2026-12-minor"]
    code, out, _ = run_cli("check", "--release", "2026-12-minor", "--changes", str(CHANGES))
    assert out.rstrip("\n").splitlines()[-1].startswith(f"Checked {len(release)} change request")


def test_release_check_takes_the_release_as_argument_or_option() -> None:
    a = run_cli("release", "check", "2026-11-quick", "--changes", str(CHANGES), "--format", "json")
    b = run_cli("release", "check", "--release", "2026-11-quick", "--changes", str(CHANGES), "--format", "json")
    assert a == b and json.loads(a[1])


def test_examples_in_help_are_never_wrapped() -> None:
    """Each ``impact ...`` line of a docstring appears whole in the help, even 60 columns wide."""
    for name, command, ctx in walk(cli, ["impact"]):
        text = (command.help or "").split("Example", 1)[-1]
        examples = [line.strip() for line in text.splitlines() if line.strip().startswith("impact ")]
        assert examples or isinstance(command, click.Group), f"{name} has no example"
        ctx.terminal_width = ctx.max_content_width = 60
        shown = [line.strip() for line in command.get_help(ctx).splitlines()]
        for example in examples:
            assert example in shown, f"{name}: {example!r} is wrapped in --help"


def test_top_level_help_is_grouped_by_task_with_whole_descriptions() -> None:
    grouped = [n for names in SECTIONS.values() for n in names]
    assert sorted(grouped) == sorted(cli.list_commands(click.Context(cli))), "every command in exactly one section"
    result = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert "..." not in result.output.split("Everyday checks:")[1]
    for title in SECTIONS:
        assert f"\n{title}:\n" in result.output
    for name in grouped:
        command = cli.get_command(click.Context(cli), name)
        assert command is not None
        first = (command.help or "").split("\n\n")[0]
        one_line = re.sub(r"\s+", " ", first).strip()
        assert one_line in re.sub(r"\s+", " ", result.output), name


def test_csv_next_to_an_imported_system_has_a_way_forward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal names a command; running the commands it names imports every row."""
    import shlex

    monkeypatch.chdir(tmp_path)
    assert run_cli("init", "catalog")[0] == 0
    Path("deps.csv").write_text(
        "MetadataComponentName,MetadataComponentType,RefMetadataComponentName,RefMetadataComponentType\n"
        "LeadRouter,ApexClass,Lead.Status,CustomField\n",
        encoding="utf-8",
    )
    Path("inventory.csv").write_text(
        "system,key,type,owner,depends_on\nsalesforce,queue/emea,queue,mops,\nmarketo,list/x,smart-list,mops,\n",
        encoding="utf-8",
    )
    assert run_cli("import", "salesforce-deps", "deps.csv", "--owner", "mops", "-o", "catalog/salesforce.yaml")[0] == 0
    code, _, err = run_cli("import", "csv", "inventory.csv", "-o", "catalog/inventory.yaml")
    assert code == 2 and not Path("catalog/inventory.yaml").exists()
    hints = [line.split("instead: ", 1)[1] for line in err.splitlines() if "instead: impact import csv" in line]
    assert len(hints) == 2
    for hint in hints:
        code, _, err = run_cli(*shlex.split(hint)[1:])
        assert code == 0, err
    code, _, _ = run_cli("validate", "catalog", "--format", "json")
    assert code == 0
    assert "queue/emea:" in Path("catalog/salesforce.yaml").read_text(encoding="utf-8")
    assert "list/x:" in Path("catalog/marketo.yaml").read_text(encoding="utf-8")


def test_notify_about_several_change_files_names_each() -> None:
    code, out, err = run_cli("notify", CR101, CR105, "--stage", "pre-release")
    assert code == 0, err
    assert out.splitlines()[0] == "Subject: [CR-101, CR-105] Coming up: 2 change requests"
    assert "Change request CR-101 is" in out and "Change request CR-105 is" in out


def test_coverage_csv_agrees_with_its_json() -> None:
    import csv
    import io

    code, out, _ = run_cli("coverage", str(CATALOG), "--format", "csv")
    data = json.loads(run_cli("coverage", str(CATALOG), "--format", "json")[1])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["scope"] == "catalog" and int(rows[0]["assets_covered"]) == data["overall"]["assets"]["covered"]
    teams = {r["id"]: r for r in rows if r["scope"] == "team"}
    assert set(teams) == set(data["by_team"])
    for team, row in teams.items():
        assert int(row["critical_total"]) == data["by_team"][team]["critical"]["total"]


def test_init_writes_an_example_change_that_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMPACT_CATALOG", raising=False)
    code, _, err = run_cli("init", "--catalog", "stack/catalog")
    assert code == 0, err
    example = Path("stack/changes/CR-1-example.yaml")
    assert f"impact check {example}" in err
    assert run_cli("validate", "stack/catalog")[0] == 0
    code, out, err = run_cli("check", str(example), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["change"]["id"] == "CR-1"
    # From anywhere: the file names its catalog relative to itself.
    monkeypatch.chdir(tmp_path / "stack" / "changes")
    assert run_cli("check", "CR-1-example.yaml")[0] == 0
    monkeypatch.chdir(tmp_path)
    before = example.read_bytes()
    code, _, err = run_cli("init", "other", "--changes", "stack/changes")
    assert code == 2 and "never replaces a change file" in err
    assert example.read_bytes() == before and not Path("other").exists()
