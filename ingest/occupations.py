"""Occupations: link a job title (a posting's, or a role on a resume) to an ESCO
occupation, and say how close two occupations are.

The data (`ingest/data/occupations.json.gz`, built by `scripts/build_occupations.py`,
attribution in `ingest/data/ATTRIBUTION.md`) holds every ESCO occupation with its
hierarchical code (ISCO-08 unit group, then ESCO's finer levels: "2221.1.3"), and a table
of known titles: ESCO's preferred and alternative labels, plus O*NET alternate titles
carried over to the ESCO occupation their O*NET occupation's titles agree on.

Linking is a lookup, not a guess: the longest run of words in the title that is a known
title wins ("Senior Staff Nurse - Nights" -> "staff nurse"); among equally long runs the
last one (English puts the head noun last: "Nursing Home Care Assistant" -> "care
assistant"). A title with no known run links to nothing, and closeness is then unknown
rather than zero.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

OCCUPATIONS_PATH = Path(__file__).resolve().parent / "data" / "occupations.json.gz"

# Longest title looked up, in words (ESCO labels are rarely longer).
MAX_TITLE_WORDS = 6
_WORD_RE = re.compile(r"[a-z0-9+#]+")
_BRACKETS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Closeness of two occupations by the deepest level of the code they share: the same
# occupation, the same ESCO group below the ISCO unit, the same ISCO unit group (4 digits),
# minor group (3), sub-major group (2). Major groups (1 digit: "professionals") are too
# broad to say anything.
SAME_ESCO_GROUP = 0.8
CLOSENESS = ((4, 0.7), (3, 0.5), (2, 0.3))


def title_words(title: str) -> list[str]:
    """Lowercase words of a title, brackets dropped, '&' read as 'and', plurals folded."""
    text = _BRACKETS_RE.sub(" ", title.lower()).replace("&", " and ")
    return [_singular(w) for w in _WORD_RE.findall(text)]


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics")):
        return word[:-1]
    return word


def title_key(title: str) -> str:
    return " ".join(title_words(title))


@dataclass(frozen=True, slots=True)
class Occupation:
    code: str  # ESCO code: ISCO unit group, then ESCO's levels ("2221.1.3")
    name: str  # ESCO preferred label
    uri_id: str  # the last part of the ESCO concept URI


@dataclass(frozen=True, slots=True)
class TitleLink:
    title: str  # as written
    matched: str  # the known title found in it
    occupation: Occupation


class OccupationLexicon:
    def __init__(self, data: dict[str, object]) -> None:
        raw = data["occupations"]
        titles = data["titles"]
        assert isinstance(raw, list) and isinstance(titles, dict)
        self.occupations = [Occupation(code, name, uri) for code, name, uri in raw]
        self._by_code = {o.code: o for o in self.occupations}
        self._titles: dict[str, int] = titles
        onet, onet_titles = data["onet"], data["onet_titles"]
        assert isinstance(onet, list) and isinstance(onet_titles, dict)
        self.onet: list[tuple[str, str]] = [(code, name) for code, name in onet]
        self._onet_titles: dict[str, int] = onet_titles
        curated = data["curated"]
        assert isinstance(curated, list)
        # Titles that name their occupation on their own: its preferred label, or curated
        self._own_names = frozenset(title_key(o.name) for o in self.occupations) | set(curated)

    def __len__(self) -> int:
        return len(self.occupations)

    def is_title(self, text: str) -> bool:
        """Whether the whole of `text` is a known job title ("Staff Accountant")."""
        return title_key(text) in self._titles

    def titles_of(self, occupation: Occupation) -> list[str]:
        """Every known title of an occupation (lowercase keys), shortest first."""
        index = self.occupations.index(occupation)
        return sorted((t for t, i in self._titles.items() if i == index), key=len)

    def by_code(self, code: str) -> Occupation | None:
        return self._by_code.get(code)

    def link(self, title: str | None) -> TitleLink | None:
        """The occupation a title names, or None when no part of it is a known title."""
        found = _longest(title, self._titles)
        return (
            None if found is None else TitleLink(title or "", found[0], self.occupations[found[1]])
        )

    def is_headed_by_title(self, phrase: str) -> bool:
        """Whether the phrase's head (its last words) is a known title: "a UX designer"
        is, "a good recipe for lasagne" is not, whatever titles hide inside it."""
        link = self.link(phrase)
        return link is not None and title_key(phrase).endswith(link.matched)

    def specific_link(self, title: str | None) -> TitleLink | None:
        """The link, unless it rests on one word that is only another name of the
        occupation: ESCO files "assistant" under secretary, "supervisor" under oil
        refinery control room operator, "officer" under police officer, "intern" under
        coroner. On JobBERT's test titles such links name the right occupation 7% of the
        time (its ISCO unit group 13%), against 51% (60%) for a one-word link that is the
        occupation's own name ("accountant", "chef"): too weak to tell a person that a
        job is, or is not, their occupation. The build's curated everyday words ("nurse",
        "developer", "teacher", "RGN") are trusted like an occupation's own name."""
        link = self.link(title)
        if link is None or " " in link.matched:
            return link
        return link if link.matched in self._own_names else None

    def onet_code(self, title: str | None) -> str | None:
        """The O*NET-SOC code of a title ("29-1141.00"), the same way."""
        found = self.onet_link(title)
        return None if found is None else found[1]

    def soc_beside(self, link: TitleLink) -> str | None:
        """The O*NET-SOC code of an ESCO-linked title, when O*NET knows as much of the
        title as ESCO does: "Health Services Manager" links to ESCO's healthcare
        institution manager, and O*NET, knowing only "service manager", would call it a
        landscaping supervisor; a code found on fewer words than ESCO's link is a guess
        about a different job, and is left out."""
        found = self.onet_link(link.title)
        if found is None or len(found[0].split()) < len(link.matched.split()):
            return None
        return found[1]

    def onet_link(self, title: str | None) -> tuple[str, str] | None:
        """(the known O*NET title found in `title`, its O*NET-SOC code), the same way."""
        found = _longest(title, self._onet_titles)
        return None if found is None else (found[0], self.onet[found[1]][0])


