"""`clearview apikey ...`: issue and revoke keys from the command line.

The key goes to stdout alone (so scripts can capture it); everything else to stderr.
"""

from __future__ import annotations

import typer

from clearview.commands.common import run_with_database
from core.db import session_scope
from core.errors import ClearViewError
from core.models import Role

app = typer.Typer(no_args_is_help=True, help="API keys (shown once, stored hashed).")


async def _create(org: str, role: Role, username: str | None, name: str | None) -> str:
    from api.identity.service import create_api_key  # see `clearview.cli` on lazy imports

    async with session_scope() as session:
        return await create_api_key(session, org, role, username=username, name=name)


async def _revoke(ref: str) -> str:
    from api.identity.service import identity_service

    async with session_scope() as session:
        return (await identity_service.revoke_by_ref(session, ref)).prefix


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


@app.command("create")
def create(
    org: str = typer.Option(..., "--org", help="organisation slug; created on first use"),
    role: Role = typer.Option(..., "--role", help="candidate, employer or admin"),
    username: str | None = typer.Option(
        None, help="existing user to add a key to; new user if omitted"
    ),
    name: str | None = typer.Option(None, help="a label to recognise the key by"),
) -> None:
    """Create an API key and print it once (it cannot be shown again)."""
    try:
        key = run_with_database(lambda: _create(org, role, username, name))
    except ClearViewError as exc:
        raise _fail(f"error: {exc.detail}") from None
    typer.echo(
        f"new {role.value} key for organisation {org!r} (store it now; it is shown once):", err=True
    )
    typer.echo(key)


@app.command("revoke")
def revoke(ref: str = typer.Argument(..., help="key id or prefix (cv_xxxxxxxxxxxx)")) -> None:
    """Revoke an API key by id or prefix; requests with it answer 401 from now on."""
    try:
        prefix = run_with_database(lambda: _revoke(ref))
    except ClearViewError as exc:
        raise _fail(f"error: {exc.detail}") from None
    typer.echo(f"revoked {prefix}", err=True)
