"""`clearview worker NAME`: one worker in its own process, stopped cleanly by SIGTERM."""

from __future__ import annotations

import asyncio
import os

import typer

from clearview.commands.common import ensure_schema, settings_or_exit
from clearview.workers import WORKERS
from core import bus
from core.db import dispose_engines
from core.logging import configure_logging
from core.process import new_event_loop
from core.redis import redis_runtime

app = typer.Typer(help="Run one background worker in this process.")


@app.callback(invoke_without_command=True)
def worker(name: str = typer.Argument(..., help=f"one of: {', '.join(WORKERS)}")) -> None:
    """Run the worker NAME until SIGTERM/SIGINT; in-flight work finishes or is released."""
    if name not in WORKERS:
        raise typer.BadParameter(f"unknown worker {name!r}; choose from {', '.join(WORKERS)}")
    settings = settings_or_exit()
    ensure_schema(settings)
    configure_logging()
    spec = WORKERS[name]
    if spec.cpu_heavy:
        os.nice(settings.cpu_worker_nice)

    async def main() -> None:
        stop = asyncio.Event()
        bus.stop_on_signals(stop)
        async with redis_runtime():
            try:
                await spec.run(stop)
            finally:
                await dispose_engines()  # after the outbox has marked what it published

    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(main())
