"""The self-service pages: sign-up (candidates, employers), e-mail verification,
invitations, password reset. Server-rendered forms, linked from the chat's sign-in page.

Every form carries a CSRF token: a random value in a strict same-site cookie, and in the
form its HMAC under the deployment secret; a post whose pair does not match changes
nothing. Posts that send mail are throttled per address and per client, as sign-in is.
A link from a mail is opened with GET (which shows a form) and acted on by POST, so a
mail scanner that prefetches links uses none of them.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.endpoints import public_base
from api.accounts.service import PASSWORD_MIN, account_service
from api.deps import SessionDep
from api.identity.throttle import SignInThrottle, client_address
from core.credentials import derived_secret
from core.db import session_scope
from core.errors import ClearViewError, Forbidden
from core.models import LinkPurpose
from core.settings import EmployerSignup, get_settings

router = APIRouter(include_in_schema=False)

CSRF_COOKIE = "cv_csrf"
MAX_FIELD = 1024
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(default=True),
)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    autocomplete: str = "off"
    hint: str = ""
    value: str = ""
    required: bool = True


EMAIL = Field("email", "E-mail address", "email", "email")
NAME = Field("display_name", "Your name", "text", "name", required=False)
NEW_PASSWORD = Field(
    "password", "Password", "password", "new-password", f"At least {PASSWORD_MIN} characters."
)


@dataclass
class Form:
    title: str
    action: str
    submit: str
    fields: list[Field]
    intro: str = ""
    hidden: list[tuple[str, str]] = field(default_factory=list)


def _csrf_for(cookie: str) -> str:
    return hmac.new(
        derived_secret("clearview page forms").encode(), cookie.encode(), "sha256"
    ).hexdigest()


def _html(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    cookie = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    body = _templates.get_template(template).render(csrf=_csrf_for(cookie), **context)
    response = HTMLResponse(body, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.set_cookie(
        CSRF_COOKIE,
        cookie,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


def _show(
    request: Request, form: Form, error: str = "", status: int = 200, **values: str
) -> HTMLResponse:
    fields = [
        Field(**{**f.__dict__, "value": values.get(f.name, "")}) if f.type != "password" else f
        for f in form.fields
    ]
    return _html(
        request,
        "form.html",
        status,
        title=form.title,
        intro=form.intro,
        action=form.action,
        submit=form.submit,
        fields=fields,
        hidden=form.hidden,
        error=error,
    )


def _message(
    request: Request,
    title: str,
    message: str,
    *,
    error: bool = False,
    status: int = 200,
    next_url: str = "/chat",
    next_label: str = "Go to the sign-in page",
) -> HTMLResponse:
    return _html(
        request,
        "message.html",
        status,
        title=title,
        message=message,
        error=error,
        next_url=next_url,
        next_label=next_label,
    )


async def _posted(request: Request) -> dict[str, str]:
    """The posted fields, after the CSRF check."""
    form = await request.form()
    values = {k: v[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(values.get("csrf", ""), _csrf_for(cookie)):
        raise Forbidden("this form has expired; reload the page and send it again")
    return values


async def _handle(
    request: Request,
    form: Form,
    act: Callable[[AsyncSession, dict[str, str]], Awaitable[HTMLResponse]],
) -> HTMLResponse:
    """Run `act` on the posted values in one transaction; a refusal rolls it back (no
    link used, no mail sent) and shows the form again with its reason."""
    values: dict[str, str] = {}
    try:
        values = await _posted(request)
        async with session_scope() as session:
            return await act(session, values)
    except ClearViewError as exc:
        if "token" in values:  # a link's form: keep the link for the next try
            form = Form(**{**form.__dict__, "hidden": [("token", values["token"])]})
        response = _show(request, form, exc.detail, exc.status_code, **values)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response


async def _throttle(request: Request, email: str) -> None:
    await SignInThrottle(request.app.state.rate_limiter.store).check(email, client_address(request))


# --- candidates -----------------------------------------------------------------------

SIGNUP = Form(
    "Sign up as a candidate",
    "/signup",
    "Create my account",
    [EMAIL, NAME, NEW_PASSWORD],
    intro="Free: improve your resume and find jobs that match it. We send you a link to "
    "confirm your address.",
)


@router.get("/signup", response_class=HTMLResponse)
async def signup_page(request: Request) -> HTMLResponse:
    return _show(request, SIGNUP)


@router.post("/signup", response_class=HTMLResponse)
async def signup(request: Request) -> HTMLResponse:
    async def act(session: AsyncSession, values: dict[str, str]) -> HTMLResponse:
        await _throttle(request, values.get("email", ""))
        outcome = await account_service.sign_up_candidate(
            session,
            values.get("email", ""),
            values.get("password", ""),
            values.get("display_name"),
            public_base(request),
        )
        return _message(request, "Check your e-mail", outcome.message)

    return await _handle(request, SIGNUP, act)


# --- employers --------------------------------------------------------------------------


def _employer_form() -> Form:
    waiting = get_settings().employer_signup is EmployerSignup.approval
    return Form(
        "Sign up as an employer",
        "/signup/employer",
        "Create our organisation",
        [
            EMAIL,
            NAME,
            Field("organisation", "Organisation", "text", "organization"),
            NEW_PASSWORD,
        ],
        intro="Find candidates who opted in for your jobs. You become your organisation's "
        "admin and can invite colleagues."
        + (" The platform's team approves new organisations." if waiting else ""),
    )


@router.get("/signup/employer", response_class=HTMLResponse)
async def employer_signup_page(request: Request) -> HTMLResponse:
    if get_settings().employer_signup is EmployerSignup.invite:
        return _message(
            request,
            "Employers join by invitation",
            "Ask the platform's team for an invitation: it arrives by e-mail.",
            next_url="/chat",
        )
    return _show(request, _employer_form())


@router.post("/signup/employer", response_class=HTMLResponse)
async def employer_signup(request: Request) -> HTMLResponse:
    async def act(session: AsyncSession, values: dict[str, str]) -> HTMLResponse:
        await _throttle(request, values.get("email", ""))
        outcome = await account_service.sign_up_employer(
            session,
            values.get("email", ""),
            values.get("password", ""),
            values.get("display_name"),
            values.get("organisation", ""),
            public_base(request),
        )
        return _message(request, "Check your e-mail", outcome.message)

    return await _handle(request, _employer_form(), act)


# --- links from mails -----------------------------------------------------------------


async def _link_page(
    request: Request, session: SessionDep, purpose: LinkPurpose, form: Form
) -> HTMLResponse:
    token = request.query_params.get("token", "")
    try:
        await account_service.peek_link(session, token, purpose)
    except ClearViewError as exc:
        return _message(request, form.title, exc.detail, error=True, status=exc.status_code)
    return _show(request, Form(**{**form.__dict__, "hidden": [("token", token)]}))


VERIFY = Form(
    "Confirm your e-mail address", "/verify", "Confirm", [], intro="One click and you are in."
)


@router.get("/verify", response_class=HTMLResponse)
async def verify_page(request: Request, session: SessionDep) -> HTMLResponse:
    return await _link_page(request, session, LinkPurpose.verify_email, VERIFY)


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request) -> HTMLResponse:
    async def act(session: AsyncSession, values: dict[str, str]) -> HTMLResponse:
        user = await account_service.verify_email(session, values.get("token", ""))
        org = await account_service.org(session, user.org_id)
        if not org.is_active:
            return _message(
                request,
                "Address confirmed",
                "Thank you. The platform's team now approves your organisation; you get "
                "an e-mail when you can sign in.",
            )
        return _message(request, "Address confirmed", "Your account is ready: sign in.")

    return await _handle(request, VERIFY, act)


INVITATION = Form(
    "Accept your invitation",
    "/invitations/accept",
    "Create my account",
    [NAME, NEW_PASSWORD],
    intro="Choose your name and a password to join.",
)


@router.get("/invitations/accept", response_class=HTMLResponse)
async def invitation_page(request: Request, session: SessionDep) -> HTMLResponse:
    return await _link_page(request, session, LinkPurpose.invitation, INVITATION)


@router.post("/invitations/accept", response_class=HTMLResponse)
async def accept_invitation(request: Request) -> HTMLResponse:
    async def act(session: AsyncSession, values: dict[str, str]) -> HTMLResponse:
        await account_service.accept_invitation(
            session, values.get("token", ""), values.get("password", ""), values.get("display_name")
        )
        return _message(request, "Welcome to ClearView", "Your account is ready: sign in.")

    return await _handle(request, INVITATION, act)


FORGOT = Form(
    "Forgot your password?",
    "/password/forgot",
    "Send me a link",
    [EMAIL],
    intro="We send a link to choose a new one to your address, if it has an account.",
)


@router.get("/password/forgot", response_class=HTMLResponse)
async def forgot_page(request: Request) -> HTMLResponse:
    return _show(request, FORGOT)


@router.post("/password/forgot", response_class=HTMLResponse)
async def forgot(request: Request) -> HTMLResponse:
    async def act(session: AsyncSession, values: dict[str, str]) -> HTMLResponse:
        await _throttle(request, values.get("email", ""))
        await account_service.request_password_reset(
            session, values.get("email", ""), public_base(request)
        )
        return _message(
            request,
            "Check your e-mail",
            "If this address has an account, a link to choose a new password is on its way.",
        )

    return await _handle(request, FORGOT, act)


RESET = Form(
    "Choose a new password",
    "/password/reset",
    "Save my new password",
    [NEW_PASSWORD],
    intro="You are signed out everywhere once it is saved.",
)


@router.get("/password/reset", response_class=HTMLResponse)
async def reset_page(request: Request, session: SessionDep) -> HTMLResponse:
    return await _link_page(request, session, LinkPurpose.reset_password, RESET)


@router.post("/password/reset", response_class=HTMLResponse)
async def reset(request: Request) -> HTMLResponse:
    async def act(session: AsyncSession, values: dict[str, str]) -> HTMLResponse:
        await account_service.reset_password(
            session, values.get("token", ""), values.get("password", "")
        )
        return _message(request, "Password saved", "Sign in with your new password.")

    return await _handle(request, RESET, act)
