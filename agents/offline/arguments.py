"""How each tool's arguments are read from the request and the conversation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agents.offline.conversation import (
    ID_RE,
    NeedsFirst,
    Turn,
    Unclear,
    described,
    ordinals,
    pick_listed,
)
from agents.offline.slots import (
    NUMBER_WORDS,
    alert_query,
    amounts,
    candidate_filters,
    draft_title,
    listing_filters,
    named_job,
    pay_period,
)
from agents.offline.slots import (
    days as report_days,
)
from agents.offline.slots import (
    item as listed_item,
)
from agents.offline.slots import (
    top_k as said_top_k,
)

ArgFiller = Callable[[Turn], dict[str, Any]]


def no_arguments(turn: Turn) -> dict[str, Any]:
    return {}


def job_list_args(turn: Turn) -> dict[str, Any]:
    return listing_filters(turn.user)


def _by_description(text: str, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The listed item a message names by rank, title, place or company, if any."""
    n = listed_item(text, [described(i) for i in items]) if items else None
    return items[n - 1 if n > 0 else -1] if n and (1 <= n <= len(items) or n == -1) else None


def job_for_candidate(turn: Turn) -> str:
    ids = ID_RE.findall(turn.user)
    listed = turn.latest("find_matching_jobs")
    if listed:
        matches = listed.get("matches", [])
        chosen = pick_listed(turn.user, matches, "job_id") or _by_description(turn.user, matches)
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
# A job named in quotes; "rename it to 'Night Nurse'" quotes the new title, not the job
_QUOTED_RE = re.compile(r"(?<!\bto )(?<!\bas )[\"“«']\s*([^\"”»']{2,120}?)\s*[\"”»']")


def job_for_employer(turn: Turn) -> str:
    ids = ID_RE.findall(turn.user)
    if ids:
        return ids[0]
    jobs = [
        *(turn.latest("list_my_jobs") or {}).get("jobs", []),
    ]
    chosen = pick_listed(turn.user, jobs, "id") if jobs else None
    if chosen:
        return str(chosen["id"])
    # "unpublish 2": a bare number after the verb is a rank in the list; "the warehouse
    # one", "the nurse req": a word only one listed title has
    bare = re.fullmatch(r"\W*[a-z]+\s+(\d{1,2})\W*", turn.user, re.I)
    if bare and 1 <= (rank := int(bare.group(1))) <= len(jobs):
        return str(jobs[rank - 1]["id"])
    if (described := _by_description(turn.user, jobs)) is not None:
        return str(described["id"])
    quoted = _QUOTED_RE.search(turn.user)
    if quoted:
        return quoted.group(1).strip()
    named = _FOR_JOB_RE.search(turn.user)
    if named and named.group("title").strip().lower() not in ("this", "that", "same", "new", "it"):
        return named.group("title").strip()
    if (title := named_job(turn.user)) is not None:  # "unpublish the data engineer job"
        return title
    recent = turn.latest("create_job", "update_job", "find_candidates", "compare_candidates")
    if recent and recent.get("job"):
        return str(recent["job"]["id"])
    if len(jobs) == 1:
        return str(jobs[0]["id"])
    if jobs:  # several listed, none named: never change the first on a guess
        raise Unclear("Which job? Say its title or its number in the list.")
    raise NeedsFirst("list_my_jobs")


_CREATE_LEAD_RE = re.compile(
    r"^\s*(?:please\s+)?(?:create|post|add|publish|open|advertise)\b[^\n:]*?(?::|\n|$)|"
    r"^\s*here is (?:a|the|our) (?:job )?(?:description|posting|ad)\b[^\n:]*?(?::|\n|$)|"
    # "We're a 12-bed care home ... Here's the ad: ..."
    r"^[^\n]{0,200}?\b(?:here'?s|heres|here is) (?:a|the|our|my|an) (?:new )?(?:job )?"
    r"(?:description|posting|ad|advert)\s*:",
    re.I,
)
# "... Please put it up.": the request that closes a pasted ad is not part of it
_CREATE_CLOSE_RE = re.compile(
    r"\s*\b(?:please\s+|pls\s+|can you\s+|could you\s+)?(?:put|post|publish|stick|pop|get) (?:it|this) "
    r"(?:up|live|online|out)\b[^.!?\n]*[.!?]*\s*$",
    re.I,
)
_TITLE_LINE_RE = re.compile(r"^\s*(?:job\s+)?title\s*:\s*(.+)$", re.I | re.M)


