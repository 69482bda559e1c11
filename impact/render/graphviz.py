"""Laying DOT out with Graphviz and drawing it as SVG, PNG or PDF, in a child process."""

from __future__ import annotations

import re
import subprocess
import sys

from impact.core.errors import ImpactError
from impact.render.drawing import TOO_LARGE_HINT
from impact.render.svg import tidy_svg

FORMATS = ("dot", "svg", "png", "pdf")
BINARY = ("png", "pdf")
"""The picture formats that are bytes rather than text: written to a file, never to a terminal."""

LAYOUT_TIMEOUT = 10.0
"""Seconds the Graphviz engine may take before the picture is given up with a hint."""


def _draw(dot_source: str, fmt: str) -> bytes:
    """Lay out and draw in this process (the child started by :func:`render_picture`)."""
    import pygraphviz  # the Graphviz engine, only in the child process that draws (start-up time)

    drawn: bytes = pygraphviz.AGraph(string=dot_source).draw(format=fmt, prog="dot")  # pygraphviz is untyped
    return drawn


_PDF_DATE = re.compile(rb"/CreationDate \(D:(\d{14})")


def render_picture(dot_source: str, fmt: str) -> bytes:
    """Lay out DOT source with Graphviz's ``dot`` engine and return the ``fmt`` bytes.

    ``fmt`` is one of :data:`FORMATS`; ``dot`` returns the source itself. The
    engine runs in a child Python process: its C code and fontconfig print
    warnings straight to the terminal, and a layout can only be stopped from
    outside, so the child's output is captured and it is ended after
    :data:`LAYOUT_TIMEOUT` seconds. The output is deterministic: the PDF
    creation date is fixed, and the SVG is rewritten with data attributes for
    embedding (see the module docstring).
    """
    if fmt not in FORMATS:
        raise ImpactError(f"unknown picture format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "dot":
        return dot_source.encode("utf-8")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "impact.render.graphviz", fmt],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=LAYOUT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImpactError(
            f"the picture took more than {LAYOUT_TIMEOUT:.0f} seconds to lay out and was given up; "
            f"lower --max-nodes or --max-tools, or {TOO_LARGE_HINT}"
        ) from None
    data = done.stdout
    if done.returncode != 0 or not data:
        lines = [
            line
            for line in done.stderr.decode("utf-8", "replace").splitlines()
            if line.strip() and "Fontconfig" not in line
        ]
        detail = lines[-1].strip()[:300] if lines else f"exit code {done.returncode}"
        raise ImpactError(f"Graphviz could not draw the picture as {fmt}: {detail}")
    if fmt == "pdf":
        # Cairo stamps the current time; a fixed date of the same length keeps byte offsets valid.
        data = _PDF_DATE.sub(b"/CreationDate (D:20000101000000", data)
    if fmt == "svg":
        data = tidy_svg(data)
    return data


if __name__ == "__main__":  # the child process of render_picture: DOT on stdin, picture on stdout
    sys.stdout.buffer.write(_draw(sys.stdin.buffer.read().decode("utf-8"), sys.argv[1]))
