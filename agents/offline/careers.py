"""Career questions: the occupation and aspect a question asks about, and the answers,
each naming its source (O*NET and ESCO with their attribution lines, or "N jobs on
ClearView")."""

from __future__ import annotations

import re
from typing import Any

from agents.offline.arguments import job_for_employer
from agents.offline.conversation import NeedsFirst, Turn, Unclear
from agents.offline.slots import job_asked_about
from ingest.occupations import get_occupations
from tools.markdown import inline

# What people say before and after the occupation they ask about, per aspect.
_ARTICLE = (
    r"(?:(?:the\s+)?(?:job|role|work|career|life|profession)\s+of\s+|being\s+|working\s+as\s+)?"
    r"(?:an?\s+|the\s+|some\s*one\s+(?:who\s+is\s+)?an?\s+)?"
)
_OCCUPATION = r"(?P<occ>[^?.!,;\n]{2,60}?)"
_ASPECT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (aspect, re.compile(pattern, re.I))
    for aspect, pattern in (
        (
            # "what does a freight dispatcher make these days?", "how much do nurses earn"
            "pay",
            rf"\b(?:wh?at|how much)\s+(?:does|do|would|could|can|will|did)\s+{_ARTICLE}{_OCCUPATION}\s+"
            r"(?:typically\s+|usually\s+|normally\s+)?(?:make|earn|get paid|take home)\b",
        ),
        (
            # "I'd love to know what a tree surgeon earns"
            "pay",
            rf"\b(?:wh?at|how much)\s+{_ARTICLE}{_OCCUPATION}\s+(?:makes|earns|gets paid)\b",
        ),
        (
            "pay",
            rf"\b(?:salary|salaries|pay|wages?|earnings)\s+(?:of|for)\s+{_ARTICLE}{_OCCUPATION}\s*(?:[?.!,;]|$)",
        ),
        (
            "skills",
            rf"\bskills?\b.{{0,30}}\b(?:for|as|of|does|do|would|to be(?:come)?)\s+{_ARTICLE}{_OCCUPATION}\s*(?:needs?|need to have|require|have|job|role)?\s*(?:[?.!]|$)",
        ),
        (
            "skills",
            rf"\b(?:what|which)\b.{{0,20}}\b(?:does|do|would)\s+{_ARTICLE}{_OCCUPATION}\s+(?:need|require|have to know|need to know)\b",
        ),
        (
            "skills",
            rf"\b(?:what do i need to (?:know|learn|have)|what should i (?:know|learn)) to (?:be(?:come)?|work as)\s+{_ARTICLE}{_OCCUPATION}\s*(?:[?.!,;]|$)",
        ),
        (
            "path",
            rf"\b(?:become|becoming|get into|getting into|break into|train as|qualify as|start as|career as|path to|way into|route into|get a job as|work as)\s+{_ARTICLE}{_OCCUPATION}\s*(?:[?.!,;]|$)",
        ),
        (
            "path",
            rf"\b(?:what does it take|what do i need) to be\s+{_ARTICLE}{_OCCUPATION}\s*(?:[?.!,;]|$)",
        ),
        (
            "duties",
            rf"\bwh?at (?:does|dose|do|did)\s+{_ARTICLE}{_OCCUPATION}\s+(?:do|does|actually do|do all day|do at work|work on)\b",
        ),
        (
            "duties",
            rf"\b(?:what(?:'s| is| are)|who(?:'s| is)|describe|explain|tell me about|info(?:rmation)? (?:on|about))\s+{_ARTICLE}{_OCCUPATION}\s*(?:job|role|work|occupation|career)?\s*(?:[?.!]|$)",
        ),
        (
            "duties",
            rf"\b(?:duties|tasks|responsibilities|day to day|job description)\s+(?:of|for)\s+{_ARTICLE}{_OCCUPATION}\s*(?:[?.!,;]|$)",
        ),
    )
)
# Words that end the phrase rather than belong to it.
_TRAILING = re.compile(
    r"\s+(?:do|does|need|needs|job|role|work|exactly|actually|really|nowadays|today|typically|"
    r"usually|generally|normally|these days|right now|at the moment)$"
    # "a paramedic if im 35 with no degree": the asker's situation
    r"|\s+(?:if|when|since|because|as)\s+(?:i|i'?m|im|i've|ive|you|you'?re|someone|somebody)\b.*$"
    # "an electrician in the uk": the occupation, not where
    r"|\s+in\s+(?:the\s+)?(?:uk|us|usa|u\.s\.|united kingdom|united states|england|scotland|"
    r"wales|ireland|europe|eu|germany|france|spain|canada|australia)$"
    # "an electrician at 40", "a police officer after leaving the forces": who asks, not what
    r"|\s+(?:at\s+\d+|at my age|after\s+.+|later in life|from scratch|with(?:out)?\s+(?:no|a|any)\s+.+"
    r"|as an? (?:career changer|mature student|graduate|adult|veteran)|over\s+\d+)$",
    re.I,
)


