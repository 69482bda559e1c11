"""The ``impact`` console script: signals handled from its first instant.

Ctrl-C (SIGINT) exits 130 and SIGTERM 143, the shell's codes, never 1 (a
blocking answer) and never with a traceback, even while Python is still
importing the commands. SIGTERM is turned into an exception like Ctrl-C, so
a terminated run removes its temporary files on the way out as an
interrupted one does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

from impact.core.errors import Terminated, raise_terminated

EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


def main() -> None:
    """Set the signal handlers, then import and run the command line (``impact.cli.main.main``)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, raise_terminated)
    try:
        # The commands are imported only once the handlers are set (an interrupt while importing is handled too).
        from impact.cli.main import main as run
    except KeyboardInterrupt:
        _leave("Interrupted", EXIT_INTERRUPTED)
    except Terminated:
        _leave("Terminated", EXIT_TERMINATED)
    run()


def _leave(how: str, code: int) -> None:
    with contextlib.suppress(OSError):
        os.write(2, f"{how}: stopped; no file was left half-written.\n".encode())
    os._exit(code)
