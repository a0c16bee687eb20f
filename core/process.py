"""What every long-running process of ClearView (a server, a worker) does the same way."""

from __future__ import annotations

import asyncio
import gc
from types import ModuleType

uvloop: ModuleType | None
try:  # uvicorn[standard] brings uvloop, except on Windows
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None


def freeze_start_up_heap() -> None:
    """Exempt what a long-running process holds once started (its modules, app, models:
    some 150,000 objects) from garbage collection. A full collection then walks only what
    was allocated since, instead of pausing the process for tens of milliseconds each time
    (delaying requests and notifications)."""
    gc.collect()  # nothing that is garbage now stays for good
    gc.freeze()


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop for servers and workers alike (`asyncio.run` alone would run
    them on the slower default loop); asyncio's where uvloop is missing."""
    return asyncio.new_event_loop() if uvloop is None else uvloop.new_event_loop()
