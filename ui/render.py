"""How results read in the chat: match cards, rewrite diffs, profiles and starters.

Markdown only (no custom HTML, `unsafe_allow_html` stays off): cards are short sections
that stay readable at phone width, where a wide table would scroll sideways. Everything
shown comes from the services; text the candidate wrote (resume lines in a diff) is
shown inside a code block, so it cannot turn into links or formatting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import chainlit as cl
from chainlit.element import Element

from agents.offline import spec
from agents.offline.answers import tr
from tools.client import Download
from tools.markdown import inert_fields, inline

Role = Literal["candidate", "employer"]
CANDIDATE = "Candidate"
EMPLOYER = "Employer"
PROFILE_BY_ROLE: dict[str, str] = {"candidate": CANDIDATE, "employer": EMPLOYER, "admin": EMPLOYER}

# Action names, shared by the buttons made here and the callbacks in ui/app.py.
ACCEPT = "accept_rewrite"
REJECT = "reject_rewrite"
VIEW = "view_result"
STARTER = "starter"
ALERT_MATCH = "alert_match"
CONTACT_ANSWER = "contact_answer"
SHORTLIST = "open_shortlist"
CONFIRM = "confirm_action"

MAX_SKILLS = 8

CAN_DO: dict[str, tuple[str, ...]] = {
    CANDIDATE: (
        "read your resume (attach a PDF, DOCX or TXT file with the paperclip)",
        "critique it: a score and concrete fixes",
        "find the jobs that fit you, each with the skills you have and miss",
        "rewrite it for one job, shown as a diff you accept or reject",
        "tell you when a new job matches you (job alerts), and give you your report as a PDF",
        "give you your resume as a JSON Resume file, to take to other sites",
        "show you to employers, or hide you (your choice), and delete your data",
        "ask you before an employer may contact you; you answer here",
    ),
    EMPLOYER: (
        "list your organisation's jobs, or create one from a pasted description",
        "find the best opted-in candidates for a job, with scores and reasons",
        "ask a candidate whether you may contact them (they answer in their chat)",
        "compare two candidates side by side",
        "show your hiring funnel",
        "give you a blind shortlist for a job, or a funnel report, as a PDF with charts",
    ),
}

STARTERS: dict[str, tuple[tuple[str, str], ...]] = {
    CANDIDATE: (
        ("Jobs for me", "Which jobs match my resume best?"),
        ("Critique", "Critique my resume"),
        ("My resume", "What skills do I have?"),
        ("Tailor it", "Rewrite my resume for the first job"),
    ),
    EMPLOYER: (
        ("Our jobs", "List our jobs"),
        ("Find candidates", "Find candidates for our first job"),
        ("Compare", "Compare the top two candidates"),
        ("Funnel", "Show the hiring funnel"),
    ),
}


JOBS_HINT = 'Next: "explain the first match" or "rewrite my resume for the first job".'
CANDIDATES_HINT = (
    'Next: "compare 1 and 2", or "ask candidate 1 if we may contact them". '
    "Candidates are shown by id only, never by name."
)


def starter_actions(role: str) -> list[cl.Action]:
    """The starter prompts as buttons under the welcome message (Chainlit's own starters
    show only in an empty thread, which the welcome message ends)."""
    return [
        cl.Action(name=STARTER, payload={"message": message}, label=label, tooltip=message)
        for label, message in STARTERS[profile_name(role)]
    ]


def profile_name(role: str) -> str:
    """The one chat profile a role may use (employers and admins get the employer one)."""
    return PROFILE_BY_ROLE.get(role, CANDIDATE)


def mode_line(mode: str) -> str:
    if mode == "llm":
        return "Mode: **language model** (a configured LLM writes the answers)."
    return "Mode: **offline model** (no LLM is used: answers come from fixed, local rules)."


def can_do(profile: str) -> str:
    return "\n".join(f"- {item}" for item in CAN_DO[profile])


def chat_profile(role: str, mode: str) -> cl.ChatProfile:
    name = profile_name(role)
    return cl.ChatProfile(
        name=name,
        markdown_description=f"**{name}**: what I can do for you\n\n{can_do(name)}\n\n{mode_line(mode)}",
        starters=[cl.Starter(label=label, message=message) for label, message in STARTERS[name]],
        default=True,
    )


SESSION_ENDED = (
    "Your session has ended: your account was disabled or its password changed. "
    "Sign in again to continue."
)
DELETE_ACCOUNT = "delete_account"
ACCOUNT_DELETED = "Your account and everything in it are deleted. Goodbye, and good luck."


def who_you_are(account: Mapping[str, str], role: str) -> str:
    """Who is signed in, and how to leave: shown under the welcome."""
    login = account.get("email") or account.get("username") or ""
    lines = [f"Signed in as **{account.get('display_name') or login}** ({login}, {role})."]
    lines.append("Sign out from the menu under your initials, top right.")
    if role == "candidate":
        lines.append("You can delete your account and everything in it at any time.")
    return " ".join(lines)


def account_actions(role: str) -> list[cl.Action]:
    if role != "candidate":
        return []
    return [
        cl.Action(
            name=DELETE_ACCOUNT,
            payload={},
            label="Delete my account",
            tooltip="Deletes your resumes, matches and conversations; asks first",
        )
    ]


def welcome(role: str, mode: str, display_name: str) -> str:
    name = profile_name(role)
    intro = (
        "Attach your resume to start, or ask me anything below."
        if name == CANDIDATE
        else "Name one of your jobs and I will rank the candidates who opted in."
    )
    return (
        f"Hello {display_name}, you are signed in as **{name}**. I can:\n\n"
        f"{can_do(name)}\n\n{intro}\n\n_{mode_line(mode)}_"
    )


# --- matches --------------------------------------------------------------------------


def _flat(match: Mapping[str, Any]) -> dict[str, Any]:
    """A match from the synchronous API (flat) or from a task result (`details`)."""
    details = match.get("details") or {}
    return {**details, **{k: v for k, v in match.items() if k != "details"}}


def _skills(values: Iterable[Any] | None, lang: str) -> str:
    items = [str(v) for v in values or ()]
    if not items:
        return tr(lang, "none")
    more = len(items) - MAX_SKILLS
    shown = ", ".join(items[:MAX_SKILLS])
    return tr(lang, "{shown} (+{more} more)", shown=shown, more=more) if more > 0 else shown


def _percent(score: Any) -> str:
    try:
        return f"{round(float(score) * 100)}%"
    except (TypeError, ValueError):
        return "n/a"


def match_card(
    rank: int, match: Mapping[str, Any], kind: Literal["jobs", "candidates"], lang: str = "en"
) -> str:
    """One match as a short section; its labels in `lang` (the data as the services
    wrote it)."""
    m = inert_fields(_flat(match))  # titles, companies, skills: an employer's words
    if kind == "jobs":
        where = " · ".join(str(p) for p in (m.get("company"), m.get("location")) if p)
        heading = f"### {rank}. {m.get('title') or tr(lang, 'Untitled job')}"
        sub = f"{where} · " if where else ""
        ref = tr(lang, "job id `{id}`", id=m.get("job_id"))
    else:
        candidate = tr(lang, "Candidate {id}", id=str(m.get("candidate_id", ""))[:8])
        heading = f"### {rank}. {candidate}"
        sub = ""
        ref = tr(lang, "resume id `{id}`", id=m.get("resume_id"))
    lines = [
        heading,
        f"{sub}**{tr(lang, 'score {score}', score=_percent(m.get('score')))}**",
        "- " + tr(lang, "Has: {skills}", skills=_skills(m.get("matched_skills"), lang)),
        "- "
        + tr(lang, "Missing (required): {skills}", skills=_skills(m.get("missing_required"), lang)),
        "- "
        + tr(
            lang, "Missing (preferred): {skills}", skills=_skills(m.get("missing_preferred"), lang)
        ),
    ]
    reasons = [str(r) for r in m.get("reasons") or ()]
    if reasons:
        lines.append("- " + tr(lang, "Why: {reasons}", reasons="; ".join(reasons[:3])))
    lines.append(f"- {ref}")
    return "\n".join(lines)


def match_cards(
    matches: Iterable[Mapping[str, Any]],
    kind: Literal["jobs", "candidates"],
    title: str,
    lang: str = "en",
) -> str:
    cards = [match_card(rank, match, kind, lang) for rank, match in enumerate(matches, 1)]
    if not cards:
        empty = "No job matches yet." if kind == "jobs" else "No opted-in candidate matches yet."
        return f"**{title}**\n\n{empty}"
    return f"**{title}**\n\n" + "\n\n".join(cards)


_LISTED_RE = re.compile(r"^\d+\. ")


def framed_cards(
    matches: Sequence[Mapping[str, Any]],
    kind: Literal["jobs", "candidates"],
    title: str,
    hint: str,
    said: str | None,
    lang: str = "en",
) -> str:
    """Cards for a list of matches, titled `title` and followed by `hint`. When the
    offline model wrote `said` (the same list as text, in the user's language), its
    words frame the cards instead: its introduction as their title, and its closing notes
    (the filters applied, what a query put first, what to ask next) after them; with no
    match, its sentence says which filters found nothing. The cards' labels are in `lang`,
    the language of those words."""
    if said is None:
        return match_cards(matches, kind, title) + "\n\n" + hint
    lines = said.splitlines()
    listed = [number for number, line in enumerate(lines) if _LISTED_RE.match(line)]
    if not matches or not listed:
        return said
    intro = " ".join(lines[: listed[0]]).strip().rstrip(":") or title
    notes = [line for line in lines[listed[-1] + 1 :] if line.strip()]
    return "\n\n".join([match_cards(matches, kind, intro, lang), *notes])


# --- rewrites -------------------------------------------------------------------------


def _fence(text: str, language: str = "") -> str:
    """A code block that the text inside cannot close early."""
    longest = max((len(run) for run in text.split("\n") if set(run) == {"`"}), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def strip_delimiters(text: str) -> str:
    """The tools wrap user-supplied text in `<kind>...</kind>` lines for the model (see
    `tools.base.delimit`); people need only what is inside."""
    lines = text.splitlines()
    if (
        len(lines) >= 2
        and re.fullmatch(r"<\w+>", lines[0].strip())
        and lines[-1].strip() == "</" + lines[0].strip()[1:]
    ):
        lines = lines[1:-1]
    return "\n".join(lines)


def diff_summary(diff: str) -> tuple[int, int]:
    added = sum(
        1 for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")
    )
    removed = sum(
        1 for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")
    )
    return added, removed


def rewrite_diff(diff: str) -> str:
    diff = strip_delimiters(diff)
    if not diff.strip():
        return "The rewrite changed nothing."
    added, removed = diff_summary(diff)
    return (
        f"**Your rewritten resume** ({added} lines added, {removed} removed; "
        "`+` new, `-` removed)\n\n" + _fence(diff, "diff")
    )


DECIDED = {
    "accept": "Accepted: the rewritten version is now your current resume.",
    "reject": "Rejected: your resume stays as it was.",
}


def rewrite_actions(resume_id: str, version_id: str) -> list[cl.Action]:
    """Accept and Reject; their ids derive from the version, so deciding with one button
    can remove both."""
    payload = {"resume_id": resume_id, "version_id": version_id}
    return [
        cl.Action(
            id=f"{ACCEPT}-{version_id}",
            name=ACCEPT,
            payload=payload,
            label="Accept",
            tooltip="Make this rewrite your current resume",
            icon="check",
        ),
        cl.Action(
            id=f"{REJECT}-{version_id}",
            name=REJECT,
            payload=payload,
            label="Reject",
            tooltip="Keep your current resume as it is",
            icon="x",
        ),
    ]


# --- confirmations --------------------------------------------------------------------


def confirm_actions(key: str) -> list[cl.Action]:
    """Yes and No under a question that guards publishing, deleting or sharing: the answer
    is sent as if typed (the tool checks that the user's own latest message confirms).
    Their ids derive from `key`, so answering with one button can remove both."""
    return [
        cl.Action(
            id=f"{CONFIRM}-{answer}-{key}",
            name=CONFIRM,
            payload={"message": answer, "key": key},
            label=label,
            icon=icon,
        )
        for answer, label, icon in (("yes", "Yes, do it", "check"), ("no", "No, cancel", "x"))
    ]


# --- tool steps and notifications -----------------------------------------------------

# Chainlit shows a step as "Using <label>" while it runs and "Used <label>" after; each
# tool's label is part of its specification (`agents.offline.spec`).
tool_label = spec.tool_label


def tool_outcome(data: Mapping[str, Any]) -> str:
    """One line for the collapsible step: what the tool came back with."""
    if "error" in data:
        return f"Could not finish: {data['error']}"
    if data.get("confirmation_required"):
        return "Waiting for your confirmation."
    if isinstance(data.get("matches"), list):
        return f"{len(data['matches'])} result(s)."
    if isinstance(data.get("jobs"), list):
        return f"{len(data['jobs'])} job(s)."
    if status := data.get("status"):
        return f"Status: {status}."
    return "Done."


TASK_WORDS: dict[str, str] = {
    "rewrite": "resume rewrite",
    "match_jobs": "job matching",
    "match_candidates": "candidate matching",
    "report": "report",
}


def notification_text(payload: Mapping[str, Any]) -> str:
    what = TASK_WORDS.get(str(payload.get("task_kind")), "background task")
    status = payload.get("status")
    if status == "succeeded":
        return f"Your {what} is ready."
    if status == "cancelled":
        return f"Your {what} was cancelled."
    return f"Your {what} could not be finished. You can ask me to try again."


VIEW_LABELS = {"rewrite": "View the rewrite", "report": "Get the report"}


def view_action(task_id: str, kind: str) -> cl.Action:
    label = VIEW_LABELS.get(kind, "View the results")
    return cl.Action(name=VIEW, payload={"task_id": task_id}, label=label, icon="eye")


# --- job alerts and reports -----------------------------------------------------------


def job_alert_card(alert: Mapping[str, Any]) -> str:
    """A new job that passed the candidate's alert threshold, as a match card."""
    alert = inert_fields(alert)
    lines = match_card(1, alert, "jobs").split("\n")[1:]  # its own heading, not a rank
    if "missing_preferred" not in alert:  # not part of an alert: say nothing, not "none"
        lines = [line for line in lines if not line.startswith("- Missing (preferred)")]
    card = "\n".join(lines)
    heading = f"**New job for you: {alert.get('title') or 'Untitled job'}**"
    link = (
        f"\n- [Open the job posting]({alert['job_url']})" if _safe_url(alert.get("job_url")) else ""
    )
    return f"{heading}\n\n{card}{link}"


def _safe_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://")) and " " not in value


def alert_actions(job_id: str) -> list[cl.Action]:
    return [
        cl.Action(
            name=ALERT_MATCH,
            payload={"job_id": job_id},
            label="See how I match",
            tooltip="Skills you have and miss for this job, and how to close the gap",
            icon="search",
        )
    ]


REPORT_READY = "Here is your report: the PDF to download, and its chart."
CHART_NAME = "chart"


def file_element(name: str, got: Download) -> Element:
    """A report's chart (SVG, drawn by the reports service) as an image shown in the
    message; anything else (the report's PDF, an exported resume) as a file to download."""
    if name == "chart":
        return cl.Image(
            name=CHART_NAME, content=got.body, mime=got.media_type, display="inline", size="large"
        )
    return cl.File(name=got.filename, content=got.body, mime=got.media_type, display="inline")


def alert_prompt(job_id: str) -> str:
    """What the "See how I match" button asks the assistant, as if typed."""
    return f"Explain my match for job {job_id}"


# --- contact requests -----------------------------------------------------------------


def _plain(value: Any, fallback: str) -> str:
    """Text an employer typed (a job title, a company), shown without any Markdown of
    its own: it cannot turn into a link or a heading in the candidate's chat."""
    return inline(value, fallback, limit=200)


def contact_question(request: Mapping[str, Any]) -> str:
    """An employer's contact request, as the candidate is asked it."""
    who = _plain(request.get("company"), "An employer")
    title = _plain(request.get("job_title"), "one of their jobs")
    return (
        f"**{who} would like to contact you** about their job: {title}.\n\n"
        "If you agree, they see the e-mail address on your resume in their shortlists. "
        "Until then they see only your skills and scores, under a pseudonym. "
        'You can change your answer at any time ("my contact requests").'
    )


def contact_actions(request_id: str, who: str | None = None) -> list[cl.Action]:
    """Agree and Decline (naming the employer when several are listed); ids derive from
    the request, so one answer removes both."""
    # A button label is not Markdown: shown as typed, on one line.
    suffix = f": {' '.join(who.split())[:80]}" if who else ""
    return [
        cl.Action(
            id=f"{CONTACT_ANSWER}-{verdict}-{request_id}",
            name=CONTACT_ANSWER,
            payload={"request_id": request_id, "accept": accept},
            label=label + suffix,
            tooltip=tooltip,
            icon=icon,
        )
        for verdict, accept, label, tooltip, icon in (
            ("yes", True, "Agree", "Let this employer see your e-mail address", "check"),
            ("no", False, "Decline", "Stay anonymous to this employer", "x"),
        )
    ]


def contact_requests(requests: Iterable[Mapping[str, Any]]) -> tuple[str, list[cl.Action]]:
    """The candidate's contact requests, with Agree / Decline for those still open."""
    rows = list(requests)
    lines = ["**Employers who asked to contact you**", ""]
    actions: list[cl.Action] = []
    for rank, r in enumerate(rows, 1):
        who = _plain(r.get("company"), "An employer")
        title = _plain(r.get("job_title"), "a job")
        lines.append(f"{rank}. {who}, for {title}: {r.get('status')}")
        if r.get("status") == "pending":
            label = str(r.get("company") or "An employer") if len(rows) > 1 else None
            actions += contact_actions(str(r.get("id")), label)
    return "\n".join(lines), actions


def contact_answered(request: Mapping[str, Any]) -> str:
    """What the candidate decided, as the employer who asked is told (no personal data:
    the shortlist shows the contact)."""
    title = _plain(request.get("job_title"), "your job")
    candidate = str(request.get("candidate_id") or "")[:8]
    if request.get("status") == "accepted":
        return (
            f"Candidate {candidate} agreed to be contacted about {title}: their e-mail "
            "address is in the job's shortlist."
        )
    return (
        f"Candidate {candidate} declined to be contacted about {title} (or withdrew "
        "their consent): they stay anonymous in the shortlist."
    )


def shortlist_actions(job_id: str) -> list[cl.Action]:
    return [
        cl.Action(
            name=SHORTLIST,
            payload={"job_id": job_id},
            label="Get the shortlist",
            tooltip="The job's shortlist as a PDF, with the contacts candidates agreed to share",
            icon="file-text",
        )
    ]


def shortlist_prompt(job_id: str) -> str:
    """What the "Get the shortlist" button asks the assistant, as if typed."""
    return f"Shortlist report for job {job_id}"


CONTACT_DECIDED = {
    True: "Done: they can now see your e-mail address for this job.",
    False: "Done: you stay anonymous to them.",
}
