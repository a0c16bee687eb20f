"""The console script's first code: a stop requested while `clearview` is still starting
is a clean stop.

Importing the CLI and what its commands run takes seconds (more on a busy machine); a
SIGTERM in that window finds nothing in flight, so it ends the process with status 0, as
a stop after start-up would, instead of the interpreter's default death by signal. The
handler is installed before anything else is imported; servers and workers install
their own graceful handling once they run.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

# Files the product creates (the SQLite database, uploads, reports, the embedded Valkey's
# data and URL file, Chroma) hold personal data: owner-only, 0600 / 0700.
PRIVATE_UMASK = 0o077


def _stop_before_start(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_before_start)
    os.umask(PRIVATE_UMASK)
    # Imported once the handler is in place (module docstring).
    from clearview.cli import app

    sys.exit(app())
