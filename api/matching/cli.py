"""`clearview index status` and `clearview index rebuild [--all] [--batch-size N]`.

After an upgrade that changes match features (`FEATURES_VERSION`) or the embedding model,
the index still holds what the old version wrote; `rebuild` brings it in step with the
database (see `api.matching.reindex`). Tables go to stdout, everything else to stderr.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from api.matching.reindex import DEFAULT_BATCH, REBUILD_COMMAND, IndexStatus
from core.settings import ConfigError

index_app = typer.Typer(
    no_args_is_help=True, help="The vector index: check it, rebuild it from the database."
)
console = Console(stderr=True)

T = TypeVar("T")


def _run(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine; a configuration error (such as an index of another model) is
    reported, not raised."""
    from core.db import dispose_engines

    async def run() -> T:
        try:
            return await make()
        finally:
            await dispose_engines()

    try:
        return asyncio.run(run())
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def _table(found: IndexStatus) -> Table:
    table = Table(
        "kind",
        "should be indexed",
        "in index",
        "current",
        "stale",
        "missing",
        "orphans",
        title=f"vector index ({found.embedder}, features version {found.features_version})",
    )
    for kind in found.kinds:

        def flag(n: int) -> str:
            return f"[yellow]{n}[/yellow]" if n else "0"

        table.add_row(
            kind.kind,
            str(kind.wanted),
            str(kind.indexed),
            f"[green]{kind.current}[/green]",
            flag(kind.stale),
            flag(kind.missing),
            flag(kind.orphans),
        )
    return table


@index_app.command("status")
def status() -> None:
    """Count what should be indexed and what is; exit 1 when a rebuild is due."""
    from api.matching import reindex

    found = _run(reindex.status)
    Console().print(_table(found))
    if found.in_step:
        console.print("the index is in step with the database")
        return
    console.print(f"run `{REBUILD_COMMAND}` to bring it in step")
    raise typer.Exit(1)


@index_app.command("rebuild")
def rebuild(
    everything: bool = typer.Option(
        False, "--all", help="re-featurise and re-embed every entry, not only stale and missing"
    ),
    batch_size: int = typer.Option(
        DEFAULT_BATCH, "--batch-size", min=1, help="items per SQL read, embedding and write"
    ),
) -> None:
    """Re-index stale and missing jobs and resumes from the database and delete orphans;
    safe to interrupt and run again."""
    from api.matching import reindex
    from api.wiring import wire_services

    wire_services()
    bars = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    tasks: dict[str, TaskID] = {}

    def advance(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bars.add_task(step, total=total)
        bars.update(tasks[step], completed=done, total=total)

    with bars:
        report = _run(
            lambda: reindex.rebuild(
                only_stale=not everything, batch_size=batch_size, progress=advance
            )
        )
    console.print(
        f"re-indexed {report.jobs} jobs and {report.resumes} resumes; "
        f"removed {report.removed} orphan entries"
    )
