"""The offline model: a deterministic LangChain chat model that runs every flow at zero cost.

With no LLM endpoint configured, the same graph runs on this model. It reads the
conversation like an agent would:

1. the latest user message is mapped to one of the bound tools, by intent rules first and
   by embedding similarity to example phrasings second (`ingest.embeddings`);
2. the arguments are filled from the message and the conversation (a job named by rank,
   title or id in an earlier result; the action a confirmation answers);
3. once tool results arrive, the answer is rendered from them with fixed templates.

It is part of the product, not a test double: the same input always gives the same reply.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolCall, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from agents.safety import undelimit
from tools.base import is_confirmation
from tools.markdown import inert_fields

# --- intents --------------------------------------------------------------------------


@dataclass(frozen=True)
class Intent:
    tool: str
    patterns: tuple[str, ...]  # any match selects the tool (first intent in order wins)
    examples: tuple[str, ...]  # phrasings for the embedding fallback


def _rx(*patterns: str) -> tuple[str, ...]:
    return patterns


_JOBS = r"(jobs?|roles?|positions?|openings?|vacanc\w*|opportunit\w*|postings?)"
_CANDS = r"(candidates?|applicants?|people|talent|profiles?|who)"

# Order matters: pasted job descriptions first (anchored at the message start, since the
# text itself names candidates and skills), then specific actions before broad searches.
INTENTS: tuple[Intent, ...] = (
    Intent(
        "update_job",
        _rx(
            rf"^\W*(please\s+)?(update|change|edit|modify|rename|unpublish|close|reopen|republish)\b[^\n]*\b{_JOBS}\b"
        ),
        ("Update the job description", "Unpublish the data engineer job"),
    ),
    Intent(
        "create_job",
        _rx(
            rf"^\W*(please\s+)?(create|post|add|publish|open|advertise|new)\b[^\n]*\b{_JOBS}\b",
            r"^\W*here is (a|the|our) (new )?(job )?(description|posting|ad)\b",
        ),
        ("Create a job from this description", "Post a new role", "We are hiring, here is the ad"),
    ),
    Intent(
        "delete_my_data",
        _rx(
            r"\b(delete|erase|remove|wipe|forget)\b.*\b(my|all)\b.*\b(data|account|profile|everything|information|resumes?)\b",
            r"\bforget me\b",
            r"\bright to (be forgotten|erasure)\b",
        ),
        (
            "Delete all my data",
            "Remove my account and everything you know about me",
            "I want to be forgotten",
        ),
    ),
    # job alerts: before job searches (an alert request names jobs, scores, places)
    Intent(
        "stop_job_alerts",
        _rx(
            r"\b(stop|disable|turn off|switch off|cancel|unsubscribe|pause|no more|mute)\b.*\b(alerts?|notifications?)\b",
            r"\b(alerts?|notifications?)\b.*\b(off|stop)\b",
        ),
        ("Stop job alerts", "Turn off my alerts", "No more job notifications"),
    ),
    Intent(
        "set_job_alerts",
        _rx(
            r"\b(turn on|enable|set up|setup|start|switch on|create|subscribe|change|update|set)\b.*\balerts?\b",
            rf"\b(notify|alert|tell|ping) me\b.*\b(new|when|about|{_JOBS})\b",
            r"\balerts?\b.*\b(above|over|at least|min\w*|per day|a day|remote|only)\b",
        ),
        (
            "Turn on job alerts",
            "Notify me when a new job matches my resume",
            "Alert me about new remote jobs",
        ),
    ),
    Intent(
        "get_job_alerts",
        _rx(r"\balerts?\b", r"\b(are|is) (my )?(job )?notifications? on\b"),
        ("What are my alert settings?", "Are my job alerts on?"),
    ),
    # reports: a document to download, before the searches and the funnel they summarise
    Intent(
        "get_shortlist_report",
        _rx(r"\bshort-?list\b"),
        ("Shortlist for the data engineer job", "Give me a blind shortlist report"),
    ),
    Intent(
        "get_funnel_report",
        _rx(
            r"\b(funnel|hiring|metrics|stats)\b.*\b(report|pdf)\b",
            r"\b(report|pdf)\b.*\b(funnel|hiring|metrics|stats)\b",
        ),
        ("Funnel report", "Download our hiring report as a PDF"),
    ),
    Intent(
        "get_my_report",
        _rx(
            r"\b(my|a|the|full|personal)\b.*\breport\b",
            r"\bdownload\b.*\b(report|pdf)\b",
            r"\breport\b.*\b(pdf|download)\b",
        ),
        ("My report", "Download my report", "Give me my career report as a PDF"),
    ),
    # contact requests: before visibility ("allow ... contact") and candidate searches
    Intent(
        "answer_contact_request",
        _rx(
            r"\b(accept|agree|allow|approve|say yes|consent|decline|refuse|reject|deny|"
            r"withdraw|revoke|say no)\b.*\bcontact",
            r"\b(they|employer|company)\b.*\b(may|can)\b.*\bcontact me\b",
        ),
        ("Accept the contact request", "Decline the contact request", "Yes, they may contact me"),
    ),
    Intent(
        "get_contact_requests",
        _rx(
            r"\bcontact requests?\b",
            r"\bwho\b.*\b(wants?|asked|would like)\b.*\bcontact\b",
        ),
        ("Who wants to contact me?", "My contact requests"),
    ),
    Intent(
        "request_contact",
        _rx(
            r"\b(ask|request|reach out|get in touch|contact)\b.*\b(candidate|applicant|them|#\d)",
            r"\b(may|can) we contact\b",
        ),
        (
            "Ask candidate 1 if we may contact them",
            "Request contact with the top candidate",
            "Can we contact the second applicant?",
        ),
    ),
    Intent(
        "set_visibility",
        _rx(
            r"\b(opt[ -]?(in|out)|visible|invisible|visibility|hide me|unhide)\b",
            r"\b(let|allow|stop|don'?t let)\b.*\bemployers?\b.*\b(find|see|contact)\b",
            r"\bmake (me|my profile|my resume)\b.*\b(public|private|visible|hidden)\b",
            r"\b(show|hide) (me|my profile|my resume) (to|from) employers\b",
        ),
        ("Let employers find me", "Hide my profile from employers", "Make my resume visible"),
    ),
    Intent(
        "accept_rewrite",
        _rx(
            r"\b(accept|approve|keep|apply|use)\b.*\b(rewrite|rewritten|new version|changes|tailored)\b"
        ),
        ("Accept the rewrite", "Use the new version of my resume"),
    ),
    Intent(
        "reject_rewrite",
        _rx(
            r"\b(reject|discard|decline|drop|throw away)\b.*\b(rewrite|rewritten|new version|changes|it)\b"
        ),
        ("Reject the rewrite", "Discard the new version"),
    ),
    Intent(
        "show_rewrite",
        _rx(
            r"\b(show|see|view|display|what)\b.*\b(rewrite|rewritten|diff|changes|new version)\b",
            r"\bis (my|the) rewrite (ready|done)\b",
        ),
        ("Show me the rewrite", "What changed in the new version?"),
    ),
    Intent(
        "request_rewrite",
        _rx(
            r"\b(rewrite|tailor|adapt|rework|optimi[sz]e|customi[sz]e)\b.*\b(resume|cv|for)\b",
            r"\b(resume|cv)\b.*\b(for|to fit|to match)\b.*\b(job|role|position|one|it)\b",
        ),
        (
            "Rewrite my resume for this job",
            "Tailor my CV to the first job",
            "Adapt my resume for the second role",
        ),
    ),
    Intent(
        "explain_match",
        _rx(
            r"\b(explain|why|gap|close the gap|what am i missing|missing for|how (well )?do i (fit|match))\b",
            r"\bmore (about|on|details)\b.*\b(job|role|match|one)\b",
        ),
        (
            "Explain the first match",
            "Why do I match this job?",
            "What skills am I missing for the second role?",
        ),
    ),
    Intent(
        "critique_my_resume",
        _rx(
            r"\b(critique|feedback|review|improve|assess|evaluate|rate|score)\b.*\b(resume|cv)\b",
            r"\b(resume|cv)\b.*\b(good|bad|weak|better|improve\w*|feedback)\b",
            r"\bwhat should i (fix|change|improve)\b",
        ),
        ("Critique my resume", "How can I improve my CV?", "Is my resume any good?"),
    ),
    Intent(
        "find_matching_jobs",
        _rx(
            rf"\b{_JOBS}\b.*\b(match|fit|suit|for me|best|recommend|good|right)\w*",
            rf"\b(find|search|look|recommend|suggest|show|any|which|what)\b.*\b{_JOBS}\b",
            r"\bmatch(es|ing)?\b.*\b(resume|cv|me)\b",
        ),
        (
            "Which jobs match my resume best?",
            "Find me jobs",
            "What roles would suit me?",
            "Show me suitable openings",
        ),
    ),
    Intent(
        "read_my_resume",
        _rx(
            r"\b(read|show|see|what'?s in|summari[sz]e|open)\b.*\b(my )?(resume|cv)\b",
            r"\bwhat (skills|experience) do i have\b",
        ),
        ("What is in my resume?", "Summarise my CV", "What skills do I have?"),
    ),
    # employer
    Intent(
        "compare_candidates",
        _rx(r"\bcompare\b", r"\b(vs\.?|versus)\b", r"\bwho is better\b"),
        ("Compare the top two candidates", "Candidate 1 versus candidate 2"),
    ),
    Intent(
        "find_candidates",
        _rx(
            rf"\b{_CANDS}\b.*\b(for|match|fit|suit|best|top)\b",
            rf"\b(find|search|look|show|who|any|best|top)\b.*\b{_CANDS}\b",
        ),
        (
            "Find candidates for the data engineer job",
            "Who fits our backend role best?",
            "Show me the top applicants",
        ),
    ),
    Intent(
        "hiring_funnel",
        _rx(
            r"\b(funnel|metrics|stats|statistics|analytics|kpis?|numbers|pipeline|dashboard)\b",
            r"\bhow many\b.*\b(resumes|uploads|matches|candidates|tasks)\b",
        ),
        ("Show the hiring funnel", "How are we doing this month?", "Give me our hiring metrics"),
    ),
    Intent(
        "list_my_jobs",
        _rx(rf"\b(list|show|which|what)\b.*\b(our|my)\b.*\b{_JOBS}\b", rf"\b(our|my) {_JOBS}\b"),
        ("List our jobs", "Which roles do we have open?"),
    ),
)
_INTENT_BY_TOOL = {intent.tool: intent for intent in INTENTS}
_COMPILED = {i.tool: [re.compile(p, re.I | re.S) for p in i.patterns] for i in INTENTS}
# Below this cosine similarity the message is not about any tool (greetings, thanks...).
EMBEDDING_THRESHOLD = 0.55


class _Examples:
    """Example phrasings embedded once per process, for the similarity fallback."""

    def __init__(self) -> None:
        from ingest.embeddings import get_embedder

        self.embedder = get_embedder()
        self.tools = [i.tool for i in INTENTS for _ in i.examples]
        self.vectors = self.embedder.embed([e for i in INTENTS for e in i.examples])

    def best(self, text: str, allowed: set[str]) -> tuple[str | None, float]:
        query = self.embedder.embed([text])[0]
        sims = self.vectors @ query
        best_tool, best_sim = None, -1.0
        for tool, sim in zip(self.tools, sims, strict=True):
            if tool in allowed and float(sim) > best_sim:
                best_tool, best_sim = tool, float(sim)
        return best_tool, best_sim


@lru_cache(maxsize=1)
def _examples() -> _Examples:
    return _Examples()


def pick_tool(text: str, allowed: set[str], *, use_embeddings: bool = True) -> str | None:
    """The tool a message asks for among `allowed`, or None (then the model answers)."""
    head = text[:300]  # a pasted document must not trigger intents with its own words
    for intent in INTENTS:
        if intent.tool in allowed and any(p.search(head) for p in _COMPILED[intent.tool]):
            return intent.tool
    if not use_embeddings or len(text.split()) < 2:
        return None
    tool, similarity = _examples().best(text, allowed)
    return tool if similarity >= EMBEDDING_THRESHOLD else None


# --- the conversation, as the model reads it -------------------------------------------


def _text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else str(message.text)


def _artifact(message: ToolMessage) -> dict[str, Any]:
    if isinstance(message.artifact, dict):
        return message.artifact
    try:
        data = json.loads(_text(message))
    except ValueError:
        return {"error": _text(message)}
    return data if isinstance(data, dict) else {"result": data}


@dataclass
class Turn:
    """The latest user message, the tool results since, and everything before."""

    user: str
    results: list[ToolMessage]
    history: list[BaseMessage]  # before the latest user message

    @classmethod
    def read(cls, messages: Sequence[BaseMessage]) -> Turn:
        for index in range(len(messages) - 1, -1, -1):
            if isinstance(messages[index], HumanMessage):
                results = [m for m in messages[index + 1 :] if isinstance(m, ToolMessage)]
                return cls(_text(messages[index]), results, list(messages[:index]))
        return cls("", [], list(messages))

    def called(self) -> set[str]:
        return {m.name or "" for m in self.results}

    def latest(self, *tools: str) -> dict[str, Any] | None:
        """The newest successful result of one of `tools`, this turn first, then before."""
        for message in reversed([*self.history, *self.results]):
            if isinstance(message, ToolMessage) and message.name in tools:
                data = _artifact(message)
                if "error" not in data and not data.get("confirmation_required"):
                    return data
        return None

    def pending_confirmation(self) -> dict[str, Any] | None:
        """The action the assistant asked the user to confirm in its previous answer."""
        for message in reversed(self.history):
            if isinstance(message, HumanMessage):
                return None
            if isinstance(message, ToolMessage):
                data = _artifact(message)
                return data if data.get("confirmation_required") else None
        return None


_ID_RE = re.compile(r"\b[0-9a-f]{32}\b")
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "top": 1,
    "best": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
}
_ORDINAL_RE = re.compile(
    r"\b(?:("
    + "|".join(_ORDINALS)
    + r")\b|(?:number|no\.?|#|job|role|option|candidate)\s*(\d{1,2})\b)",
    re.I,
)
_NO_RE = re.compile(r"^\W*(no|nope|cancel|stop|don'?t|do not|never mind|nevermind)\b", re.I)


def ordinals(text: str) -> list[int]:
    out = []
    for word, number in _ORDINAL_RE.findall(text):
        out.append(_ORDINALS[word.lower()] if word else int(number))
    return out


def _pick_listed(text: str, items: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    """The item of an earlier list the message points at: by id, rank or title."""
    if not items:
        return None
    for found in _ID_RE.findall(text):
        for item in items:
            if found in (item.get(key), item.get("resume_id"), item.get("candidate_id")):
                return item
    for rank in ordinals(text):
        if rank == -1:
            return items[-1]
        if 1 <= rank <= len(items):
            return items[rank - 1]
    lowered = text.lower()
    titled = [i for i in items if i.get("title") and str(i["title"]).lower() in lowered]
    if titled:
        return max(titled, key=lambda i: len(str(i["title"])))
    return None


# --- argument filling -------------------------------------------------------------------


class NeedsFirst(Exception):
    """The intended tool needs another tool's result first (e.g. a job list)."""

    def __init__(self, tool: str, args: dict[str, Any] | None = None) -> None:
        self.tool = tool
        self.call_args = args or {}


