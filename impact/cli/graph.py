"""``impact graph``: pictures of a change's impact, a release, or the catalog."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from impact.cli.main import cli
from impact.cli.options import catalog_option, change_selection, max_tools_option, output_file_option
from impact.core.errors import ImpactError, display_path
from impact.render.graphviz import BINARY, FORMATS

SUFFIXES = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf"}


def _format_for(output: str | None, asked: str | None) -> str:
    """The picture format: --format, else the -o suffix, else DOT."""
    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    from_suffix = SUFFIXES.get(suffix)
    if asked and from_suffix and asked != from_suffix:
        raise click.UsageError(f"-o {output} ends in {suffix} but --format is {asked}; make them agree")
    if asked:
        return asked
    if from_suffix:
        return from_suffix
    if suffix:
        raise click.UsageError(
            f"cannot tell the picture format from {output!r}: end it in .svg, .png, .pdf or .dot, or give --format"
        )
    return "dot"


def _write(data: bytes, fmt: str, output: str | None, protected: list[Path]) -> None:
    from impact.store.fsio import atomic_write, guard_output

    if output is None or output == "-":
        if fmt in BINARY and sys.stdout.isatty():
            raise click.UsageError(f"a {fmt.upper()} picture is binary: write it to a file with -o picture.{fmt}")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    guard_output(target, protected)
    atomic_write(target, data)
    click.echo(f"Wrote {output}", err=True)


@cli.command()
@change_selection(
    release_help="Draw every change request of this release (from --changes DIR) in one picture, with conflicts."
)
@catalog_option
@max_tools_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Picture format. Default: from the -o suffix; DOT on standard output.",
)
@output_file_option
@click.option("--owners", is_flag=True, help="Show each asset's owner team.")
@click.option(
    "--upstream",
    type=click.IntRange(0, 50),
    default=0,
    show_default=True,
    metavar="N",
    help="Also show what feeds the changed assets, up to N tools back.",
)
@click.option("--focus", metavar="ASSET", help="Catalog picture: only the neighbourhood of this asset.")
@click.option(
    "--depth",
    type=click.IntRange(0, 50),
    default=2,
    show_default=True,
    metavar="N",
    help="With --focus: how many dependency steps around it.",
)
@click.option(
    "--system",
    "systems",
    metavar="ID",
    multiple=True,
    help="Catalog picture: only this tool (repeatable), with its direct links to other tools.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(5, 250),
    default=60,
    show_default=True,
    metavar="N",
    help="Assets drawn one by one; beyond this, each tool's farthest assets are counted in a '+N more' box.",
)
def graph(
    change_files: tuple[str, ...],
    release_id: str | None,
    changes_dir: str | None,
    catalog: str | None,
    max_tools: int,
    fmt: str | None,
    output: str | None,
    owners: bool,
    upstream: int,
    focus: str | None,
    depth: int,
    systems: tuple[str, ...],
    max_nodes: int,
) -> None:
    """Draw a picture: what a change reaches, a release, or the catalog.

    With one or more CHANGE.yaml: the changed assets (dark red) and everything they reach
    up to --max-tools tools away, one box per tool, coloured by how many tools
    away, critical assets with a double red border, numbered notes on the
    arrows (listed under the picture).

    With --release ID --changes DIR: every change request of the release in
    one picture, each marked SHIPS or HELD, with the unfinished change
    requests that hold one back; purple dashed arrows join change requests
    that conflict.

    With --catalog DIR and no change file: the catalog, or one tool
    (--system), or the neighbourhood of one asset (--focus, --depth).

    The format comes from the -o suffix (.svg, .png, .pdf, .dot) or --format;
    without -o, DOT source is printed. Large pictures fold each tool's
    farthest assets into a '+N more' box and say so.

    \b
    Examples:
        impact graph catalogs/example/changes/CR-101-products-to-solutions.yaml -o impact.svg
        impact graph --catalog catalogs/example/catalog --focus salesforce:queue/EMEA_Inbound -o around.png
        impact graph --release 2026-12-minor --changes catalogs/example/changes -o release.png
    """
    from impact.render.graphviz import render_picture

    picture_format = _format_for(output, fmt)
    _check_selection(change_files, release_id, changes_dir, catalog, focus, systems)
    drawing = {"owners": owners, "upstream": upstream, "max_nodes": max_nodes}
    if release_id and changes_dir:
        dot, protected = _release_picture(release_id, changes_dir, catalog, max_tools, drawing)
    elif change_files:
        dot, protected = _changes_picture(change_files, catalog, max_tools, drawing)
    else:
        assert catalog is not None
        dot = _catalog_picture(catalog, focus, depth, systems, owners, max_nodes)
        protected = [Path(catalog)]
    _write(render_picture(dot, picture_format), picture_format, output, protected)


def _check_selection(
    change_files: tuple[str, ...],
    release: str | None,
    changes_dir: str | None,
    catalog: str | None,
    focus: str | None,
    systems: tuple[str, ...],
) -> None:
    """What to draw is given once: change files, a release, or a catalog (with --focus or --system)."""
    if (focus or systems) and (change_files or release):
        raise click.UsageError("--focus and --system draw the catalog: use them with --catalog DIR and no change file")
    if not change_files and release is None and not changes_dir:
        if not catalog:
            raise click.UsageError(
                "give a change file, --release ID --changes DIR, or --catalog DIR (see impact graph --help)"
            )
    else:
        from impact.cli.options import require_selection

        require_selection(change_files, release, changes_dir)


def _release_picture(
    release: str, changes_dir: str, catalog: str | None, max_tools: int, drawing: dict[str, Any]
) -> tuple[str, list[Path]]:
    """Every change request of a release in one picture, marked as it ships or is held, with its conflicts."""
    from impact.analysis.workspace import open_workspace
    from impact.render.picture import conflict_edges, impact_picture, picture_verdicts

    ws = open_workspace([], changes_dir, catalog)
    answer = ws.release(release, max_tools)
    members = sorted([*answer.ships, *(h.result for h in answer.held), *answer.released], key=lambda r: r.change.id)
    if not members:
        raise ImpactError(f"no change request in {display_path(changes_dir)} names release {release!r}")
    ids = {r.change.id for r in members}
    outside = sorted({c.other(i) for c in answer.conflicts for i in ids if c.involves(i) and c.other(i) not in ids})
    notes = (
        [
            f"Also in conflict with change requests outside this release: {', '.join(outside)} (impact release "
            f"check {release} tells more)."
        ]
        if outside
        else []
    )
    dot = impact_picture(
        members,
        ws.graph,
        conflicts=conflict_edges(answer.conflicts),
        notes=notes,
        verdicts=picture_verdicts(answer, ws.changes),
        title=f"Release {release}: {len(members)} change request{'s' if len(members) != 1 else ''}",
        **drawing,
    )
    return dot, [Path(changes_dir), ws.catalog_path]


def _changes_picture(
    change_files: tuple[str, ...], catalog: str | None, max_tools: int, drawing: dict[str, Any]
) -> tuple[str, list[Path]]:
    """What one change request, or several together, change and reach."""
    from impact.render.picture import impact_picture

    if len(change_files) == 1:
        from impact.analysis.workspace import run_check
        from impact.graph.depgraph import DependencyGraph

        result, catalog_path = run_check(Path(change_files[0]), catalog, max_tools)
        dot = impact_picture([result], DependencyGraph(result.catalog), **drawing)
        return dot, [Path(change_files[0]), catalog_path]
    from impact.analysis.workspace import open_workspace

    ws = open_workspace(change_files, None, catalog)
    results = ws.check_all(max_tools)
    title = f"{len(results)} change requests: {', '.join(r.change.id for r in results)}"
    return impact_picture(results, ws.graph, title=title, **drawing), [*ws.inputs, ws.catalog_path]


def _catalog_picture(
    catalog: str, focus: str | None, depth: int, systems: tuple[str, ...], owners: bool, max_nodes: int
) -> str:
    """The catalog, some of its tools, or the neighbourhood of one asset."""
    from impact.analysis.workspace import open_catalog
    from impact.render.picture import catalog_picture

    if not Path(catalog).is_dir():
        raise ImpactError(f"--catalog {display_path(catalog)}: no such folder")
    cat, graph_ = open_catalog(Path(catalog))
    return catalog_picture(cat, graph_, focus=focus, depth=depth, systems=systems, owners=owners, max_nodes=max_nodes)
