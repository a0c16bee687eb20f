"""`clearview mcp`: the MCP server over stdio, for desktop and IDE clients.

Nothing but the protocol may reach standard output: messages go to stderr.
"""

from __future__ import annotations

import asyncio

import typer

from clearview.commands.common import console, settings_or_exit
from core.logging import configure_logging


def mcp(
    url: str | None = typer.Option(
        None,
        help="the running ClearView to act on; default CLEARVIEW_SERVICES_URL, "
        "else http://127.0.0.1:<port>",
    ),
) -> None:
    """Serve MCP over stdio with the API key in CLEARVIEW_API_KEY."""
    from mcp_server.stdio import serve_stdio  # see `clearview.cli` on lazy imports
    from tools.client import ServiceError

    settings = settings_or_exit()
    if settings.api_key is None or not settings.api_key.get_secret_value().strip():
        console.print("[red]set CLEARVIEW_API_KEY to the API key the MCP client acts with[/red]")
        raise typer.Exit(2)
    base = url or (str(settings.services_url) if settings.services_url else "")
    base = base or f"http://127.0.0.1:{settings.port}"
    configure_logging()
    try:
        asyncio.run(serve_stdio(settings.api_key.get_secret_value().strip(), base))
    except ServiceError as exc:
        console.print(f"[red]ClearView at {base} refused to start the MCP server: {exc}[/red]")
        raise typer.Exit(1) from None
