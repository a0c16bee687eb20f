"""The `clearview` command: every sub-command of the product, registered here.

Each command imports the code it runs when it runs, not when the CLI is built: `clearview
--help` and `clearview worker notify` must not load the matching engine, the chat agent
and the UI (seconds of imports). The console script is `clearview.entry.main`, which
makes a stop during start-up a clean one before importing this module.

Every command that uses the database first checks that its schema is current: in dev
mode, or on an embedded SQLite database that only this install uses, it migrates as
`serve` does; otherwise it stops with the command that migrates.
"""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from clearview.commands import apikey, db, demo, index, ingest, mcp, user, worker
from clearview.commands.common import ensure_schema, settings_or_exit
from core.settings import Mode

app = typer.Typer(no_args_is_help=True, help="ClearView: a chat-first career assistant.")
app.add_typer(db.app, name="db")
app.add_typer(apikey.app, name="apikey")
app.add_typer(ingest.app, name="ingest")
app.add_typer(demo.app, name="demo")
app.add_typer(index.app, name="index")
app.add_typer(worker.app, name="worker")
app.command("mcp")(mcp.mcp)
app.add_typer(user.app, name="user")
app.add_typer(user.org_app, name="org")
console = Console(stderr=True)


@app.command()
def serve(
    service: str = typer.Argument("all", help="`all` in one process, or one service by name"),
    host: str | None = typer.Option(None, help="bind address (default from settings)"),
    port: int | None = typer.Option(None, help="port (default 8000)"),
    demo_data: bool | None = typer.Option(
        None,
        "--demo/--no-demo",
        help="load (or refresh) the demo data set before serving; default: on in dev mode",
    ),
) -> None:
    """Serve the API (and, for `all`, the chat UI and every worker in this process)."""
    # Before the application's imports (tens of seconds on a busy machine): a bad setting,
    # a weak secret above all, is reported at once.
    settings = settings_or_exit()
    demo = settings.mode is Mode.dev if demo_data is None else demo_data
    if demo and settings.mode is Mode.prod:
        console.print("[red]--demo: the demo data is never loaded in prod mode[/red]")
        raise typer.Exit(2)
    from clearview.app import SERVICE_NAMES
    from clearview.serve import run

    if service not in SERVICE_NAMES:
        raise typer.BadParameter(f"choose one of: {', '.join(SERVICE_NAMES)}", param_hint="SERVICE")
    ensure_schema(settings)
    run(service, host=host or settings.host, port=port or settings.port, demo=demo)


@app.command()
def doctor() -> None:
    """Show what each component connects to and whether it answers; exit 1 if one fails."""
    from core.doctor import check_all

    settings_or_exit()
    results = asyncio.run(check_all())
    table = Table("component", "target", "status", "detail")
    for result in results:
        status = "[green]ok[/green]" if result.ok else "[red]FAIL[/red]"
        table.add_row(result.component, result.target, status, result.detail)
    Console().print(table)
    if not all(result.ok for result in results):
        raise typer.Exit(1)
