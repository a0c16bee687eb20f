"""The MCP server over stdio, for a local client that starts it as a subprocess.

It acts for one API key (`CLEARVIEW_API_KEY`), checked with the identity service before
the first message is read, and calls the services of a running ClearView over HTTP with
it, as `/mcp` does. Standard output carries the protocol only; logs go to stderr.
"""

from __future__ import annotations

import httpx
from mcp.server.stdio import stdio_server

from mcp_server.server import ClearViewMcp, identify
from tools.client import TIMEOUT


async def serve_stdio(api_key: str, services_url: str) -> None:
    """Serve until the client closes stdin; raises `ServiceError` when the key is refused
    or the services cannot be reached."""
    base_url = services_url.rstrip("/")
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        caller = await identify(http, base_url, api_key)
        mcp = ClearViewMcp(caller=lambda: caller)
        mcp.services.http, mcp.services.base_url = http, base_url
        async with stdio_server() as (read, write):
            await mcp.server.run(read, write, mcp.server.create_initialization_options())