class Unclear(Exception):
    """The message does not say enough to act; `question` asks what is missing."""

    def __init__(self, question: str) -> None:
        self.question = question


def _job_for_candidate(turn: Turn) -> str:
    ids = _ID_RE.findall(turn.user)
    listed = turn.latest("find_matching_jobs")
    if listed:
        chosen = _pick_listed(turn.user, listed.get("matches", []), "job_id")
        if chosen:
            return str(chosen["job_id"])
    if ids:
        return ids[0]
    explained = turn.latest("explain_match", "request_rewrite")
    if explained and not ordinals(turn.user):
        return str(explained["job_id"])
    if listed and listed.get("matches"):
        return str(listed["matches"][0]["job_id"])
    raise NeedsFirst("find_matching_jobs")


_FOR_JOB_RE = re.compile(
    r"\b(?:for|to|of|on)\s+(?:the|our|my|this|that)?\s*[\"']?(?P<title>[A-Za-z][\w +#./&-]{1,80}?)[\"']?"
    r"\s*(?:job|role|position|opening|vacancy|posting)\b",
    re.I,
)
_QUOTED_RE = re.compile(r"[\"“']([^\"”']{2,120})[\"”']")


def _job_for_employer(turn: Turn) -> str:
    ids = _ID_RE.findall(turn.user)
    if ids:
        return ids[0]
    jobs = [
        *(turn.latest("list_my_jobs") or {}).get("jobs", []),
    ]
    chosen = _pick_listed(turn.user, jobs, "id") if jobs else None
    if chosen:
        return str(chosen["id"])
    quoted = _QUOTED_RE.search(turn.user)
    if quoted:
        return quoted.group(1).strip()
    named = _FOR_JOB_RE.search(turn.user)
    if named and named.group("title").strip().lower() not in ("this", "that", "same", "new", "it"):
        return named.group("title").strip()
    recent = turn.latest("create_job", "update_job", "find_candidates", "compare_candidates")
    if recent and recent.get("job"):
        return str(recent["job"]["id"])
    if jobs:
        return str(jobs[0]["id"])
    raise NeedsFirst("list_my_jobs")


