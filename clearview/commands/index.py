"""`clearview index status` and `clearview index rebuild [--all] [--batch-size N]`.

After an upgrade that changes match features (`FEATURES_VERSION`) or the embedding model,
the index still holds what the old version wrote; `rebuild` brings it in step with the
database (see `api.matching.reindex`). Tables go to stdout, everything else to stderr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import TaskID
from rich.table import Table

from clearview.commands.common import run_with_database
from clearview.commands.ingest import progress_bars

if TYPE_CHECKING:
    from api.matching.reindex import IndexStatus

app = typer.Typer(
    no_args_is_help=True, help="The vector index: check it, rebuild it from the database."
)
console = Console(stderr=True)


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


@app.command("status")
def status() -> None:
    """Count what should be indexed and what is; exit 1 when a rebuild is due."""
    from api.matching import reindex  # see `clearview.cli` on lazy imports

    found = run_with_database(reindex.status)
    Console().print(_table(found))
    if found.in_step:
        console.print("the index is in step with the database")
        return
    console.print(f"run `{reindex.REBUILD_COMMAND}` to bring it in step")
    raise typer.Exit(1)


@app.command("rebuild")
def rebuild(
    everything: bool = typer.Option(
        False, "--all", help="re-featurise and re-embed every entry, not only stale and missing"
    ),
    batch_size: int | None = typer.Option(
        None,
        "--batch-size",
        min=1,
        help="items per SQL read, embedding and write (default: the engine's)",
    ),
) -> None:
    """Re-index stale and missing jobs and resumes from the database and delete orphans;
    safe to interrupt and run again."""
    from api.matching import reindex

    bars = progress_bars()
    tasks: dict[str, TaskID] = {}

    def advance(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bars.add_task(step, total=total)
        bars.update(tasks[step], completed=done, total=total)

    with bars:
        report = run_with_database(
            lambda: reindex.rebuild(
                only_stale=not everything,
                batch_size=batch_size or reindex.DEFAULT_BATCH,
                progress=advance,
            )
        )
    console.print(
        f"re-indexed {report.jobs} jobs and {report.resumes} resumes; "
        f"removed {report.removed} orphan entries"
    )
