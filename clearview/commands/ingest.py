"""`clearview ingest jobs FILE --org ORG` and `clearview ingest resumes PATH --org ORG`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from clearview.commands.common import run_with_database

if TYPE_CHECKING:
    from api.imports.service import ImportReport

app = typer.Typer(no_args_is_help=True, help="Bulk import of jobs and resumes.")
console = Console(stderr=True)


def progress_bars() -> Progress:
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


@app.command("jobs")
def jobs(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=".csv, .json or .jsonl"),
    org: str = typer.Option(..., "--org", help="organisation slug; created on first use"),
) -> None:
    """Import jobs; idempotent on external_id. Returns once every row is searchable."""
    # See `clearview.cli` on lazy imports.
    from api.imports.service import import_jobs
    from ingest.bulk import UnreadableFile, read_job_rows

    try:
        rows = list(read_job_rows(file))
    except UnreadableFile as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    with progress_bars() as progress:
        task = progress.add_task(f"jobs from {file.name}", total=len(rows))
        report = run_with_database(
            lambda: import_jobs(org, rows, on_progress=lambda n: progress.advance(task, n))
        )
    _report(report, "jobs")
    if report.not_searchable or (report.failed and not report.imported):
        raise typer.Exit(1)


@app.command("resumes")
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
    with progress_bars() as progress:
        task = progress.add_task(f"resumes from {path.name}", total=len(files))
        report = run_with_database(
            lambda: import_resumes(
                org,
                files,
                open_to_employers=open_to_employers,
                on_progress=lambda n: progress.advance(task, n),
            )
        )
    _report(report, "resumes")
    if report.failed and not report.imported:
        raise typer.Exit(1)
