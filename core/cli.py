"""The `clearview` command: the composition root that starts services, workers and tools.

It is the one module of `core` that reaches into the packages above it, and only inside
command bodies (lazy imports), so importing `core` never drags in the rest.
"""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from core.settings import ConfigError, Mode, get_settings

app = typer.Typer(no_args_is_help=True, help="ClearView: a chat-first career assistant.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")
console = Console(stderr=True)


def _settings_or_exit():  # type: ignore[no-untyped-def]
    try:
        return get_settings()
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations to the configured database."""
    from core import migrate

    _settings_or_exit()
    migrate.upgrade(revision=revision)
    typer.echo(f"database at {revision}")


@app.command()
def serve(
    service: str = typer.Argument("all", help="`all` in one process, or one service by name"),
    host: str | None = typer.Option(None, help="bind address (default from settings)"),
    port: int | None = typer.Option(None, help="port (default 8000)"),
    demo: bool | None = typer.Option(
        None,
        "--demo/--no-demo",
        help="load (or refresh) the demo data set before serving; default: on in dev mode",
    ),
) -> None:
    """Serve the API (and, for `all`, the chat UI and every worker in this process)."""
    from core.serve import SERVICE_NAMES, run

    settings = _settings_or_exit()
    if service not in SERVICE_NAMES:
        raise typer.BadParameter(f"choose one of: {', '.join(SERVICE_NAMES)}", param_hint="SERVICE")
    run(
        service,
        host=host or settings.host,
        port=port or settings.port,
        demo=settings.mode is Mode.dev if demo is None else demo,
    )


@app.command()
def doctor() -> None:
    """Show what each component connects to and whether it answers; exit 1 if one fails."""
    from core.doctor import check_all

    _settings_or_exit()
    results = asyncio.run(check_all())
    table = Table("component", "target", "status", "detail")
    for result in results:
        status = "[green]ok[/green]" if result.ok else "[red]FAIL[/red]"
        table.add_row(result.component, result.target, status, result.detail)
    Console().print(table)
    if not all(result.ok for result in results):
        raise typer.Exit(1)


def _register_subcommands() -> None:
    """Sub-apps owned by feature packages; each is optional until its package lands."""
    from importlib import import_module

    for module_name, attribute, name in (
        ("api.identity.cli", "apikey_app", "apikey"),
        ("api.imports.cli", "ingest_app", "ingest"),
        ("workers.cli", "worker_app", "worker"),
        ("api.imports.demo", "demo_app", "demo"),
        ("api.matching.cli", "index_app", "index"),
    ):
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        app.add_typer(getattr(module, attribute), name=name)


_register_subcommands()