def top_k(text: str, default: int = 5) -> int:
    return said_top_k(text) or default


def visibility(text: str) -> bool:
    return not re.search(
        r"\b(opt[ -]?out|invisible|hide|hidden|private|stop|don'?t|do not|no longer|remove me|"
        r"can'?t|couldn'?t|cannot|could not|wouldn'?t|would not|won'?t)\b",
        text,
        re.I,
    )


def _compare_refs(turn: Turn) -> tuple[str, str]:
    ids = ID_RE.findall(turn.user)
    if len(ids) >= 2:
        return ids[0], ids[1]
    # "the top one against the last one": the last of the candidates just listed
    listed, titles = turn.listed()
    last = len(titles) if listed == "find_candidates" else 0
    ranks = [last if r == -1 else r for r in ordinals(turn.user) if r > 0 or (r == -1 and last)]
    numbers = [int(n) for n in re.findall(r"\b(\d{1,2})\b", turn.user)]
    # "Kandidat 1 und 4": a rank, then a bare number
    picks = [*ranks, *(n for n in numbers if n not in ranks)]
    if len(picks) >= 2:
        return str(picks[0]), str(picks[1])
    return "1", "2"


def _job_description(text: str) -> tuple[str, str | None]:
    description = _CREATE_LEAD_RE.sub("", text, count=1).strip() or text.strip()
    description = _CREATE_CLOSE_RE.sub("", description).strip() or description
    title = _TITLE_LINE_RE.search(description)
    return description, title.group(1).strip() if title else None


_SCORE_RE = re.compile(
    r"(?<!no )(?<!not )\b(?:above|over|at least|more than|min(?:imum)?(?:\s+score)?(?:\s+of)?|score\s+(?:of\s+)?"
    r"|match(?:es|ing)?(?:\s+at\s+least)?|scor(?:ing|es?)\s+(?:at\s+least\s+)?|>=?)"
    r"\s*(?:an?\s+)?(\d{1,3}(?:\.\d+)?)\s*(%|percent)?"
    # "80% and up", "75 percent or more", "80% plus", "80%+"
    r"|\b(\d{1,3}(?:\.\d+)?)\s*(%|percent)\s*(?:match\s+)?(?:(?:and|or)\s+(?:up|above|over|more|higher|better)\b"
    r"|plus\b|\+)",
    re.I,
)
_PER_DAY_RE = re.compile(
    r"\b(?P<limit>at most|max(?:imum)?(?:\s+of)?|up to|no more than|only)?\s*(\d{1,2}|one|two|three|four|five)\s*"
    r"(?:alerts?\s+|jobs?\s+|times?\s+)?(?:a|per|each)\s+day\b",
    re.I,
)
# "10 e-mails a day, one is plenty": the number said to be enough wins
_ENOUGH_RE = re.compile(
    r"\b(?:just |only )?(\d{1,2}|one|two|three|four|five)\s+(?:a day\s+)?(?:is|are|would be|will do)\s+"
    r"(?:plenty|enough|fine)\b",
    re.I,
)
_PLACE_RE = re.compile(r"\b(?:in|near|around|based in)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})")
_BACKGROUND_RE = re.compile(
    r"\b(in the background|background|later|async\w*|when (it'?s )?ready)\b", re.I
)


def alert_args(turn: Turn) -> dict[str, Any]:
    """Alert settings from the message; what it does not name keeps the service's default."""
    args: dict[str, Any] = {}
    # "I get about ten a day ... no more than 2 a day": the limit said, not the complaint
    said = list(_PER_DAY_RE.finditer(turn.user))
    per_day = next((m for m in said if m.group("limit")), said[0] if said else None)
    # a score is not the number of alerts a day ("no more than 3 a day")
    score = next(
        (
            m
            for m in _SCORE_RE.finditer(turn.user)
            if not (per_day and m.start() < per_day.end() and per_day.start() < m.end())
        ),
        None,
    )
    if score:
        number, percent = (score.group(1), score.group(2)) if score.group(1) else score.group(3, 4)
        value = float(number)
        args["min_score"] = round(value / 100 if percent or value > 1 else value, 2)
    if enough := _ENOUGH_RE.search(turn.user):
        word = enough.group(1).lower()
        args["max_per_day"] = NUMBER_WORDS.get(word) or int(word)
    elif per_day:
        word = per_day.group(2).lower()
        args["max_per_day"] = NUMBER_WORDS.get(word) or int(word)
    if re.search(r"\bremote\b", turn.user, re.I):
        args["remote"] = True
    elif re.search(r"\b(on[- ]?site|in[- ]office|in person)\b", turn.user, re.I):
        args["remote"] = False
    place = _PLACE_RE.search(turn.user)
    if place:
        args["location"] = place.group(1)
    if (kind := alert_query(turn.user)) is not None:  # "alerts for barista roles"
        args["query"] = kind
    return args


