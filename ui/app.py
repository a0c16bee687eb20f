"""The Chainlit app: a thin adapter from chat events to the assistant and the services.

Loaded by Chainlit itself (`mount_chainlit(target="ui/app.py")`), apart from normal
imports: nothing here holds state; it lives in `ui.runtime`, `ui.auth`, `ui.listener`.

- sign-in: `ui.auth` (a product user's password; the chat acts with that user's API key);
- one chat profile, the one of the user's role (the role comes from the key: picking a
  profile changes nothing the services allow);
- attachments are uploaded to the resumes service with the user's key, so every check
  (type, size, readable text) is the service's, and its refusal is shown as it says it;
- each message runs one assistant turn: tokens stream into the answer, each tool call is
  a collapsible step, matches render as cards and a rewrite as a diff with Accept/Reject;
- background results arrive through `ui.listener`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import chainlit as cl
from chainlit.context import local_steps
from chainlit.element import Element
from chainlit.utils import utc_now

from agents.context import Identity
from tools.client import ServiceError
from ui import auth, listener, render, runtime, sso

log = logging.getLogger("ui.app")

UPLOAD_HELP = (
    "Please attach your resume as a PDF, DOCX or TXT file of at most 10 MB, "
    "with selectable text (not a scanned image)."
)
# Tools whose results have their own view (cards, diff), shown as the answer.
VIEWS = ("find_matching_jobs", "find_candidates", "show_rewrite")
# Tools whose results come with files (the PDF) and a chart to attach to the answer.
REPORT_TOOLS = ("get_my_report", "get_shortlist_report", "get_funnel_report")


async def _identity() -> Identity:
    user = cl.user_session.get("user")
    if user is None:
        raise PermissionError("not signed in")
    return await auth.identity_for(runtime.current().services(), user.metadata)


async def _call(
    identity: Identity,
    method: str,
    path: str,
    *,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    json: Any = None,
) -> Any:
    """A service call with the user's key; a refused key is forgotten (revoked or erased
    user), so the next call issues a fresh one or fails at sign-in."""
    try:
        return (
            await runtime.current().services(identity).request(method, path, files=files, json=json)
        )
    except ServiceError as exc:
        if exc.status == 401:
            auth.forget_key(identity.user_id)
        raise


@cl.password_auth_callback
async def sign_in(username: str, password: str) -> cl.User | None:
    account = await auth.authenticate(runtime.current().services(), username, password)
    return _chainlit_user(account) if account is not None else None


def _chainlit_user(account: auth.Account) -> cl.User:
    return cl.User(
        identifier=account.username,
        display_name=account.display_name,
        metadata=account.metadata(),
    )


if sso.oidc_enabled():

    @cl.oauth_callback
    async def sign_in_oidc(
        provider_id: str,
        token: str,
        raw_user_data: dict[str, str],
        default_user: cl.User,
        id_token: str | None = None,
    ) -> cl.User | None:
        """The provider's account (subject, verified e-mail) mapped to an existing user."""
        claims: dict[str, Any] = dict(raw_user_data)  # userinfo JSON: not only strings
        account = await auth.sign_in_with(
            runtime.current().services(),
            "/api/v1/sessions/external",
            {
                "provider": provider_id,
                "subject": str(claims.get("sub") or ""),
                "email": claims.get("email"),
                "email_verified": claims.get("email_verified") is True,
            },
        )
        return _chainlit_user(account) if account is not None else None


if sso.handover_enabled():

    @cl.header_auth_callback
    async def sign_in_handover(headers: Any) -> cl.User | None:
        """The embedding platform's hand-over token, checked by the identity service."""
        token = headers.get(sso.HANDOVER_HEADER)
        if not token:
            return None
        account = await auth.sign_in_with(
            runtime.current().services(), "/api/v1/sessions/handover", {"token": token}
        )
        return _chainlit_user(account) if account is not None else None


@cl.set_chat_profiles
async def chat_profiles(
    current_user: cl.User | None, language: str | None = None
) -> list[cl.ChatProfile]:
    """Only the profile of the user's own role is offered."""
    if current_user is None:
        return []
    try:
        identity = await auth.identity_for(runtime.current().services(), current_user.metadata)
    except PermissionError:
        return []  # the account is gone or disabled
    return [render.chat_profile(identity.role, runtime.current().mode)]


