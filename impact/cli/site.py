"""``impact site``: the catalog explorer, a static folder to open in any browser."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.main import cli
from impact.cli.options import catalog_folder_options, max_tools_option, output_dir_option

DEFAULT_FOLDER = "site"


@cli.command()
@catalog_folder_options
@click.option(
    "--changes",
    "changes",
    metavar="DIR",
    help="Folder of change requests; those not released yet are shown. Default: a 'changes' folder beside the "
         "catalog folder, if there is one.",
)
@max_tools_option
@output_dir_option("Folder to write the site to, replaced as a whole (-o DIR works too).", default=DEFAULT_FOLDER)
@click.option(
    "--serve",
    is_flag=True,
    help="Then preview it on http://127.0.0.1:PORT/ and write it again whenever a catalog or change file changes "
         "(Ctrl-C stops).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    metavar="PORT",
    help="Port for --serve (0: any free port).",
)
def site(catalog: str | None, changes: str | None, max_tools: int, output_dir: str, serve: bool, port: int) -> None:
    """Write the catalog explorer: a static site to look up any asset in a browser.

    DIR/index.html opens by double-click, offline, with no server (or publish
    the folder on any static host). Search across ids, names, types, owners,
    tools and descriptions; each asset's page shows what it reaches up to
    --max-tools tools away with why, whom to ask before changing it, what
    feeds it, its tests and the change requests in flight that change or
    reach it. Team, tool, coverage and change pages link it all together.

    The site is built in a temporary folder beside DIR and swapped in whole,
    so a failed run leaves the previous site as it was; a folder impact did
    not write is never replaced.

    With --serve, it then previews the site on http://127.0.0.1:8000/ and
    writes it again whenever a catalog or change file changes (reload the
    page to see it).

    \b
    Example:
        impact site catalogs/example/catalog --output-dir site
    """
    from impact.load.change import catalog_folder

    catalog_path = catalog_folder(catalog)
    target = Path(output_dir)
    changes_path = Path(changes) if changes else None
    _write(catalog_path, changes_path, max_tools, target)
    if serve:
        _serve(catalog_path, changes_path, max_tools, target, port)


def _write(catalog_path: Path, changes: Path | None, max_tools: int, target: Path) -> list[Path]:
    """Write the site once; returns the folders it read (for --serve to watch)."""
    from impact.analysis.site import open_site
    from impact.cli.terminal import loading
    from impact.render.site import is_site, render_site
    from impact.store.fsio import atomic_folder

    with loading(catalog_path):
        model, changes_path = open_site(catalog_path, changes, max_tools)
    files = render_site(model)
    inputs = [catalog_path, *([changes_path] if changes_path else [])]
    atomic_folder(target, files, is_site, inputs)
    for problem in model.skipped:
        click.echo(f"Warning: {problem} (this change request is left out of the site)", err=True)
    size = sum(len(b) for b in files.values())
    click.echo(f"Wrote {target}/: {len(files)} files, {size / 1e6:.1f} MB, {len(model.ids):,} assets.", err=True)
    click.echo(f"Open {target / 'index.html'} in a browser.", err=True)
    return inputs


def _fingerprint(folders: list[Path]) -> list[tuple[str, int, int]]:
    """Every file below the folders with its size and modification time: any edit changes it."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            try:
                info = path.stat()
            except OSError:  # removed while we looked
                continue
            found.append((str(path), info.st_size, info.st_mtime_ns))
    return found


def _serve(catalog_path: Path, changes: Path | None, max_tools: int, target: Path, port: int) -> None:
    """Serve the site on localhost; write it again when an input changes. Stops on Ctrl-C."""
    import functools
    import threading
    import time
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from impact.core.errors import ImpactError

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # the base class's name
            pass

    # The folder is swapped whole on each write, so serve it by its path, looked up per request.
    handler = functools.partial(Quiet, directory=str(target))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    click.echo(
        f"Serving http://127.0.0.1:{server.server_address[1]}/ ; writing the site again when the catalog changes. "
        "Ctrl-C stops.",
        err=True,
    )
    watched = [catalog_path, *([changes] if changes else [])]
    seen = _fingerprint(watched)
    try:
        while True:
            time.sleep(1)
            now = _fingerprint(watched)
            if now == seen:
                continue
            seen = now
            try:
                _write(catalog_path, changes, max_tools, target)
            except ImpactError as exc:  # keep serving the last good site
                for problem in exc.problems:
                    click.echo(f"Error: {problem}", err=True)
                click.echo("The site was not written again; fix the catalog and save.", err=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