_PRONOUN_RE = re.compile(r"(?:it|this|that|they|them|one|someone|i|you|me|my \w+)", re.I)
# "hiring a practice manager for the first time - what skills does a good one need?"
_NAMED_BEFORE_RE = re.compile(
    r"\b(?:a|an|our|the)\s+(?P<occ>[a-z][\w -]{2,40}?)(?=\s+(?:for|who|to|and|in|at)\b|\s*[,;—–-]|$)",
    re.I,
)


def _named_before(text: str) -> str | None:
    """The job title a question's "one" or "they" stands for, named earlier in it."""
    for match in _NAMED_BEFORE_RE.finditer(text):
        if get_occupations().is_headed_by_title(match.group("occ")):
            return match.group("occ")
    return None


def read_occupation(text: str) -> tuple[str, str] | None:
    """(occupation, aspect) of a career question, or None."""
    # "What exactly does a quantity surveyor do": the adverb is no part of the question
    text = re.sub(
        r"\b(what|how)\s+(exactly|actually|really|precisely)\s+", r"\1 ", text, flags=re.I
    )
    # "what qualifications should a groundsman have": what qualifications does one need
    text = re.sub(
        r"\bwhat (skills|qualifications)\s+should\s+(an?|the)\s+(.+?)\s+have\b",
        r"what \1 does \2 \3 need",
        text,
        flags=re.I,
    )
    # "whats a dental nurse actually do": what does a dental nurse do
    text = re.sub(
        r"\bwhat'?s\s+(an?|the)\s+(.+?)\s+(?:\w+ly\s+)?do\b",
        r"what does \1 \2 do",
        text,
        flags=re.I,
    )
    for aspect, pattern in _ASPECT_PATTERNS:
        match = pattern.search(text)
        if match:
            phrase = match.group("occ").strip(" '\"")
            while (shorter := _TRAILING.sub("", phrase).strip()) != phrase:
                phrase = shorter  # "a data engineer need these days": both words go
            # "what skills does a good site manager need?"
            phrase = re.sub(
                r"^(good|great|decent|successful|typical|average)\s+", "", phrase, flags=re.I
            )
            if phrase and _PRONOUN_RE.fullmatch(phrase) and (named := _named_before(text)):
                phrase = named
            if phrase and not _PRONOUN_RE.fullmatch(phrase):
                return phrase, aspect
    return None


_WHAT_IS_RE = re.compile(
    r"^\W*(?:what|who)(?:'s|\s+is|\s+are)\s+(?:an?\s+|the\s+)?(?P<occ>[a-z][\w -]{1,50}?)\s*\??\W*$",
    re.I,
)


def names_occupation(text: str) -> bool:
    """ "What is a dental hygienist?": a question whose whole subject is a known job title
    (a recipe or the weather is not)."""
    match = _WHAT_IS_RE.match(text)
    if not match:
        return False
    return get_occupations().is_headed_by_title(match.group("occ"))


def occupation_args(turn: Turn) -> dict[str, Any]:
    read = read_occupation(turn.user)
    if read is None:
        raise Unclear('Which occupation do you mean? For example: "what does a nurse do?"')
    occupation, aspect = read
    return {"occupation": occupation, "aspect": aspect}


def employer_job_args(turn: Turn) -> dict[str, Any]:
    """The job the employer named, if any: without one, their latest jobs are counted."""
    try:
        return {"job": job_for_employer(turn)}
    except NeedsFirst:
        # "is £28,000 enough for our staff nurse post?", "across the data engineer
        # applicants": that job, by its title
        return {"job": about} if (about := job_asked_about(turn.user)) else {}


def _list(items: list[str], limit: int = 8) -> str:
    return ", ".join(items[:limit])


def _sources(data: dict[str, Any]) -> str:
    # As plain text: the chat renders Markdown, where the asterisks of "O*NET ... O*NET"
    # pair up into italics and vanish from the attribution.
    lines = []
    for source in data.get("sources") or []:
        name, attribution = inline(source["name"]), inline(source.get("attribution"), limit=1000)
        lines.append(f"{name}: {attribution}" if attribution else name)
    return "Source: " + "; ".join(lines) if lines else ""