@cl.on_chat_start
async def start() -> None:
    identity = await _identity()
    user = cl.user_session.get("user")
    name = user.display_name if user is not None and user.display_name else "there"
    welcome = render.welcome(identity.role, runtime.current().mode, name)
    if user is not None:
        # Already known to this process (`_identity` just renewed it): no service call.
        account = await auth.account_for(runtime.current().services(), user.metadata)
        welcome += "\n\n" + render.who_you_are(account.__dict__, identity.role)
    await cl.Message(
        content=welcome,
        actions=[*render.starter_actions(identity.role), *render.account_actions(identity.role)],
    ).send()
    await listener.show_pending(cl.context.session)  # type: ignore[arg-type]


@cl.on_chat_end
async def end() -> None:
    # Chainlit calls this once the socket is marked disconnected: from here on, pushes for
    # this session wait for the next visit. The id is no personal data; the line tells an
    # operator (and the UI tests) that the disconnect has been handled.
    log.info("chat session %s ended", cl.context.session.id)


# --- messages -------------------------------------------------------------------------


def _take_upload(path: Path) -> bytes:
    """The uploaded file's bytes, and the file gone: Chainlit keeps uploads outside the
    data dir until the session ends (up to an hour), out of reach of an erasure. The
    resumes service keeps what it needs, where erasure finds it."""
    try:
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


async def _upload(identity: Identity, element: Element) -> str:
    name = element.name or "resume"
    if not element.path:
        return f"I could not read **{name}**. {UPLOAD_HELP}"
    data = await asyncio.to_thread(_take_upload, Path(element.path))
    mime = element.mime or "application/octet-stream"
    try:
        result = await _call(
            identity, "POST", "/api/v1/resumes", files={"file": (name, data, mime)}
        )
    except ServiceError as exc:
        return f"I could not use **{name}**: {exc.detail}. {UPLOAD_HELP}"
    pages = f", {result['pages']} page(s)" if result.get("pages") else ""
    warnings = "".join(f"\n- Note: {w}" for w in result.get("warnings") or ())
    return (
        f"Uploaded **{name}** ({result.get('characters', 0)} characters{pages}). "
        "It is now your current resume: ask me to critique it or to find matching jobs."
        f"{warnings}"
    )


def _view(
    name: str, data: dict[str, Any], said: str | None = None, lang: str = "en"
) -> tuple[str, list[cl.Action]] | None:
    """The structured view of a tool result, if it has one; `said`: the offline model's
    reply, whose words (in the user's language, `lang`) frame a list of matches."""
    if "error" in data or data.get("confirmation_required"):
        return None
    if name == "find_matching_jobs":
        title = "Jobs that match your resume"
        matches = list(data.get("matches", []))
        return render.framed_cards(matches, "jobs", title, render.JOBS_HINT, said, lang), []
    if name == "find_candidates":
        title = f"Opted-in candidates for {(data.get('job') or {}).get('title') or 'this job'}"
        matches = list(data.get("matches", []))
        hint = render.CANDIDATES_HINT
        return render.framed_cards(matches, "candidates", title, hint, said, lang), []
    if name == "get_contact_requests" and data.get("requests"):
        return render.contact_requests(data["requests"])
    if name == "show_rewrite" and data.get("version_id"):
        actions = (
            render.rewrite_actions(str(data["resume_id"]), str(data["version_id"]))
            if data.get("accepted") is None
            else []
        )
        return render.rewrite_diff(str(data.get("diff", ""))), actions
    return None


async def _attachments(identity: Identity, files: dict[str, Any]) -> list[Element]:
    """Files a tool or task linked to (a report's PDF and chart, an exported resume),
    fetched with the user's key: the chart is shown inline, the rest are downloads. A
    chart that cannot be fetched is left out; any other failure is said in words by the
    caller."""
    services = runtime.current().services(identity)
    elements: list[Element] = []
    for name, link in files.items():
        if not link:
            continue
        try:
            got = await services.download(link["path"], **link.get("params", {}))
        except ServiceError as exc:
            if name != "chart":
                raise
            log.warning("report chart not shown: %s", exc.detail)
            continue
        elements.append(render.file_element(name, got))
    return elements


