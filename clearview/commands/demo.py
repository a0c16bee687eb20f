"""`clearview demo load`: the demo data set (see `api.imports.demo`)."""

from __future__ import annotations

import typer

from clearview.commands.common import run_with_database
from core.errors import ClearViewError

app = typer.Typer(no_args_is_help=True, help="The demo data set.")


@app.command("load")
def load() -> None:
    """Load (or refresh) the demo jobs and candidates."""
    from api.imports.demo import load_demo  # see `clearview.cli` on lazy imports

    try:
        jobs, resumes = run_with_database(load_demo)
    except ClearViewError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"demo: {jobs.imported} jobs, {resumes.imported} candidates")
