"""``impact import dbt DIR``: a dbt project folder read without dbt, with the ids the manifest importer writes.

The independent reading is dbt's own: the manifest dbt compiled from the same
commit of the same project (dbt-osmosis's demo_duckdb, see
tests/fixtures/README.md) must give the same assets, edges and tests. A
project written here covers what that one lacks: packages' refs, versions,
sources, exposures, snapshots, Python models, disabled models and refs
built by Jinja.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from impact.cli.main import cli
from impact.importers.changes.model import FolderTree
from impact.importers.dbtproject import generic_test_name, read_project
from impact.load.loader import load_catalog

FIXTURES = Path(__file__).parent / "fixtures" / "dbt"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def catalog(tmp_path: Path, name: str, source: Path) -> tuple[set[str], set[tuple[str, str]], dict[str, list[str]]]:
    out = tmp_path / name / "dbt.yaml"
    code, text = run("import", "dbt", str(source), "--owner", "analytics", "-o", str(out))
    assert code == 0, text
    cat = load_catalog(out.parent)
    edges = {(d.upstream, d.downstream) for d in cat.dependencies}
    tests = (
        {t.id: sorted(t.covers) for t in cat.tests.values()}
        if isinstance(cat.tests, dict)
        else {t.id: sorted(t.covers) for t in cat.tests}
    )
    return set(cat.assets), edges, tests


def test_project_folder_gives_the_manifests_assets_edges_and_tests(tmp_path: Path) -> None:
    folder = catalog(tmp_path, "folder", FIXTURES / "jaffle_shop_duckdb_project")
    manifest = catalog(tmp_path, "manifest", FIXTURES / "jaffle_shop_duckdb.manifest.json")
    assert folder[0] == manifest[0] and len(folder[0]) == 8
    assert folder[1] == manifest[1] and len(folder[1]) == 8
    assert folder[2] == manifest[2] and len(folder[2]) == 20


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


PROJECT = {
    "dbt_project.yml": (
        "name: revops\nversion: '1.0'\nmodel-paths: [transform]\n"
        "models:\n  revops:\n    legacy:\n      +enabled: false\n"
    ),
    "transform/stg_leads.sql": "{{ config(alias='leads') }}\nselect * from {{ source('salesforce', 'lead') }}",
    "transform/fct_pipeline.sql": (
        "-- depends_on: {{ ref('dim_dates') }}\nselect l.id, o.amount from {{ ref('stg_leads') }} l\n"
        'join {{ ref("fct_opps", v=2) }} o on o.lead_id = l.id\n'
        "join {{ ref('fivetran_utils', 'calendar') }} c on true\n"
        "{% for t in var('extra') %} join {{ ref(t) }} on true {% endfor %}"
    ),
    "transform/fct_opps_v2.sql": "select 1 as lead_id, 2 as amount from {{ ref('country_codes') }}",
    "transform/dim_dates.py": "def model(dbt, session):\n    return dbt.ref('country_codes')\n",
    "transform/legacy/old_model.sql": "select * from {{ ref('stg_leads') }}",
    "transform/off.sql": "{{ config(enabled=false) }} select 1",
    "transform/schema.yml": (
        "version: 2\nmodels:\n  - name: fct_opps\n    latest_version: 2\n    versions: [{v: 2}]\n"
        "  - name: fct_pipeline\n    description: '{{ doc(\"pipeline\") }}'\n    columns:\n      - name: id\n"
        "        data_tests: [unique, not_null, {relationships: {arguments: {to: ref('stg_leads'), field: id}}}]\n"
        "sources:\n  - name: salesforce\n    tables:\n      - name: lead\n        columns:\n          - name: Email\n"
        "            tests: [{accepted_values: {values: [a, b], config: {severity: warn}}}]\n"
        "exposures:\n  - name: board_deck\n    type: dashboard\n    owner: {name: RevOps}\n"
        "    depends_on: [\"ref('fct_pipeline')\"]\n"
    ),
    "transform/docs.md": "{% docs pipeline %}\nOne row per open opportunity.\n{% enddocs %}\n",
    "packages.yml": "packages:\n  - package: fivetran/fivetran_utils\n    version: [\">=0.4.0\"]\n",
    "transform/stg_events.sql": "{{ fivetran_utils.union_connections(connection_dictionary='sources') }}\n{{ x.append(1) }}",
    "seeds/country_codes.csv": "code,name\nDE,Germany\n",
    "snapshots/leads.sql": "{% snapshot leads_snapshot %}\nselect * from {{ ref('stg_leads') }}\n{% endsnapshot %}\n",
    "tests/assert_positive.sql": "select * from {{ ref('fct_opps') }} where amount < 0",
}


def test_what_a_real_project_writes_is_read_as_dbt_reads_it(tmp_path: Path) -> None:
    project = read_project(FolderTree(write(tmp_path, PROJECT)))
    deps = {key: node.depends_on for key, node in project.nodes.items()}
    assert deps["model/fct_pipeline"] == ["model/calendar", "model/dim_dates", "model/fct_opps", "model/stg_leads"]
    assert deps["model/stg_leads"] == ["source/salesforce.lead"]
    assert deps["model/fct_opps"] == ["seed/country_codes"]  # fct_opps_v2.sql is version 2 of fct_opps
    assert deps["model/dim_dates"] == ["seed/country_codes"]  # a Python model's dbt.ref
    assert deps["snapshot/leads_snapshot"] == ["model/stg_leads"]
    assert deps["exposure/board_deck"] == ["model/fct_pipeline"]
    assert "model/old_model" not in deps and "model/off" not in deps  # disabled in dbt_project.yml / in its config
    assert project.nodes["model/fct_pipeline"].description == "One row per open opportunity."
    assert project.nodes["model/stg_leads"].config["alias"] == "leads"
    tests = {name: test.covers for name, test in project.tests.items()}
    assert tests["relationships_fct_pipeline_id__id__ref_stg_leads_"] == ["model/fct_pipeline", "model/stg_leads"]
    assert tests["accepted_values_salesforce_lead_Email__a__b"] == ["source/salesforce.lead"]
    assert tests["assert_positive"] == ["model/fct_opps"]
    assert {"unique_fct_pipeline_id", "not_null_fct_pipeline_id"} <= set(tests)
    [packaged] = [w for w in project.warnings if "package macros" in w]
    assert packaged.startswith("transform/stg_events.sql: read no ref() or source() themselves")
    assert "(fivetran_utils.union_connections)" in packaged  # not x.append: x is no package
    [dynamic] = [w for w in project.warnings if "built by Jinja" in w]
    assert dynamic.startswith("transform/fct_pipeline.sql:5: ref(t) is built by Jinja")


def test_generic_test_names_follow_dbt() -> None:
    # dbt's names for these, as its manifests hold them (tests/fixtures/dbt/jaffle_shop_duckdb.manifest.json).
    args = {"column_name": "status", "values": ["placed", "shipped", "completed", "return_pending", "returned"]}
    assert (
        generic_test_name("accepted_values", "orders", args)
        == "accepted_values_orders_status__placed__shipped__completed__return_pending__returned"
    )
    assert generic_test_name("not_null", "stg_orders", {"column_name": "order_id"}) == "not_null_stg_orders_order_id"


def test_import_dbt_dir_names_the_refs_it_cannot_read(tmp_path: Path) -> None:
    write(tmp_path / "project", PROJECT)
    code, out = run(
        "import", "dbt", str(tmp_path / "project"), "--owner", "analytics", "-o", str(tmp_path / "cat" / "dbt.yaml")
    )
    assert code == 0, out
    assert "fct_pipeline.sql:5: ref(t) is built by Jinja" in out
    cat = load_catalog(tmp_path / "cat")
    assert "dbt:model/calendar" in cat.assets  # a package's model, as a manifest lists it
    assert any(
        t.run == "dbt test --select unique_fct_pipeline_id"
        for t in (cat.tests.values() if isinstance(cat.tests, dict) else cat.tests)
    )


def test_bad_yaml_in_a_project_is_one_message_with_its_place(tmp_path: Path) -> None:
    write(
        tmp_path / "project",
        {
            "dbt_project.yml": "name: p\n",
            "models/a.sql": "select 1",
            "models/schema.yml": "models:\n  - name: a\n   bad: [\n",
        },
    )
    code, out = run("import", "dbt", str(tmp_path / "project"), "-o", str(tmp_path / "cat" / "dbt.yaml"))
    assert code == 2
    assert "project/models/schema.yml:3:" in out and "not valid YAML" in out and "Traceback" not in out
    assert not (tmp_path / "cat" / "dbt.yaml").exists()


def test_a_folder_without_dbt_project_yml_says_what_to_give(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, out = run("import", "dbt", str(tmp_path / "empty"), "-o", str(tmp_path / "cat" / "dbt.yaml"))
    assert code == 2 and "no dbt_project.yml" in out


def test_a_catalog_imported_from_a_manifest_is_compared_manifest_to_manifest(tmp_path: Path) -> None:
    import json

    from impact.importers.changes.dbt import snapshot

    data = json.loads((FIXTURES / "jaffle_shop_duckdb.manifest.json").read_text(encoding="utf-8"))
    data["nodes"]["model.jaffle_shop_duckdb.orders"]["raw_code"] = "select 1 as order_id  -- the fixture keeps no SQL"
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text(json.dumps(data))
    orders = data["nodes"]["model.jaffle_shop_duckdb.orders"]
    orders["description"] = "One row per order, refunds included."
    orders["raw_code"] = "select 2 as order_id"
    data["nodes"]["seed.jaffle_shop_duckdb.raw_orders"]["checksum"] = {"name": "sha256", "checksum": "0" * 64}
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "manifest.json").write_text(json.dumps(data))
    old, new = snapshot(FolderTree(tmp_path / "old"), "dbt"), snapshot(FolderTree(tmp_path / "new"), "dbt")
    assert (
        set(old)
        == set(new)
        == {f"dbt:{k}" for k in read_project(FolderTree(FIXTURES / "jaffle_shop_duckdb_project")).nodes}
    )
    changed = {aid: {f.aspect for key, f in new[aid].facets.items() if old[aid].facets.get(key) != f} for aid in new}
    assert {aid: aspects for aid, aspects in changed.items() if aspects} == {
        "dbt:model/orders": {"content", "logic"},
        "dbt:seed/raw_orders": {"data"},
    }