def days(turn: Turn) -> int:
    return report_days(turn.user) or 30


def background(turn: Turn) -> dict[str, Any]:
    return {"in_background": True} if _BACKGROUND_RE.search(turn.user) else {}


_SHORTLIST_FOR_RE = re.compile(
    r"\bshort-?list\b\s+(?:report\s+)?(?:for|of|on)\s+(?:the|our|my)?\s*[\"']?"
    r"(?P<title>[^\"'\n?.!,]{2,80}?)[\"']?\s*(?:job|role|position|opening)?"
    r"(?:\s*,?\s*(?:please|pls|thanks|thank you|asap))?\s*(?:[?.!,].*)?$",
    re.I,
)


def shortlist_args(turn: Turn) -> dict[str, Any]:
    named = _SHORTLIST_FOR_RE.search(turn.user)
    plain = not (ID_RE.search(turn.user) or _QUOTED_RE.search(turn.user) or ordinals(turn.user))
    job = named.group("title").strip() if named and plain else job_for_employer(turn)
    return {"job": job} | background(turn)


_DECLINE_RE = re.compile(
    r"\b(decline|refuse|reject|deny|withdraw|revoke|say no|not|no thanks|never|nope|nah)\b|^\W*no\b"
    r"|\btell\s+(the\s+)?[\w&.-]+(\s+[\w&.-]+)?\s+no\b",
    re.I,
)


def answer_contact_args(turn: Turn) -> dict[str, Any]:
    """Accept or decline; which request: by rank or company in the listed ones, else the
    most recent pending (the tool's default)."""
    args: dict[str, Any] = {"accept": not _DECLINE_RE.search(turn.user)}
    listed = (turn.latest("get_contact_requests") or {}).get("requests", [])
    named = [
        r for r in listed if r.get("company") and str(r["company"]).lower() in turn.user.lower()
    ]
    # "the sales one": a word of one request's job
    chosen = (
        named[0]
        if named
        else pick_listed(turn.user, listed, "id") or _by_description(turn.user, listed)
    )
    if chosen:
        args["request_id"] = str(chosen["id"])
    elif ordinals(turn.user) or _FROM_COMPANY_RE.search(turn.user):
        if not listed:
            raise NeedsFirst("get_contact_requests")  # "the one from Hotel Miramar": list them
        # named, but not one of those listed: never answer another employer's request
        raise Unclear("Which request? Say the company's name or its number in the list.")
    return args


_FROM_COMPANY_RE = re.compile(r"\b(one|request)\s+from\s+\w", re.I)


def request_contact_args(turn: Turn) -> dict[str, Any]:
    """The candidate by id (one of the listed ones) or rank; the job named, else the one
    whose candidates were listed last."""
    listed = turn.latest("find_candidates", "compare_candidates") or {}
    rows = [*listed.get("matches", []), *listed.get("candidates", [])]
    known = {str(v) for m in rows for v in (m.get("candidate_id"), m.get("resume_id")) if v}
    ids = ID_RE.findall(turn.user)
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
        job = job_for_employer(turn)
    return {"job": job, "candidate": candidate}


def employer_job_args(turn: Turn) -> dict[str, Any]:
    return {"job": job_for_employer(turn)}


def create_job_args(turn: Turn) -> dict[str, Any]:
    description, title = _job_description(turn.user)
    if len(description.split()) < 8:
        raise Unclear(
            "Paste the job description (title, duties, required skills) and I'll create the job."
        )
    return {"description": description, **({"title": title} if title else {})}