async def run_turn(identity: Identity, text: str) -> None:
    """One assistant turn, streamed into the chat."""
    rt = runtime.current()
    # Created at the first token or at the end: Chainlit orders messages and steps by
    # creation time, and the answer belongs after the steps that led to it.
    answer: cl.Message | None = None
    open_steps: list[cl.Step] = []
    viewed: tuple[str, dict[str, Any]] | None = None  # the last tool result with a view
    confirm: str | None = None  # the tool call whose confirmation is asked
    elements: list[Element] = []
    async for event in rt.assistant.stream_turn(
        identity, cl.context.session.id, text, services_url=rt.services_url
    ):
        kind = event["type"]
        if kind == "token":
            answer = answer or cl.Message(content="")
            await answer.stream_token(event["text"])
        elif kind == "tool_call":
            # Under the turn's run step (as `async with cl.Step()` would nest it), so the
            # UI shows it in the turn, before the answer.
            parents = local_steps.get() or []
            step = cl.Step(
                name=render.tool_label(event["name"]),
                type="tool",
                parent_id=parents[-1].id if parents else None,
            )
            step.input = json.dumps(event.get("args") or {}, ensure_ascii=False)
            step.start = utc_now()
            await step.send()
            open_steps.append(step)
        elif kind == "tool_result":
            data = event.get("data") or {}
            label = render.tool_label(event["name"])
            done = next((s for s in open_steps if s.name == label), None)
            if done is not None:
                open_steps.remove(done)
                done.output = render.tool_outcome(data)
                done.end = utc_now()
                await done.update()
            if _view(event["name"], data) is not None:
                viewed = (event["name"], data)
            if data.get("confirmation_required"):
                confirm = uuid.uuid4().hex[:12]
            if event["name"] in REPORT_TOOLS and data.get("status") == "ready":
                elements += await _report_elements(identity, data)
            if event["name"] == "export_my_resume" and data.get("file"):
                elements += await _fetched(identity, {"file": data["file"]}, "file")
        elif kind == "reply":
            answer = answer or cl.Message(content="")
            reply = str(event["text"])
            offline = rt.mode == "offline"
            lang = str(event.get("language") or "en")
            view = _view(*viewed, said=reply if offline else None, lang=lang) if viewed else None
            if view is not None:
                content, actions = view
                # The offline model's reply restates the same data as text (its framing
                # lines are in the view); an LLM's adds its own words, kept under the view.
                answer.content = content if offline else f"{content}\n\n{reply}"
                answer.actions = actions
            else:
                answer.content = reply
                if confirm is not None:
                    answer.actions = render.confirm_actions(confirm)
            if elements:
                # Chainlit types the attribute with an unbound TypeVar; any element fits.
                answer.elements = elements  # type: ignore[assignment]
            await answer.send()


async def _fetched(identity: Identity, files: dict[str, Any], what: str) -> list[Element]:
    try:
        return await _attachments(identity, files)
    except ServiceError as exc:
        await cl.Message(content=f"I could not fetch the {what}: {exc.detail}").send()
        return []


async def _report_elements(identity: Identity, data: dict[str, Any]) -> list[Element]:
    return await _fetched(identity, {"pdf": data.get("pdf"), "chart": data.get("chart")}, "PDF")


@cl.on_message
async def on_message(message: cl.Message) -> None:
    identity = await _identity()
    # Chainlit types an upload by its MIME type (a PDF arrives as `Pdf`, others as `File`).
    files = [e for e in message.elements or [] if e.path]
    for element in files:
        await cl.Message(content=await _upload(identity, element)).send()
    if message.content.strip():
        await run_turn(identity, message.content)


# --- actions --------------------------------------------------------------------------


@cl.action_callback(render.STARTER)
async def on_starter(action: cl.Action) -> None:
    """A starter button: the prompt as if typed."""
    prompt = str(action.payload.get("message", ""))
    if not prompt:
        return
    await cl.Message(content=prompt, type="user_message").send()
    await run_turn(await _identity(), prompt)


@cl.action_callback(render.DELETE_ACCOUNT)
async def on_delete_account(action: cl.Action) -> None:
    """A candidate deletes their account: asked once more, then erased by the service."""
    identity = await _identity()
    answer = await cl.AskActionMessage(
        content="Delete your account, your resumes, matches and conversations? "
        "This cannot be undone.",
        actions=[
            cl.Action(name="confirm", payload={"delete": True}, label="Yes, delete everything"),
            cl.Action(name="cancel", payload={"delete": False}, label="No, keep my account"),
        ],
        timeout=300,
    ).send()
    if not answer or not answer.get("payload", {}).get("delete"):
        await cl.Message(content="Nothing was deleted.").send()
        return
    try:
        await _call(identity, "DELETE", "/api/v1/me")
    except ServiceError as exc:
        await cl.Message(content=f"I could not delete your account: {exc.detail}").send()
        return
    auth.forget_key(identity.user_id)
    await cl.Message(content=render.ACCOUNT_DELETED).send()


@cl.action_callback(render.CONFIRM)
async def on_confirm(action: cl.Action) -> None:
    """Yes or No to a confirmation question: the answer as if typed, buttons removed."""
    answer = str(action.payload.get("message", ""))
    if answer not in ("yes", "no"):
        return
    for button in render.confirm_actions(str(action.payload.get("key", ""))):
        button.forId = action.forId
        await button.remove()
    await cl.Message(content=answer, type="user_message").send()
    await run_turn(await _identity(), answer)