_TOP_K_RE = re.compile(
    r"\b(?:top|best|first)?\s*(\d{1,2})\s+(?:jobs?|roles?|candidates?|matches|results|people)\b",
    re.I,
)
_DAYS_RE = re.compile(r"\b(?:last|past)\s+(\d{1,3})\s+days?\b", re.I)
_CREATE_LEAD_RE = re.compile(
    r"^\s*(?:please\s+)?(?:create|post|add|publish|open|advertise)\b[^\n:]*?(?::|\n|$)|"
    r"^\s*here is (?:a|the|our) (?:job )?(?:description|posting|ad)\b[^\n:]*?(?::|\n|$)",
    re.I,
)
_TITLE_LINE_RE = re.compile(r"^\s*(?:job\s+)?title\s*:\s*(.+)$", re.I | re.M)


def _top_k(text: str, default: int = 5) -> int:
    found = _TOP_K_RE.search(text)
    return max(1, min(int(found.group(1)), 20)) if found else default


def _visibility(text: str) -> bool:
    return not re.search(
        r"\b(opt[ -]?out|invisible|hide|hidden|private|stop|don'?t|do not|no longer|remove me)\b",
        text,
        re.I,
    )


def _compare_refs(turn: Turn) -> tuple[str, str]:
    ids = _ID_RE.findall(turn.user)
    if len(ids) >= 2:
        return ids[0], ids[1]
    ranks = [r for r in ordinals(turn.user) if r > 0]
    numbers = [int(n) for n in re.findall(r"\b(\d{1,2})\b", turn.user)]
    picks = ranks or numbers
    if len(picks) >= 2:
        return str(picks[0]), str(picks[1])
    return "1", "2"