def update_job_args(turn: Turn) -> dict[str, Any]:
    args: dict[str, Any] = {"job": job_for_employer(turn)}
    if re.search(
        r"\b(unpublish|close|take\b[^.?!\n]{0,40}\b(down|offline)|pull)\b", turn.user, re.I
    ):
        args["published"] = False
    elif re.search(
        r"\b((re)?publish|reopen|(make|put|set|go)\b[^.?!\n]{0,30}\blive)\b", turn.user, re.I
    ):
        args["published"] = True
    parts = turn.user.split("\n", 1)
    if len(parts) == 2 and len(parts[1].split()) >= 8:
        args["description"] = parts[1].strip()
    # "rename it to ...", "change the title of the warehouse job to ..."
    rename = re.search(
        r"\b(?:rename\b.*|(?:change|set|update|make)\s+(?:the\s+|its\s+)?(?:job\s+)?(?:title|name)\b.*?)"
        r"\bto\s+[\"'«“]?\s*([^\"'«»“”\n]{2,120})",
        turn.user,
        re.I,
    )
    if rename:
        args["title"] = rename.group(1).strip().rstrip(".")
    args |= _new_pay(turn.user)
    if len(args) == 1:
        raise Unclear("What should change? Paste the new description, or say publish/unpublish.")
    return args


# "change the salary on the marketing manager job to 55k", "set the pay to £30-35k"
_NEW_PAY_RE = re.compile(
    # ("to £12.50/hr": a decimal point does not end the figure)
    r"\b(?:salary|pay|wage|rate|compensation)\b[^.?!\n]{0,60}?\bto\s+(?P<pay>(?:[^.?!\n]|\.(?=\d)){1,40})",
    re.I,
)


def _new_pay(text: str) -> dict[str, Any]:
    """The pay a job update states: one figure, or a range; a year's pay only (a job states
    its salary a year: an hourly rate is asked back, never converted on a guess)."""
    found = _NEW_PAY_RE.search(text)
    if found is None:
        return {}
    stated = found.group("pay")
    figures = list(amounts(stated))[:2]
    if not figures:
        return {}
    if (period := pay_period(stated)) is not None:
        raise Unclear(
            f"Jobs state their salary a year, and {figures[0][0]} is pay per {period}: what "
            "yearly salary should the job show?"
        )
    low, high = figures[0][0], figures[-1][0]
    pay: dict[str, Any] = {"salary_min": min(low, high), "salary_max": max(low, high)}
    if currency := figures[0][1] or figures[-1][1]:
        pay["currency"] = currency
    return pay


def compare_args(turn: Turn) -> dict[str, Any]:
    first, second = _compare_refs(turn)
    return {"job": job_for_employer(turn), "first": first, "second": second}


def job_search_args(turn: Turn) -> dict[str, Any]:
    remote = {"remote": True} if re.search(r"\bremote\b", turn.user, re.I) else {}
    return {"top_k": top_k(turn.user)} | remote


def candidate_job_args(turn: Turn) -> dict[str, Any]:
    return {"job_id": job_for_candidate(turn)}


def visibility_args(turn: Turn) -> dict[str, Any]:
    return {"open_to_employers": visibility(turn.user)}


def candidate_search_args(turn: Turn) -> dict[str, Any]:
    return employer_job_args(turn) | {"top_k": top_k(turn.user)} | candidate_filters(turn.user)


def days_args(turn: Turn) -> dict[str, Any]:
    return {"days": days(turn)}


def funnel_report_args(turn: Turn) -> dict[str, Any]:
    return {"days": days(turn)} | background(turn)


# --- drafts (writing at no model cost) --------------------------------------------------

_NAMES_JOB_RE = re.compile(
    r"\b(?:for|to)\s+(?:the|this|that)\s+(?:\w+\s+){0,3}(?:job|role|position|one)\b", re.I
)


def summary_draft_args(turn: Turn) -> dict[str, Any]:
    """Aimed at a job only when the message points at one ("... for the second job")."""
    if not (ID_RE.search(turn.user) or ordinals(turn.user) or _NAMES_JOB_RE.search(turn.user)):
        return {}
    try:
        return {"job_id": job_for_candidate(turn)}
    except NeedsFirst:
        return {}


def job_post_draft_args(turn: Turn) -> dict[str, Any]:
    title = draft_title(turn.user)
    if title is None:
        raise Unclear(
            'Which job title should I draft a post for? E.g. "draft a job ad for a nurse".'
        )
    return {"title": title}
