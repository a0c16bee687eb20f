"""The `clearview` console script: a quiet SIGTERM during start-up, then the CLI.

Start-up takes seconds (the CLI's sub-commands import the services, a worker then opens
the vector index). A SIGTERM in that time, before a server or worker installs its own
graceful handling, finds nothing in flight: it ends the process with status 0, as a
stop after start-up would, instead of the interpreter's default death by signal.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType


def _stop_before_start(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_before_start)
    from core.cli import app  # the slow part

    sys.exit(app())
