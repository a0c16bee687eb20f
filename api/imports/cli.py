"""`clearview ingest jobs FILE --org ORG` and `clearview ingest resumes PATH --org ORG`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from api.imports.service import ImportReport

ingest_app = typer.Typer(no_args_is_help=True, help="Bulk import of jobs and resumes.")
console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _report(report: ImportReport, what: str) -> None:
    console.print(
        f"{what}: [green]{report.created} created[/green], {report.updated} updated, "
        f"{report.unchanged} unchanged, [red]{len(report.failed)} failed[/red]"
    )
    for where, why in report.failed[:50]:
        label = f"line {where}" if isinstance(where, int) else str(where)
        console.print(f"  [red]skipped[/red] {label}: {why}")
    if len(report.failed) > 50:
        console.print(f"  ... and {len(report.failed) - 50} more")
    if report.not_searchable:
        console.print(f"[red]{len(report.not_searchable)} imported but not searchable[/red]")


async def _run(coro_factory):  # type: ignore[no-untyped-def]
    from core.db import dispose_engines

    try:
        return await coro_factory()
    finally:
        await dispose_engines()


@ingest_app.command("jobs")
def jobs(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=".csv, .json or .jsonl"),
    org: str = typer.Option(..., "--org", help="organisation slug; created on first use"),
) -> None:
    """Import jobs; idempotent on external_id. Returns once every row is searchable."""
    from api.imports.service import import_jobs
    from ingest.bulk import UnreadableFile, read_job_rows

    try:
        rows = list(read_job_rows(file))
    except UnreadableFile as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    with _progress() as progress:
        task = progress.add_task(f"jobs from {file.name}", total=len(rows))
        report = asyncio.run(
            _run(lambda: import_jobs(org, rows, on_progress=lambda n: progress.advance(task, n)))
        )
    _report(report, "jobs")
    if report.not_searchable or (report.failed and not report.imported):
        raise typer.Exit(1)


@ingest_app.command("resumes")
def resumes(
    path: Path = typer.Argument(..., exists=True, help="a resume file or a folder of them"),
    org: str = typer.Option(..., "--org", help="organisation slug; created on first use"),
    open_to_employers: bool = typer.Option(
        False, help="make the imported candidates visible to employer search"
    ),
) -> None:
    """Import resumes (PDF, DOCX, TXT, MD), one candidate per file; idempotent per file."""
    from api.imports.service import import_resumes
    from ingest.bulk import UnreadableFile, resume_files

    try:
        files = resume_files(path)
    except UnreadableFile as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    with _progress() as progress:
        task = progress.add_task(f"resumes from {path.name}", total=len(files))
        report = asyncio.run(
            _run(
                lambda: import_resumes(
                    org,
                    files,
                    open_to_employers=open_to_employers,
                    on_progress=lambda n: progress.advance(task, n),
                )
            )
        )
    _report(report, "resumes")
    if report.failed and not report.imported:
        raise typer.Exit(1)