def _job_description(text: str) -> tuple[str, str | None]:
    description = _CREATE_LEAD_RE.sub("", text, count=1).strip() or text.strip()
    title = _TITLE_LINE_RE.search(description)
    return description, title.group(1).strip() if title else None


_SCORE_RE = re.compile(
    r"\b(?:above|over|at least|more than|min(?:imum)?(?:\s+score)?(?:\s+of)?|score\s+(?:of\s+)?"
    r"|match(?:es|ing)?(?:\s+at\s+least)?|>=?)"
    r"\s*(\d{1,3}(?:\.\d+)?)\s*(%|percent)?",
    re.I,
)
_PER_DAY_RE = re.compile(
    r"\b(?:at most|max(?:imum)?(?:\s+of)?|up to|no more than|only)?\s*(\d{1,2})\s*"
    r"(?:alerts?\s+|jobs?\s+|times?\s+)?(?:a|per|each)\s+day\b",
    re.I,
)
_PLACE_RE = re.compile(r"\b(?:in|near|around|based in)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})")
_BACKGROUND_RE = re.compile(
    r"\b(in the background|background|later|async\w*|when (it'?s )?ready)\b", re.I
)


def _alert_args(turn: Turn) -> dict[str, Any]:
    """Alert settings from the message; what it does not name keeps the service's default."""
    args: dict[str, Any] = {}
    score = _SCORE_RE.search(turn.user)
    if score:
        value = float(score.group(1))
        args["min_score"] = round(value / 100 if score.group(2) or value > 1 else value, 2)
    per_day = _PER_DAY_RE.search(turn.user)
    if per_day:
        args["max_per_day"] = int(per_day.group(1))
    if re.search(r"\bremote\b", turn.user, re.I):
        args["remote"] = True
    elif re.search(r"\b(on[- ]?site|in[- ]office|in person)\b", turn.user, re.I):
        args["remote"] = False
    place = _PLACE_RE.search(turn.user)
    if place:
        args["location"] = place.group(1)
    return args


def _days(turn: Turn) -> int:
    if m := _DAYS_RE.search(turn.user):
        return int(m.group(1))
    return 7 if re.search(r"\bweek\b", turn.user, re.I) else 30


def _background(turn: Turn) -> dict[str, Any]:
    return {"in_background": True} if _BACKGROUND_RE.search(turn.user) else {}