def _longest(title: str | None, table: dict[str, int]) -> tuple[str, int] | None:
    """The longest run of the title's words that `table` knows (the last of equals)."""
    if not title:
        return None
    words = title_words(title)[:24]  # a title, not a paragraph
    for size in range(min(MAX_TITLE_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size, -1, -1):  # the last run first
            key = " ".join(words[start : start + size])
            idx = table.get(key)
            if idx is not None:
                return key, idx
    return None


# Closeness of two O*NET-SOC codes: the same occupation, the same broad occupation
# ("29-114"), minor group ("29-11"), major group ("29": a field of work).
SOC_CLOSENESS = ((7, 0.8), (5, 0.6), (2, 0.4))


def soc_closeness(a: str, b: str) -> float:
    if a == b:
        return 1.0
    for depth, value in SOC_CLOSENESS:
        if a[:depth] == b[:depth]:
            return value
    return 0.0


def closeness(a: Occupation, b: Occupation) -> float:
    """1 for the same occupation, down to 0.3 for the same ISCO sub-major group, else 0."""
    if a.code == b.code:
        return 1.0
    la, lb = a.code.split("."), b.code.split(".")
    if len(la) > 2 and len(lb) > 2 and la[:2] == lb[:2]:
        return SAME_ESCO_GROUP
    for depth, value in CLOSENESS:
        if la[0][:depth] == lb[0][:depth]:
            return value
    return 0.0


def relation(value: float) -> str:
    """The words a reason uses for a closeness value."""
    if value >= 1.0:
        return "the same occupation as"
    if value >= 0.7:
        return "a closely related occupation to"
    if value >= 0.5:
        return "a related occupation to"
    if value > 0.0:
        return "in the same broad field as"
    return "a different occupation from"


@lru_cache(maxsize=1)
def get_occupations() -> OccupationLexicon:
    """The shipped occupation table, loaded once per process."""
    with gzip.open(OCCUPATIONS_PATH, "rt", encoding="utf-8") as handle:
        return OccupationLexicon(json.load(handle))
