"""``impact init``: a commented starter catalog to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.main import cli
from impact.cli.options import catalog_folder_options

SCHEMA_LINE = "# yaml-language-server: $schema=schemas/catalog.schema.json\n"

STARTER = {
    "teams.yaml": """\
# Teams own tools and assets, and get consulted or informed about changes.
# Ids (the keys) use letters, digits, '-', '_' and '.'.
teams:
  web:
    name: Web Team
    email: web@example.com      # optional
    slack: "#web-team"          # optional
  mops:
    name: Marketing Operations
""",
    "website.yaml": """\
# One file per tool is a good habit. An asset's id is <system>:<key>, e.g. website:/products/.
systems:
  website:
    name: Corporate website
    kind: cms                   # optional
    owner: web                  # a team id from teams.yaml
    consulted: [mops]           # optional: teams to ask before changing this tool
    assets:
      /products/:
        type: folder
        description: Product pages; marketing lists key on this URL path.
      form/demo-request:
        type: form
        critical: true          # true or false only
        depends_on:
          - website:/products/  # a change to /products/ can break this form
""",
    "marketo.yaml": """\
systems:
  marketo:
    name: Marketo
    owner: mops
    assets:
      smart-list/product-visitors:
        type: smart-list
        depends_on:
          - asset: website:/products/
            note: filters on the page URL    # optional: why the dependency exists
""",
    "policy.yaml": """\
# What a change needs before 'impact release check' lets it ship, besides
# 'status: approved', a release path that fits and no conflict:
#   signoffs: every team of its "Sign off" list approved (impact signoff)
#   steps:    triage, build and QA recorded, by different people (impact step)
#   tests:    on minor and major paths, every test to run passed (impact result, impact run-tests)
policy:
  ready: [signoffs, steps, tests]
""",
    "tests.yaml": """\
# Regression tests: what to run when a covered asset changes or is impacted.
tests:
  demo-form-submits:
    name: The demo form creates a lead in Marketo
    covers: [website:form/demo-request, marketo:smart-list/product-visitors]
    owner: mops                 # optional
    kind: manual                # manual or automated
    steps:
      - Submit the demo form on a product page
      - Check the lead appears in the smart list
    minutes: 10                 # optional whole number
""",
}


EXAMPLE_CHANGE = """\
# yaml-language-server: $schema={schema}
# An example change request: check it with 'impact check {path}'.
id: CR-1
title: Rename /products/ to /solutions/ for SEO
requested_by: web               # optional team id
status: draft                   # draft | triage | build | qa | approved | released
path: minor                     # optional: quick-hit | minor | major
catalog: {catalog}  # optional: the catalog folder, relative to this file
changes:
  - target: website:/products/  # an asset id, or a system id for every asset of it
    action: rename              # modify | rename | delete | create | deprecate
    note: New URL /solutions/; 301 redirects in place
"""


@cli.command()
@catalog_folder_options
@click.option(
    "--changes",
    "changes_dir",
    metavar="DIR",
    help="Folder for the example change request. Default: 'changes' beside the catalog folder.",
)
def init(catalog: str | None, changes_dir: str | None) -> None:
    """Create a commented starter catalog in DIR (default: ./catalog), and an example change.

    Writes a few YAML files to edit (teams, two tools, a test), the JSON
    Schemas under DIR/schemas/ that give completion and inline errors in
    editors, and an example change request, changes/CR-1-example.yaml beside
    the catalog folder, to try 'impact check' on. Refuses to touch a folder
    that already holds YAML files, and never replaces a change file.

    \b
    Example:
        impact init catalog && impact check changes/CR-1-example.yaml
    """
    import os

    from impact.core.errors import ImpactError, display_path
    from impact.read.jsonschemas import schema_texts
    from impact.store.fsio import atomic_write

    root = Path(catalog or "catalog")
    if root.exists() and not root.is_dir():
        raise ImpactError(f"{display_path(root)} is a file; give a folder for the new catalog")
    if root.is_dir() and any(p.suffix in (".yaml", ".yml") for p in root.rglob("*")):
        raise ImpactError(f"{display_path(root)} already holds YAML files; impact init only starts new catalogs")
    changes = Path(changes_dir) if changes_dir else root.parent / "changes"
    example = changes / "CR-1-example.yaml"
    if changes.resolve().is_relative_to(root.resolve()):
        raise ImpactError(
            f"--changes {display_path(changes)} is inside the catalog folder, where every YAML file belongs to the "
            "catalog; choose a folder beside it"
        )
    if example.exists():
        raise ImpactError(
            f"{display_path(example)} already exists; impact init never replaces a change file (give --changes DIR)"
        )
    for name, text in STARTER.items():
        atomic_write(root / name, SCHEMA_LINE + text)
    for name, text in schema_texts().items():
        atomic_write(root / "schemas" / name, text)
    relative = Path(os.path.relpath(root.resolve(), changes.resolve())).as_posix()
    schema = Path(os.path.relpath((root / "schemas" / "change.schema.json").resolve(), changes.resolve())).as_posix()
    import json

    atomic_write(
        example, EXAMPLE_CHANGE.format(path=display_path(example), catalog=json.dumps(relative), schema=schema)
    )
    click.echo(
        f"Created a starter catalog in {display_path(root).rstrip('/')}/ and an example change request, "
        f"{display_path(example)}.",
        err=True,
    )
    click.echo(
        f"Next: edit the files, then run 'impact validate {display_path(root)}' and 'impact check "
        f"{display_path(example)}'.",
        err=True,
    )