_SHORTLIST_FOR_RE = re.compile(
    r"\bshort-?list\b\s+(?:report\s+)?(?:for|of|on)\s+(?:the|our|my)?\s*[\"']?"
    r"(?P<title>[^\"'\n?.!]{2,80}?)[\"']?\s*(?:job|role|position|opening)?\s*[?.!]*\s*$",
    re.I,
)


def _shortlist_args(turn: Turn) -> dict[str, Any]:
    named = _SHORTLIST_FOR_RE.search(turn.user)
    plain = not (_ID_RE.search(turn.user) or _QUOTED_RE.search(turn.user) or ordinals(turn.user))
    job = named.group("title").strip() if named and plain else _job_for_employer(turn)
    return {"job": job} | _background(turn)


_DECLINE_RE = re.compile(r"\b(decline|refuse|reject|deny|withdraw|revoke|say no|not)\b", re.I)


def _answer_contact_args(turn: Turn) -> dict[str, Any]:
    """Accept or decline; which request: by rank or company in the listed ones, else the
    most recent pending (the tool's default)."""
    args: dict[str, Any] = {"accept": not _DECLINE_RE.search(turn.user)}
    listed = (turn.latest("get_contact_requests") or {}).get("requests", [])
    named = [
        r for r in listed if r.get("company") and str(r["company"]).lower() in turn.user.lower()
    ]
    chosen = named[0] if named else _pick_listed(turn.user, listed, "id")
    if chosen:
        args["request_id"] = str(chosen["id"])
    return args


def _request_contact_args(turn: Turn) -> dict[str, Any]:
    """The candidate by id (one of the listed ones) or rank; the job named, else the one
    whose candidates were listed last."""
    listed = turn.latest("find_candidates", "compare_candidates") or {}
    rows = [*listed.get("matches", []), *listed.get("candidates", [])]
    known = {str(v) for m in rows for v in (m.get("candidate_id"), m.get("resume_id")) if v}
    ids = _ID_RE.findall(turn.user)
    candidate = next((i for i in ids if i in known), None)
    if candidate is None:
        ranks = [r for r in ordinals(turn.user) if r > 0]
        ranks = ranks or [int(n) for n in re.findall(r"\b(\d{1,2})\b", turn.user)]
        candidate = str(ranks[0]) if ranks else "1"
    job_ids = [i for i in ids if i != candidate]
    if job_ids:
        job = job_ids[0]
    elif listed.get("job") and not (_QUOTED_RE.search(turn.user) or _FOR_JOB_RE.search(turn.user)):
        job = str(listed["job"]["id"])
    else:
        job = _job_for_employer(turn)
    return {"job": job, "candidate": candidate}


ArgFiller = Callable[[Turn], dict[str, Any]]


def _employer_job_args(turn: Turn) -> dict[str, Any]:
    return {"job": _job_for_employer(turn)}


def _create_job_args(turn: Turn) -> dict[str, Any]:
    description, title = _job_description(turn.user)
    if len(description.split()) < 8:
        raise Unclear(
            "Paste the job description (title, duties, required skills) and I'll create the job."
        )
    return {"description": description, **({"title": title} if title else {})}


def _update_job_args(turn: Turn) -> dict[str, Any]:
    args: dict[str, Any] = {"job": _job_for_employer(turn)}
    if re.search(r"\bunpublish|close\b", turn.user, re.I):
        args["published"] = False
    elif re.search(r"\b(re)?publish|reopen\b", turn.user, re.I):
        args["published"] = True
    parts = turn.user.split("\n", 1)
    if len(parts) == 2 and len(parts[1].split()) >= 8:
        args["description"] = parts[1].strip()
    rename = re.search(r"\brename\b.*\bto\s+[\"']?([^\"'\n]{2,120})", turn.user, re.I)
    if rename:
        args["title"] = rename.group(1).strip().rstrip(".")
    if len(args) == 1:
        raise Unclear("What should change? Paste the new description, or say publish/unpublish.")
    return args


def _compare_args(turn: Turn) -> dict[str, Any]:
    first, second = _compare_refs(turn)
    return {"job": _job_for_employer(turn), "first": first, "second": second}


ARGUMENTS: dict[str, ArgFiller] = {
    "find_matching_jobs": lambda t: (
        {"top_k": _top_k(t.user)}
        | ({"remote": True} if re.search(r"\bremote\b", t.user, re.I) else {})
    ),
    "explain_match": lambda t: {"job_id": _job_for_candidate(t)},
    "request_rewrite": lambda t: {"job_id": _job_for_candidate(t)},
    "set_visibility": lambda t: {"open_to_employers": _visibility(t.user)},
    "find_candidates": lambda t: _employer_job_args(t) | {"top_k": _top_k(t.user)},
    "compare_candidates": _compare_args,
    "create_job": _create_job_args,
    "update_job": _update_job_args,
    "hiring_funnel": lambda t: {"days": _days(t)},
    "set_job_alerts": _alert_args,
    "get_my_report": _background,
    "get_shortlist_report": _shortlist_args,
    "get_funnel_report": lambda t: {"days": _days(t)} | _background(t),
    "answer_contact_request": _answer_contact_args,
    "request_contact": _request_contact_args,
}


# --- answers ----------------------------------------------------------------------------


def _names(items: Sequence[Any], limit: int = 6) -> str:
    items = [str(i) for i in items if i]
    if not items:
        return "none"
    extra = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + extra


