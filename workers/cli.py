"""`clearview worker NAME`: one worker in its own process, stopped cleanly by SIGTERM."""

from __future__ import annotations

import asyncio
import os

import typer

from workers.runner import WORKERS

worker_app = typer.Typer(help="Run one background worker in this process.")


@worker_app.callback(invoke_without_command=True)
def worker(name: str = typer.Argument(..., help=f"one of: {', '.join(WORKERS)}")) -> None:
    """Run the worker NAME until SIGTERM/SIGINT; in-flight work finishes or is released."""
    from core import bus
    from core.db import dispose_engines
    from core.logging import configure_logging
    from core.redis import redis_runtime
    from core.serve import new_event_loop
    from core.settings import get_settings

    if name not in WORKERS:
        raise typer.BadParameter(f"unknown worker {name!r}; choose from {', '.join(WORKERS)}")
    configure_logging()
    spec = WORKERS[name]
    if spec.cpu_heavy:
        os.nice(get_settings().cpu_worker_nice)

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
