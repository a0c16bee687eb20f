"""The rewrite validator: a rewrite may rephrase, reorder and tighten, never invent.

`validate_rewrite(source, rewritten)` lists every employer, title, date, degree,
certification or skill of the rewritten text that the source does not evidence. Any
rewriter (the deterministic one here, the agent's LLM chain later) must come back with an
empty list before its text is stored.

What "evidenced" means, per kind:
- skill: its canonical id (the skills lexicon, through the resume parser) is mentioned
  somewhere in the source, in any section and under any spelling ("k8s" = Kubernetes);
- employer, title: the parsed value appears in the source, compared as lowercase words
  (punctuation and spacing may change, words may not);
- date: every year, and every employment range, appears in the source;
- degree, certification: each degree word ("Bachelor", "MSc", "PhD", ...) and each line
  naming a certification uses only words of the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ingest.parsing import find_date_ranges, parse_resume
from ingest.skills import get_lexicon

ViolationKind = Literal["employer", "title", "date", "degree", "certification", "skill"]

_WORD_RE = re.compile(r"[a-z0-9+#]+(?:\.[a-z0-9]+)*")
_YEAR_RE = re.compile(r"(?<!\d)(?:19[5-9]\d|20\d\d)(?!\d)")
_DEGREE_RE = re.compile(
    r"\b(?:bachelor(?:'s)?|master(?:'s)?|doctorate|doctoral|ph\.?\s?d|mba|msc|m\.sc|bsc|b\.sc|"
    r"b\.?a\.|m\.?a\.|b\.?s\.|m\.?s\.|beng|meng|b\.eng|m\.eng|llb|llm|associate(?:'s)? degree|"
    r"diploma|degree|hnd|gcse|a-levels?)[a-z]*",
    re.I,
)
_CERTIFICATION_RE = re.compile(
    r"\b(?:certifi\w*|certificate\w*|licen[cs]\w*|accredit\w*|chartered|pmp|cissp|cisa|cism|"
    r"ccna|ccnp|comptia|itil|cpa|acca|cfa|prince2|scrum master|six sigma)\b",
    re.I,
)
# Words a rephrasing may add around a degree or certification without claiming anything.
_GLUE = frozenset(
    {
        *("a", "an", "the", "in", "of", "and", "or", "with", "from", "at", "for", "on", "to"),
        *("by", "as", "is", "was", "holds", "holding", "hold", "earned", "completed"),
        *("obtained", "awarded", "degree", "certified", "certification", "certificate"),
    }
)


_TOKEN_RE = re.compile(r"[A-Za-z0-9+#][A-Za-z0-9+#'’.&/-]*|[,;:()|–—]")


def _is_name(token: str) -> bool:
    """Capitalised or an acronym: part of a proper name ("Computer Science", "AWS")."""
    return token[:1].isupper() or token[:1].isdigit()


def _claim(line: str, start: int, end: int) -> str:
    """The phrase around a degree or certification word: the proper-name words touching it
    ("AWS Certified Solutions Architect", "Bachelor's degree in Physics"). The line's first
    word counts only as an acronym, since a sentence starts with a capital anyway."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(line)]
    inside = [i for i, (_, s, e) in enumerate(tokens) if s < end and e > start]
    if not inside:
        return line[start:end]
    first, last = inside[0], inside[-1]
    while first > 0:
        token = tokens[first - 1][0]
        leading = first - 1 == 0 and not token.isupper()
        if not _is_name(token) or leading:
            break
        first -= 1
    while last + 1 < len(tokens):
        token = tokens[last + 1][0]
        if not (_is_name(token) or token.lower() in _GLUE):
            break
        last += 1
    return line[tokens[first][1] : tokens[last][2]]


@dataclass(frozen=True, slots=True)
class Violation:
    kind: ViolationKind
    value: str  # what the rewrite claims (a skill name, a year, a title ...)

    @property
    def message(self) -> str:
        return f"{self.kind} {self.value!r} is not in the source resume"


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower().replace("’", "'"))


def _normal(text: str) -> str:
    return " " + " ".join(words(text)) + " "


@dataclass(frozen=True)
class _Evidence:
    """What the source resume says, prepared once per source text."""

    text: str  # lowercase words joined by single spaces, padded with spaces
    words: frozenset[str]
    skill_ids: frozenset[str]
    years: frozenset[str]
    ranges: frozenset[tuple[object, object]]
    lines: frozenset[str]  # the source's lines, stripped: a line kept as is claims nothing new
    roles: frozenset[str]  # the parsed titles and employers, normalised

    def has_phrase(self, phrase: str) -> bool:
        normal = _normal(phrase)
        return not normal.strip() or normal in self.text or normal in self.roles

    def has_words(self, phrase: str) -> bool:
        return set(words(phrase)) - _GLUE <= self.words


@lru_cache(maxsize=256)
def _evidence(source: str) -> _Evidence:
    lexicon = get_lexicon()
    parsed = parse_resume(source)
    skill_ids = set(parsed.skill_ids)
    # Any mention counts as evidence, in prose or in a list, whatever section it is in.
    for skill_list in (False, True):
        skill_ids.update(m.skill_id for m in lexicon.extract(source, skill_list=skill_list))
    return _Evidence(
        text=_normal(source),
        words=frozenset(words(source)),
        skill_ids=frozenset(skill_ids),
        years=frozenset(_YEAR_RE.findall(source)),
        ranges=frozenset((r.start, r.end) for r in find_date_ranges(source)),
        lines=frozenset(line.strip() for line in source.splitlines()),
        # A header's title and employer as the parser cut them (around its dates).
        roles=frozenset(
            _normal(value)
            for entry in parsed.experience
            for value in (entry.title, entry.employer)
            if value
        ),
    )


def validate_rewrite(source_text: str, rewritten_text: str) -> list[Violation]:
    """Everything `rewritten_text` claims that `source_text` does not evidence (empty: ok)."""
    evidence = _evidence(source_text)
    parsed = parse_resume(rewritten_text)
    found: dict[tuple[ViolationKind, str], None] = {}

    def add(kind: ViolationKind, value: str) -> None:
        found.setdefault((kind, value.strip()), None)

    for skill_id, name in zip(parsed.skill_ids, parsed.skills, strict=True):
        if skill_id not in evidence.skill_ids:
            add("skill", name)
    for entry in parsed.experience:
        if entry.employer and not evidence.has_phrase(entry.employer):
            add("employer", entry.employer)
        if entry.title and not evidence.has_phrase(entry.title):
            add("title", entry.title)
    for year in _YEAR_RE.findall(rewritten_text):
        if year not in evidence.years:
            add("date", year)
    for rng in find_date_ranges(rewritten_text):
        if (rng.start, rng.end) not in evidence.ranges:
            add("date", rewritten_text[rng.span[0] : rng.span[1]])
    for line in rewritten_text.splitlines():
        if line.strip() in evidence.lines:
            continue
        checks: tuple[tuple[re.Pattern[str], ViolationKind], ...] = (
            (_DEGREE_RE, "degree"),
            (_CERTIFICATION_RE, "certification"),
        )
        for pattern, kind in checks:
            for m in pattern.finditer(line):
                if not evidence.has_phrase(m.group()):
                    add(kind, m.group())
                claim = _claim(line, m.start(), m.end())
                if not evidence.has_words(claim):
                    add(kind, claim)
    for item in parsed.education:
        if not evidence.has_words(item):
            add("degree", item)
    for item in parsed.certifications:
        if not evidence.has_words(item):
            add("certification", item)
    return [Violation(kind, value) for kind, value in found]