def _where(item: dict[str, Any]) -> str:
    parts = [
        f"at {item['company']}" if item.get("company") else "",
        f"({item['location']})" if item.get("location") else "",
    ]
    return " ".join(p for p in parts if p)


def _render_jobs(data: dict[str, Any]) -> str:
    matches = data.get("matches", [])
    if not matches:
        return "I found no published job matching your resume yet. Try again later, or upload a fuller resume."
    lines = ["Here are the jobs that match your resume best:"]
    for rank, m in enumerate(matches, 1):
        lines.append(
            f"{rank}. {m.get('title')} {_where(m)} — score {float(m.get('score', 0)):.2f}. "
            f"You have: {_names(m.get('matched_skills', []))}. "
            f"Missing required: {_names(m.get('missing_required', []))}."
        )
    lines.append(
        'Ask me to explain a match (e.g. "explain the first one") or to tailor your resume for one.'
    )
    return "\n".join(lines)


def _gap_advice(missing_required: list[str], missing_preferred: list[str]) -> str:
    if not missing_required and not missing_preferred:
        return "You cover every skill the job lists: make sure your bullets show results with them."
    tips = []
    if missing_required:
        tips.append(
            f"If you have used {_names(missing_required)}, say so in a bullet with what you did; "
            "if not, a short course or a small project that uses them closes the gap."
        )
    if missing_preferred:
        tips.append(f"Nice to have: {_names(missing_preferred)}.")
    return " ".join(tips)


def _render_explain(data: dict[str, Any]) -> str:
    title = f"{data.get('title') or 'This job'} {_where(data)}".strip()
    reasons = data.get("reasons") or []
    return "\n".join(
        [
            f"{title}: score {float(data.get('score', 0)):.2f}.",
            f"Skills you have: {_names(data.get('matched_skills', []), 10)}.",
            f"Required skills you miss: {_names(data.get('missing_required', []), 10)}.",
            f"Preferred skills you miss: {_names(data.get('missing_preferred', []), 10)}.",
            *([f"Why: {'; '.join(str(r) for r in reasons[:4])}."] if reasons else []),
            f"How to close the gap: {_gap_advice(data.get('missing_required', []), data.get('missing_preferred', []))}",
        ]
    )


def _render_critique(data: dict[str, Any]) -> str:
    findings = data.get("findings", [])
    order = {"critical": 0, "warning": 1, "info": 2}
    findings = sorted(findings, key=lambda f: order.get(f.get("severity"), 3))
    lines = [f"Your resume scores {data.get('score')}/100. {data.get('summary', '')}".strip()]
    for f in findings[:5]:
        where = f" (line {f['line']})" if f.get("line") else ""
        lines.append(f"- {f.get('message')}{where} Fix: {f.get('suggestion')}")
    if not findings:
        lines.append("No problems found.")
    return "\n".join(lines)


def _render_resume(data: dict[str, Any]) -> str:
    jobs = [
        f"{e.get('title') or 'a role'}{' at ' + e['employer'] if e.get('employer') else ''}"
        for e in data.get("experience") or []
    ]
    return "\n".join(
        [
            f"Your current resume shows {data.get('years_experience') or 0:g} years of experience.",
            f"Skills: {_names(data.get('skills') or [], 12)}.",
            f"Roles: {_names(jobs, 5)}.",
            *(
                [f"Summary: {undelimit(str(data['summary']))}"]
                if undelimit(str(data.get("summary") or ""))
                else []
            ),
        ]
    )


def _render_rewrite_started(data: dict[str, Any]) -> str:
    return (
        "I've started tailoring your resume for that job. It runs in the background; "
        f"I'll let you know in this chat when it's ready (task {data.get('task_id')})."
    )


def _render_diff(data: dict[str, Any]) -> str:
    diff = undelimit(str(data.get("diff", ""))) or "(no changes)"
    return (
        f"Here is the proposed rewrite (version {data.get('version_id')}):\n```diff\n{diff}\n```\n"
        'Say "accept the rewrite" to make it your current resume, or "reject it".'
    )


def _render_candidates(data: dict[str, Any]) -> str:
    job = data.get("job", {})
    matches = data.get("matches", [])
    if not matches:
        return f"No opted-in candidate matches {job.get('title')} yet."
    lines = [f"Top candidates for {job.get('title')} (only candidates who opted in):"]
    for rank, m in enumerate(matches, 1):
        lines.append(
            f"{rank}. Candidate {str(m.get('resume_id'))[:8]} — score {float(m.get('score', 0)):.2f}. "
            f"Has: {_names(m.get('matched_skills', []))}. Missing required: {_names(m.get('missing_required', []))}."
        )
    lines.append('Ask me to compare two of them, e.g. "compare 1 and 2".')
    return "\n".join(lines)


def _render_compare(data: dict[str, Any]) -> str:
    job = data.get("job", {})
    a, b = data.get("candidates", [{}, {}])
    only_a = sorted(set(a.get("matched_skills", [])) - set(b.get("matched_skills", [])))
    only_b = sorted(set(b.get("matched_skills", [])) - set(a.get("matched_skills", [])))
    leader = a if float(a.get("score", 0)) >= float(b.get("score", 0)) else b

    def line(c: dict[str, Any]) -> str:
        return (
            f"#{c.get('rank')} candidate {str(c.get('resume_id'))[:8]}: score {float(c.get('score', 0)):.2f}, "
            f"missing required: {_names(c.get('missing_required', []))}"
        )

    return "\n".join(
        [
            f"For {job.get('title')}:",
            line(a),
            line(b),
            f"Only #{a.get('rank')} has: {_names(only_a)}. Only #{b.get('rank')} has: {_names(only_b)}.",
            f"On the job's stated requirements, #{leader.get('rank')} is ahead.",
        ]
    )


