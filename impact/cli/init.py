"""``impact init``: a commented starter catalog to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.main import cli

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


@cli.command()
@click.argument("directory", metavar="[DIR]", default="catalog")
def init(directory: str) -> None:
    """Create a commented starter catalog in DIR (default: ./catalog).

    Writes a few YAML files to edit (teams, two tools, a test) and the JSON
    Schemas under DIR/schemas/ that give completion and inline errors in
    editors. Refuses to touch a folder that already holds YAML files.

    Example:

        impact init catalog && impact validate catalog
    """
    from impact.core.errors import ImpactError, display_path
    from impact.read.jsonschemas import schema_texts
    from impact.store.fsio import atomic_write

    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise ImpactError(f"{display_path(root)} is a file; give a folder for the new catalog")
    if root.is_dir() and any(p.suffix in (".yaml", ".yml") for p in root.rglob("*")):
        raise ImpactError(f"{display_path(root)} already holds YAML files; impact init only starts new catalogs")
    for name, text in STARTER.items():
        atomic_write(root / name, SCHEMA_LINE + text)
    for name, text in schema_texts().items():
        atomic_write(root / "schemas" / name, text)
    click.echo(f"Created a starter catalog in {display_path(root)}. Next: edit the files, then run 'impact validate {display_path(root)}'.", err=True)