def occupation(data: dict[str, Any], lang: str = "en") -> str:
    onet, esco = data.get("onet"), data.get("esco")
    if not onet and not esco:
        return (
            f'I found no occupation called "{data.get("query")}" in O*NET or ESCO. '
            'Try another job title (for example "registered nurse" or "data analyst").'
        )
    aspect = data.get("aspect", "duties")
    parts: list[str] = []
    if aspect == "pay":
        parts.append(_market_pay(data.get("market") or {}, data.get("query") or "this occupation"))
    if onet:
        parts.append(f"**{onet['title']}** (O*NET {onet['code']}): {onet['description']}")
    if esco:
        parts.append(f"**{esco['label']}** (ESCO): {esco['description']}")
    if aspect in ("skills", "path") and esco and esco.get("essential_skills"):
        parts.append(f"Essential skills (ESCO): {_list(esco['essential_skills'], 12)}.")
    technology = (onet or {}).get("technology", [])
    tools = [t["name"] for t in technology]
    if aspect in ("skills", "path") and tools:
        demanded = [t["name"] for t in technology if t["in_demand"] or t["hot"]]
        parts.append(
            f"Technology used (O*NET): {_list(tools)}"
            + (f"; in demand: {_list(demanded, 5)}." if demanded else ".")
        )
    if aspect == "path":
        if esco and esco.get("optional_skills"):
            parts.append(f"Useful extras (ESCO): {_list(esco['optional_skills'], 6)}.")
        if onet and onet.get("related"):
            parts.append(
                f"Related occupations to start from or move to (O*NET): {_list(onet['related'], 5)}."
            )
        parts.append(
            "Entry requirements (degrees, licences) differ by country: check the regulator where you want to work."
        )
    if aspect == "duties" and esco and esco.get("alt_titles"):
        parts.append(f"Also called: {_list(esco['alt_titles'], 5)}.")
    parts.append(_sources(data))
    return "\n\n".join(p for p in parts if p)


def _counted(data: dict[str, Any], key: str = "count") -> str:
    return "\n".join(f"- {s['skill']}: {s[key]}" for s in data.get("skills", []))


def skills_to_learn(data: dict[str, Any], lang: str = "en") -> str:
    if not data.get("skills"):
        return (
            f"The {data.get('jobs', 0)} jobs closest to your resume ask for nothing your "
            f"resume lacks. {_sources(data)}"
        )
    return (
        f"Skills to learn next: what the {data['jobs']} jobs closest to your resume ask for "
        f"most and your resume does not show (jobs asking):\n{_counted(data)}\n\n{_sources(data)}"
    )


def skills_in_demand(data: dict[str, Any], lang: str = "en") -> str:
    return (
        f"Your skills by how many of the {data.get('jobs', 0)} published jobs ask for them:\n"
        f"{_counted(data)}\n\n{_sources(data)}"
    )


def candidate_gaps(data: dict[str, Any], lang: str = "en") -> str:
    jobs = ", ".join(str(t) for t in data.get("jobs", []) if t)
    if not data.get("skills"):
        return (
            f"No opted-in candidate is missing a skill of {jobs or 'your jobs'}. {_sources(data)}"
        )
    return (
        f"What candidates for {jobs} miss most ({data['candidates']} candidate matches; "
        f"candidates missing it):\n{_counted(data)}\n\n{_sources(data)}"
    )


def _money(value: Any, currency: str | None) -> str:
    return f"{float(value):,.0f}{' ' + currency if currency else ''}"


def _pay_ranges(market: dict[str, Any], currency: str | None) -> list[str]:
    lines = []
    for key, label in (("salary_min", "lower end"), ("salary_max", "upper end")):
        stats = market.get(key)
        if stats:
            lines.append(
                f"Comparable jobs' {label}: median {_money(stats['median'], currency)} "
                f"(middle half {_money(stats['low'], currency)} - {_money(stats['high'], currency)})."
            )
    return lines


def _market_pay(market: dict[str, Any], asked: str) -> str:
    if not market.get("jobs"):
        return (
            f"No published job on ClearView of the same occupation as {asked} states its pay yet."
        )
    head = (
        f"Pay stated by {market['jobs']} published jobs on ClearView of the same occupation "
        f"as {asked}{' (' + market['currency'] + ')' if market.get('currency') else ''}:"
    )
    return " ".join([head, *_pay_ranges(market, market.get("currency"))])


def salary_benchmark(data: dict[str, Any], lang: str = "en") -> str:
    market, currency = data.get("market") or {}, data.get("currency")
    low, high = data.get("salary_min"), data.get("salary_max")
    mine = " - ".join(_money(v, currency) for v in (low, high) if v is not None)
    head = f"{data.get('title')} pays {mine or 'no stated salary'}."
    if not market.get("jobs"):
        return f"{head} No published job of the same occupation states a salary yet, so there is nothing to compare with. {_sources(data)}"
    lines = [head, *_pay_ranges(market, currency)]
    # Like with like: the top of the range against comparable tops, else bottoms.
    pairs = [(high, market.get("salary_max")), (low, market.get("salary_min"))]
    offer, stats = next(((v, st) for v, st in pairs if v is not None and st), (None, None))
    if offer is not None and stats:
        median = float(stats["median"])
        verdict = (
            "above"
            if offer > median * 1.05
            else "below"
            if offer < median * 0.95
            else "in line with"
        )
        lines.append(f"Your range is {verdict} the median of {market['jobs']} comparable jobs.")
    lines.append(_sources(data))
    return "\n\n".join(lines)