def _render_funnel(data: dict[str, Any]) -> str:
    f = data.get("funnel", {})
    t = data.get("tasks", {})
    cost = sum(float(d.get("cost_usd", 0)) for d in data.get("llm_per_day", []))
    return (
        f"Over the last {data.get('days')} days: {f.get('resumes_uploaded', 0)} resumes uploaded, "
        f"{f.get('critiqued', 0)} critiqued, {f.get('rewritten', 0)} rewritten, {f.get('matched', 0)} matched. "
        f"Background tasks: {t.get('submitted', 0)} submitted, {t.get('finished', 0)} finished, "
        f"{t.get('failed', 0)} failed. LLM spend: ${cost:.4f}."
    )


def _render_job(verb: str) -> Callable[[dict[str, Any]], str]:
    def render(data: dict[str, Any]) -> str:
        job = data.get("job", {})
        state = "published" if job.get("published") else "not published"
        return (
            f'{verb} "{job.get("title")}" (id {job.get("id")}, {state}). '
            f"Required skills: {_names(job.get('required_skills', []))}; "
            f"preferred: {_names(job.get('preferred_skills', []))}. "
            "Ask me to find candidates for it."
        )

    return render


def _render_job_list(data: dict[str, Any]) -> str:
    jobs = data.get("jobs", [])
    if not jobs:
        return "Your organisation has no jobs yet. Paste a job description and I'll create one."
    lines = [f"Your organisation has {data.get('total', len(jobs))} job(s):"]
    lines += [
        f"{n}. {j.get('title')} {_where(j)} (id {j.get('id')})" for n, j in enumerate(jobs, 1)
    ]
    lines.append('Say which one, e.g. "find candidates for the first job".')
    return "\n".join(lines)


def _render_alerts(data: dict[str, Any]) -> str:
    alerts = data.get("alerts") or {}
    if not alerts.get("enabled"):
        if data.get("status") == "stopped":
            return 'Done: job alerts are off. Say "turn on job alerts" to get them again.'
        return (
            'Job alerts are off. Say e.g. "turn on job alerts for remote jobs above 0.7, '
            'at most 3 a day" and I will tell you here when a new job matches your resume.'
        )
    where = (
        "remote only"
        if alerts.get("remote")
        else "on-site only"
        if alerts.get("remote") is False
        else "remote or not"
    )
    place = f" in {alerts['location']}" if alerts.get("location") else ""
    lead = "Done: job alerts are on" if data.get("status") == "updated" else "Job alerts are on"
    return (
        f"{lead}: new jobs matching your resume at {float(alerts.get('min_score', 0)) * 100:.0f}% "
        f"or more, {where}{place}, at most {alerts.get('max_per_day')} a day. They appear "
        'in this chat, or wait for your next visit. Say "stop job alerts" to turn them off.'
    )


def _render_report(data: dict[str, Any]) -> str:
    kind = data.get("report")
    if data.get("status") == "started":
        return (
            "The report is being prepared in the background; I'll post it in this chat "
            f"when it is ready (task {data.get('task_id')})."
        )
    if kind == "candidate":
        top = data.get("top_matches") or []
        best = (
            f"Your best match is {top[0].get('title')} at {float(top[0].get('score') or 0):.2f}. "
            if top
            else "No published job matches your resume yet. "
        )
        score = data.get("critique_score")
        return (
            "Here is your report (PDF), with the skill-gap chart. "
            + (f"Resume score {score}/100. " if score is not None else "")
            + best
            + f"Skills the best jobs ask for that you miss: {_names(data.get('skills_to_learn') or [])}."
        )
    if kind == "shortlist":
        top = data.get("top") or []
        lead = (
            f"{top[0].get('label')} leads at {float(top[0].get('score') or 0):.2f}. " if top else ""
        )
        return (
            f"Here is the blind shortlist for {data.get('job_title')} (PDF): "
            f"{data.get('candidates', 0)} opted-in candidate(s), shown by pseudonym; "
            f"{data.get('consented', 0)} agreed to be contacted. {lead}".strip()
        )
    funnel = data.get("funnel") or {}
    return (
        "Here is your funnel report (PDF, with charts): "
        f"{funnel.get('resumes_uploaded', 0)} resumes uploaded, {funnel.get('critiqued', 0)} "
        f"critiqued, {funnel.get('rewritten', 0)} rewritten, {funnel.get('matched', 0)} matched."
    )


def _render_contact_requests(data: dict[str, Any]) -> str:
    requests = data.get("requests") or []
    if not requests:
        return (
            "No employer has asked to contact you yet. When one does, I ask you here first: "
            "until you agree they see only your skills and scores, under a pseudonym."
        )
    lines = ["Employers who asked to contact you:"]
    for rank, r in enumerate(requests, 1):
        lines.append(
            f"{rank}. {r.get('company') or 'An employer'}, for {r.get('job_title')}: {r.get('status')}"
        )
    lines.append(
        'Say e.g. "accept the first contact request" or "decline the first contact request".'
    )
    return "\n".join(lines)


def _render_contact_answer(data: dict[str, Any]) -> str:
    request = data.get("request") or {}
    who = request.get("company") or "The employer"
    if request.get("status") == "accepted":
        return f"Done: {who} can now see the e-mail address on your resume. You can withdraw it any time."
    return f"Done: you stay anonymous to {who}."