@cl.action_callback(render.VIEW)
async def on_view(action: cl.Action) -> None:
    identity = await _identity()
    task_id = str(action.payload.get("task_id", ""))
    try:
        result = await _call(identity, "GET", f"/api/v1/tasks/{task_id}/result")
    except ServiceError as exc:
        await cl.Message(content=f"I could not open that result: {exc.detail}").send()
        return
    if result.get("kind") == "report" and result.get("data"):
        await _send_stored_report(identity, result["data"])
    elif result.get("kind") == "rewrite" and result.get("version_id"):
        await cl.Message(
            content=render.rewrite_diff(str(result.get("diff") or "")),
            actions=render.rewrite_actions(str(result["resume_id"]), str(result["version_id"])),
        ).send()
    elif result.get("kind") == "rewrite" and (result.get("data") or {}).get("unchanged"):
        reason = result["data"]["unchanged"]
        await cl.Message(content=f"The rewrite found nothing to change: {reason}.").send()
    elif result.get("matches") is not None:
        kind: Literal["jobs", "candidates"] = (
            "jobs" if result.get("kind") == "match_jobs" else "candidates"
        )
        title = "Jobs that match your resume" if kind == "jobs" else "Matching candidates"
        await cl.Message(content=render.match_cards(result["matches"], kind, title)).send()
    else:
        await cl.Message(content="That task finished; it has nothing to show here.").send()


async def _send_stored_report(identity: Identity, stored: dict[str, Any]) -> None:
    """A report the worker generated: its PDF and its chart, from the task's links."""
    files = stored.get("files") or {}
    links = {
        name: {"path": str(files[fmt]["url"]).split("?", 1)[0], "params": {"format": fmt}}
        for name, fmt in (("pdf", "pdf"), ("chart", "svg"))
        if fmt in files
    }
    elements = await _report_elements(
        identity, {"pdf": links.get("pdf"), "chart": links.get("chart")}
    )
    if elements:
        await cl.Message(content=render.REPORT_READY, elements=elements).send()


async def _ask_about_job(action: cl.Action, prompt_for: Callable[[str], str]) -> None:
    """A button about a job: its question, sent as if the user had typed it."""
    job_id = str(action.payload.get("job_id", ""))
    if not job_id:
        return
    prompt = prompt_for(job_id)
    await cl.Message(content=prompt, type="user_message").send()
    await run_turn(await _identity(), prompt)


@cl.action_callback(render.ALERT_MATCH)
async def on_alert_match(action: cl.Action) -> None:
    """The "See how I match" button under a job alert: the explanation, as if asked."""
    await _ask_about_job(action, render.alert_prompt)


@cl.action_callback(render.SHORTLIST)
async def on_shortlist(action: cl.Action) -> None:
    """The "Get the shortlist" button under a contact answer: the report, as if asked."""
    await _ask_about_job(action, render.shortlist_prompt)


@cl.action_callback(render.CONTACT_ANSWER)
async def on_contact_answer(action: cl.Action) -> None:
    """Agree / Decline under an employer's contact request: the answer, recorded by the
    resumes service with the candidate's own key."""
    identity = await _identity()
    request_id = str(action.payload.get("request_id", ""))
    accept = action.payload.get("accept") is True
    try:
        await _call(
            identity,
            "POST",
            f"/api/v1/contact-requests/{request_id}/answer",
            json={"accept": accept},
        )
    except ServiceError as exc:
        await cl.Message(content=f"I could not record your answer: {exc.detail}").send()
        return
    for button in render.contact_actions(request_id):
        button.forId = action.forId
        await button.remove()
    await cl.Message(content=render.CONTACT_DECIDED[accept]).send()


async def _decide(action: cl.Action, verdict: Literal["accept", "reject"]) -> None:
    identity = await _identity()
    resume_id = str(action.payload.get("resume_id", ""))
    version_id = str(action.payload.get("version_id", ""))
    try:
        await _call(
            identity, "POST", f"/api/v1/resumes/{resume_id}/versions/{version_id}/{verdict}"
        )
    except ServiceError as exc:
        await cl.Message(content=f"I could not {verdict} the rewrite: {exc.detail}").send()
        return
    for button in render.rewrite_actions(resume_id, version_id):
        button.forId = action.forId
        await button.remove()
    await cl.Message(content=render.DECIDED[verdict]).send()


@cl.action_callback(render.ACCEPT)
async def on_accept(action: cl.Action) -> None:
    await _decide(action, "accept")


@cl.action_callback(render.REJECT)
async def on_reject(action: cl.Action) -> None:
    await _decide(action, "reject")
