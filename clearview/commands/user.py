"""`clearview user ...` and `clearview org ...`: people and organisations at the command
line, for the operator (the first platform admin of a new deployment, above all).

Links (invitations, password resets) are mailed and also printed to stdout alone, so a
script can capture them; everything else goes to stderr.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from clearview.commands.common import run_with_database
from core.db import session_scope
from core.errors import ClearViewError
from core.models import Role
from core.settings import get_settings

T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, help="People: create, invite, disable, reset passwords.")
org_app = typer.Typer(no_args_is_help=True, help="Organisations: create, approve, list.")

PLATFORM_HELP = "organisation slug; default: the platform's (candidates, platform admins)"


def _run(make: Callable[[], Awaitable[T]]) -> T:
    try:
        return run_with_database(make)
    except ClearViewError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from None


@app.command("create")
def create(
    email: str = typer.Argument(..., help="their e-mail address (they sign in with it)"),
    role: Role = typer.Option(..., "--role", help="candidate, employer or admin"),
    org: str | None = typer.Option(None, "--org", help=PLATFORM_HELP),
    name: str | None = typer.Option(None, "--name", help="the name the chat greets them by"),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="asked when omitted"
    ),
) -> None:
    """Create a person who can sign in at once (e.g. the first platform admin)."""
    from api.accounts.service import account_service  # see `clearview.cli` on lazy imports

    async def make() -> str:
        async with session_scope() as session:
            target = (
                await account_service.org_by_slug(session, org)
                if org
                else await account_service.platform_org(session)
            )
            user = await account_service.create_user(
                session, target, email, role, password=password, display_name=name
            )
            return f"created {role.value} {user.email} in {target.slug!r}"

    typer.echo(_run(make), err=True)


@app.command("invite")
def invite(
    email: str = typer.Argument(..., help="the address the invitation goes to"),
    role: Role = typer.Option(..., "--role", help="candidate, employer or admin"),
    org: str | None = typer.Option(None, "--org", help=PLATFORM_HELP),
) -> None:
    """Mail a single-use invitation link (also printed) to join an organisation."""
    from api.accounts.service import account_service

    async def make() -> str:
        async with session_scope() as session:
            target = (
                await account_service.org_by_slug(session, org)
                if org
                else await account_service.platform_org(session)
            )
            return await account_service.invite(
                session, target, email, role, get_settings().public_base_url
            )

    url = _run(make)
    typer.echo(f"invitation sent to {email.strip()}; its link (works once):", err=True)
    typer.echo(url)


@app.command("disable")
def disable(email: str = typer.Argument(..., help="their e-mail address")) -> None:
    """Disable a person: no more sign-in, their keys revoked, their open chats ended."""
    from api.accounts.service import account_service

    async def make() -> int:
        async with session_scope() as session:
            user = await account_service.user_by_email(session, email)
            return await account_service.disable_user(session, user, None)

    revoked = _run(make)
    typer.echo(f"disabled {email.strip()} ({revoked} key(s) revoked)", err=True)


@app.command("reset-password")
def reset_password(email: str = typer.Argument(..., help="their e-mail address")) -> None:
    """Mail a password reset link (also printed) to a person."""
    from api.accounts.service import account_service

    async def make() -> str:
        async with session_scope() as session:
            user = await account_service.user_by_email(session, email)
            if not user.is_active:
                raise ClearViewError(f"{email.strip()} is disabled")
            url = await account_service.reset_link(session, user, get_settings().public_base_url)
            return url

    url = _run(make)
    typer.echo(f"password reset link sent to {email.strip()} (works once, for an hour):", err=True)
    typer.echo(url)


@org_app.command("create")
def create_org(
    slug: str = typer.Argument(..., help="lowercase letters, digits and dashes"),
    name: str | None = typer.Option(None, "--name", help="shown to people; default the slug"),
) -> None:
    """Create an employer organisation (then invite its people)."""
    from api.accounts.service import account_service

    async def make() -> str:
        async with session_scope() as session:
            return (await account_service.create_org(session, slug, name or slug)).id

    org_id = _run(make)
    typer.echo(f"created organisation {slug!r} ({org_id})", err=True)


@org_app.command("approve")
def approve_org(slug: str = typer.Argument(..., help="the organisation's slug")) -> None:
    """Approve an employer organisation that signed up; its admins are told by mail."""
    from api.accounts.service import account_service

    async def make() -> None:
        async with session_scope() as session:
            org = await account_service.org_by_slug(session, slug)
            await account_service.approve_org(session, org, get_settings().public_base_url)

    _run(make)
    typer.echo(f"approved {slug!r}", err=True)


@org_app.command("list")
def list_orgs() -> None:
    """Every organisation, and whether it may sign in (approved)."""
    from api.accounts.repository import AccountRepository

    async def make() -> list[str]:
        async with session_scope() as session:
            orgs = await AccountRepository(session).orgs()
            return [f"{o.slug}\t{'active' if o.is_active else 'waiting'}\t{o.name}" for o in orgs]

    for line in _run(make):
        typer.echo(line)