def _render_contact_asked(data: dict[str, Any]) -> str:
    request = data.get("request") or {}
    who = f"candidate {str(request.get('candidate_id'))[:8]} (#{data.get('rank')})"
    if data.get("status") == "asked":
        return (
            f"Done: I asked {who} whether you may contact them about {request.get('job_title')}. "
            "They answer in their own chat; you will be told here, and if they agree their "
            "e-mail address appears in the job's shortlist."
        )
    return f"You asked {who} before; their answer: {request.get('status')}."


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "find_matching_jobs": _render_jobs,
    "explain_match": _render_explain,
    "critique_my_resume": _render_critique,
    "read_my_resume": _render_resume,
    "request_rewrite": _render_rewrite_started,
    "show_rewrite": _render_diff,
    "accept_rewrite": lambda d: "Done: the rewritten version is now your current resume.",
    "reject_rewrite": lambda d: "Rejected: your resume stays as it was.",
    "set_visibility": lambda d: (
        "Done: employers can now find you for their jobs."
        if d.get("open_to_employers")
        else "Done: you are hidden from employer searches."
    ),
    "delete_my_data": lambda d: "Done: your profile, resumes and matches have been deleted.",
    "find_candidates": _render_candidates,
    "compare_candidates": _render_compare,
    "hiring_funnel": _render_funnel,
    "create_job": _render_job("Created and published"),
    "update_job": _render_job("Updated"),
    "list_my_jobs": _render_job_list,
    "get_job_alerts": _render_alerts,
    "set_job_alerts": _render_alerts,
    "stop_job_alerts": _render_alerts,
    "get_my_report": _render_report,
    "get_shortlist_report": _render_report,
    "get_funnel_report": _render_report,
    "get_contact_requests": _render_contact_requests,
    "answer_contact_request": _render_contact_answer,
    "request_contact": _render_contact_asked,
}

HELP = {
    "candidate": "I can read and critique your resume, find jobs that match it (with reasons), "
    "explain a match and how to close the gap, tailor your resume for a job, show/accept/reject "
    "a rewrite, send you alerts about new matching jobs, give you your report as a PDF, set "
    "whether employers can find you, answer employers who ask to contact you, and delete your "
    "data. What would you like?",
    "employer": "I can create or update a job from a description you paste, list your jobs, find "
    "opted-in candidates for a job, compare two candidates, ask a candidate whether you may "
    "contact them, show your hiring funnel, and give you a blind shortlist or a funnel report "
    "as a PDF. What would you like?",
}


def render(message: ToolMessage) -> str:
    data = _artifact(message)
    if data.get("confirmation_required"):
        return f'{data.get("question")} Reply "yes" to confirm or "no" to cancel.'
    if "error" in data:
        return f"I couldn't do that: {data['error']}"
    renderer = RENDERERS.get(message.name or "")
    # Employers' words (titles, companies, skills) are shown as plain text, never markup.
    return renderer(inert_fields(data)) if renderer else _text(message)


# --- the model --------------------------------------------------------------------------


def _call(name: str, args: dict[str, Any]) -> ToolCall:
    return ToolCall(name=name, args=args, id=f"call_{uuid.uuid4().hex[:12]}", type="tool_call")


class OfflineChatModel(BaseChatModel):
    """Deterministic chat model: tools chosen by intent, answers rendered from results."""

    tool_names: list[str] = Field(default_factory=list, description="names of bound tools")
    role: str = Field("candidate", description="whose help text to show")
    use_embeddings: bool = Field(True, description="embedding fallback when no rule fires")

    @property
    def _llm_type(self) -> str:
        return "clearview-offline"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        names = [convert_to_openai_tool(t)["function"]["name"] for t in tools]
        return self.model_copy(update={"tool_names": names})

    def decide(self, messages: Sequence[BaseMessage]) -> AIMessage:
        turn = Turn.read(messages)
        allowed = set(self.tool_names)
        try:
            calls = self._next_calls(turn, allowed)
        except Unclear as unclear:
            return AIMessage(content=unclear.question)
        if calls:
            return AIMessage(content="", tool_calls=calls)
        if turn.results:
            return AIMessage(content="\n\n".join(render(m) for m in turn.results))
        return AIMessage(content=HELP.get(self.role, HELP["employer"]))

    def _next_calls(self, turn: Turn, allowed: set[str]) -> list[ToolCall]:
        pending = turn.pending_confirmation() if not turn.results else None
        if pending and pending.get("action") in allowed:
            if is_confirmation(turn.user):
                return [_call(pending["action"], {**pending.get("args", {}), "confirmed": True})]
            if _NO_RE.match(turn.user):
                raise Unclear("OK, I left everything as it was.")
        tool = pick_tool(turn.user, allowed, use_embeddings=self.use_embeddings)
        if tool is None or tool in turn.called():
            return []
        try:
            args = ARGUMENTS.get(tool, lambda _t: {})(turn)
        except NeedsFirst as first:
            if first.tool in turn.called() or first.tool not in allowed:
                return []
            return [_call(first.tool, first.call_args)]
        return [_call(tool, args)]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.decide(messages))])


def warm_up() -> None:
    """Embed the example phrasings now rather than in the first user's turn."""
    vectors: np.ndarray = _examples().vectors
    assert vectors.shape[0] == sum(len(i.examples) for i in INTENTS)
