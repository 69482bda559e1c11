"""``impact schema``: JSON Schemas for editors (completion and inline errors)."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.main import cli
from impact.cli.options import output_dir_option


@cli.command()
@output_dir_option(
    "Folder to write catalog.schema.json, change.schema.json and release.schema.json into (-o DIR works too).",
    default="schemas",
)
def schema(output_dir: str) -> None:
    """Write JSON Schemas of catalog, change and release files, for editors.

    Point a YAML file at a schema with a first-line comment and VS Code (with
    the Red Hat YAML extension) and other editors complete keys and underline
    mistakes as you type:

        \b
        # yaml-language-server: $schema=../schemas/catalog.schema.json

    The path is relative to the YAML file. Existing schema files are replaced.

    \b
    Example:
        impact schema --output-dir schemas
    """
    from impact.read.jsonschemas import schema_texts
    from impact.store.fsio import atomic_write

    folder = Path(output_dir)
    for name, text in schema_texts().items():
        atomic_write(folder / name, text)
        click.echo(f"Wrote {folder / name}", err=True)
