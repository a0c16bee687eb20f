"""The skills lexicon: find canonical skills in free text and weigh them by rarity.

The data (`ingest/data/skills_lexicon.json.gz`) is derived from ESCO and O*NET by
`scripts/build_lexicon.py`; see `ingest/data/ATTRIBUTION.md`.

Matching is a token scan over a dict of lowercase token tuples (longest match first), so
thousands of skills cost one dict walk per token instead of thousands of regexes. Three
kinds of surface forms need more than a lookup:

- short acronyms ("IT", "ML", "HR") count only in upper case (or as the source writes
  them, "iOS"), so the pronoun "it" or "500 ml" stay quiet;
- single-word product names from the sources ("Tableau", "Minitab") must be capitalised;
- ordinary English words that are also technologies ("Go", "R", "C", "Excel", "Access",
  "Swift", "Spark"...) must be capitalised *and* have technical context: a skills list,
  another technology next to them ("in R and Python"), a technical word after them ("Go
  developer", "Excel spreadsheets"), or a skill claim before them ("written in Go",
  "proficient in Excel", "MS Excel").
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "skills_lexicon.json.gz"

# Words, with the joiners that keep "node.js", "r&d", "asp.net", "c++", "c#" and ".net" whole;
# "/" and "-" are tokens of their own so "CI/CD" and "scikit-learn" match as sequences while
# "Go/Rust" still yields two skills.
_TOKEN_RE = re.compile(r"\.?[^\W_]+(?:[.&'’][^\W_]+)*(?:\+\+|#)?|[/-]")


def _words(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


# After an ambiguous word, these make it technical ("Go developer", "R scripts").
_TECH_AFTER = _words(
    "developer developers development programmer programmers programming engineer "
    "engineers code coding codebase language languages script scripts scripting framework "
    "frameworks library libraries sdk api apis app apps application applications backend "
    "microservices services service cluster clusters stack version versions skills expert "
    "expertise certification certified platform platforms environment environments server "
    "servers"
)
# Single words before an ambiguous word that make it technical ("MS Excel", "Apache Spark").
_TECH_BEFORE = _words("ms microsoft apache using via oracle")
# Two-word skill claims before it ("written in Go", "proficient in Excel").
_TECH_BEFORE_PAIRS = frozenset(
    tuple(pair.split())
    for pair in (
        "written in",
        "coded in",
        "code in",
        "programming in",
        "proficient in",
        "proficiency in",
        "expertise in",
        "skilled in",
        "experienced in",
        "experience in",
        "fluent in",
        "knowledge of",
        "experience with",
        "familiar with",
        "familiarity with",
        "proficient with",
        "worked with",
        "developed in",
        "built in",
        "built with",
        "implemented in",
    )
)
# What may separate two items of one list ("Python, R", "Go/Rust", "SQL and C").
_LIST_GAP_RE = re.compile(r"^\s*(?:[,;/|&+•·()]\s*)*(?:(?:and|or)\s+)?(?:[,;/|&+•·()]\s*)*$", re.I)
_LIST_SPLIT_RE = re.compile(r"[,;|•·]")
_LABEL_RE = re.compile(r"^\s*(?:[-*•·]\s*)?([A-Za-z &/]{2,40}):")
_TECH_LABEL_WORDS = _words(
    "languages language programming skills tools technologies technology tech stack "
    "frameworks software platforms databases technical libraries environment environments "
    "os systems cloud devops"
)


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    idf: float
    kind: str  # technology | knowledge | skill | language
    hot: bool = False  # O*NET "Hot Technology"
    in_demand: bool = False  # O*NET "In Demand"


@dataclass(frozen=True)
class SkillMention:
    skill_id: str
    name: str
    start: int  # character offsets into the text given to `extract`
    end: int


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Tokens of `text` as (token, start, end)."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def surface_key(form: str) -> str:
    """The lookup key of a surface form: its lowercase tokens joined by spaces."""
    return " ".join(tok.lower().replace("’", "'") for tok, _, _ in tokenize(form))


def _singular(token: str) -> str | None:
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return None


class SkillLexicon:
    """Canonical skills and the matcher over their surface forms."""

    def __init__(self, data: dict[str, object]) -> None:
        raw_skills = data["skills"]
        assert isinstance(raw_skills, list)
        self._skills: list[Skill] = [
            Skill(
                id=sid,
                name=name,
                kind=kind,
                idf=idf,
                hot=bool(flags & 1),
                in_demand=bool(flags & 2),
            )
            for sid, name, kind, idf, flags in raw_skills
        ]
        self._by_id = {skill.id: skill for skill in self._skills}
        self._by_name = {skill.name.lower(): skill for skill in self._skills}
        surfaces = data["surfaces"]
        assert isinstance(surfaces, dict)
        self._entries: dict[tuple[str, ...], int] = {
            tuple(key.split(" ")): idx for key, idx in surfaces.items()
        }
        # proper prefixes of multi-token surfaces: the scan goes on while it is inside one
        self._prefixes: set[tuple[str, ...]] = {
            toks[:end] for toks in self._entries for end in range(1, len(toks))
        }
        self._starts = frozenset(toks[0] for toks in self._entries)
        case_forms = data["case_forms"]
        proper = data["proper"]
        ambiguous = data["ambiguous"]
        assert isinstance(case_forms, dict) and isinstance(proper, list)
        assert isinstance(ambiguous, dict)
        self._case_forms: dict[str, frozenset[str]] = {
            k: frozenset(v) for k, v in case_forms.items()
        }
        self._proper: frozenset[str] = frozenset(proper)
        self._ambiguous: dict[str, frozenset[str]] = {
            k: frozenset(v) | _TECH_AFTER for k, v in ambiguous.items()
        }
        self.max_idf = max((s.idf for s in self._skills), default=1.0)

    def __len__(self) -> int:
        return len(self._skills)

    def get(self, skill_id: str) -> Skill | None:
        return self._by_id.get(skill_id)

    def idf(self, skill_id: str) -> float:
        """Rarity weight in (0, 1]; an unknown id counts as rare (1.0)."""
        skill = self._by_id.get(skill_id)
        return skill.idf if skill else 1.0

    def normalise(self, name: str) -> Skill | None:
        """The canonical skill an explicit skill name stands for ("k8s" -> Kubernetes).

        Meant for items of a skill list, so ambiguous words count ("Go" -> Go) and case
        does not matter; a name that is not one skill as a whole gives None.
        """
        name = name.strip().lstrip("-•*· ").rstrip(".;:, ").strip()
        if (named := self._by_name.get(name.lower())) is not None:
            return named
        for candidate in (name, re.sub(r"\s*\([^)]*\)\s*$", "", name)):
            toks = tuple(surface_key(candidate).split(" "))
            idx = self._entries.get(toks)
            if idx is None and toks and (sing := _singular(toks[-1])):
                idx = self._entries.get((*toks[:-1], sing))
            if idx is not None:
                return self._skills[idx]
        mentions = self.extract(name, skill_list=True)
        if len(mentions) == 1 and (mentions[0].end - mentions[0].start) >= 0.6 * len(name):
            return self._by_id[mentions[0].skill_id]
        return None

    def find_skills(self, text: str, *, skill_list: bool = False) -> list[Skill]:
        """Distinct skills mentioned in `text`, in order of first mention."""
        seen: dict[str, Skill] = {}
        for mention in self.extract(text, skill_list=skill_list):
            seen.setdefault(mention.skill_id, self._by_id[mention.skill_id])
        return list(seen.values())

    def extract(self, text: str, *, skill_list: bool = False) -> list[SkillMention]:
        """Every skill mention in `text`, in order.

        `skill_list=True` says the text is a list of skills (a resume's Skills section, a
        job's requirements list): ambiguous words then count when capitalised.
        """
        toks = tokenize(text)
        low = [tok.lower().replace("’", "'") for tok, _, _ in toks]
        # (first token, end token, skill index, ambiguous surface or None)
        found: list[tuple[int, int, int, str | None]] = []
        n = len(toks)
        starts = self._starts
        i = 0
        while i < n:
            word = low[i]
            # fast path: most words start no surface at all
            if word not in starts and not (word[-1] == "s" and word[:-1] in starts):
                i += 1
                continue
            match = self._longest_at(toks, low, i)
            if match is None:
                i += 1
                continue
            end, idx, ambiguous = match
            found.append((i, end, idx, ambiguous))
            i = end
        if not found:
            return []
        keep = self._resolve_ambiguous(text, toks, low, found, skill_list)
        return [
            SkillMention(
                skill_id=self._skills[idx].id,
                name=self._skills[idx].name,
                start=toks[first][1],
                end=toks[end - 1][2],
            )
            for (first, end, idx, _), ok in zip(found, keep, strict=True)
            if ok
        ]

    def _longest_at(
        self, toks: list[tuple[str, int, int]], low: list[str], i: int
    ) -> tuple[int, int, str | None] | None:
        """(end token, skill index, ambiguous surface or None) of the longest surface
        starting at token i."""
        candidates: list[tuple[int, int, str]] = []
        entries, prefixes = self._entries, self._prefixes  # hot loop: local names
        key: tuple[str, ...] = ()
        j, n = i, len(low)
        while j < n:
            if j > i and toks[j][1] - toks[j - 1][2] > 3:
                break  # a long gap (a column, a new paragraph) ends any phrase
            word = low[j]
            extended = (*key, word)
            idx, form = entries.get(extended), word
            if idx is None and (sing := _singular(word)):
                idx, form = entries.get((*key, sing)), sing
            if idx is not None:
                candidates.append((j + 1, idx, form))
            if extended not in prefixes:
                break
            key = extended
            j += 1
        for end, idx, form in reversed(candidates):
            if end - i > 1:
                return end, idx, None
            if self._case_ok(toks[i][0], form):
                return end, idx, form if form in self._ambiguous else None
        return None

    def _case_ok(self, original: str, key: str) -> bool:
        allowed = self._case_forms.get(key)
        if allowed is not None:
            return original in allowed
        if key in self._proper or key in self._ambiguous:
            return original[:1].isupper() or not original[:1].isalpha()
        return True

    def _resolve_ambiguous(
        self,
        text: str,
        toks: list[tuple[str, int, int]],
        low: list[str],
        found: list[tuple[int, int, int, str | None]],
        skill_list: bool,
    ) -> list[bool]:
        """Which mentions to keep: all unambiguous ones, and ambiguous ones with context."""
        ok = [amb is None for *_, amb in found]
        candidates: set[int] = set()  # ambiguous, not glued, still without context
        for k, (first, end, _, amb) in enumerate(found):
            if amb is None or self._glued(text, toks[first][1], toks[end - 1][2]):
                continue  # "C-level", "Go-to", "Excel's" never count
            if (
                skill_list
                or self._phrase_context(low, amb, first, end)
                or self._list_line(text, toks, first, end)
            ):
                ok[k] = True
            else:
                candidates.add(k)
        # Every kept mention vouches for its list neighbours ("Agile/Scrum", "R and Python"),
        # and a neighbour it resolves vouches in turn ("Go, Rust and Python"): a worklist
        # keeps long chains linear.
        pending = [k for k, keep in enumerate(ok) if keep]
        while pending and candidates:
            k = pending.pop()
            for other in (k - 1, k + 1):
                if other in candidates:
                    a, b = sorted((k, other))
                    gap = text[toks[found[a][1] - 1][2] : toks[found[b][0]][1]]
                    if _LIST_GAP_RE.match(gap):
                        candidates.discard(other)
                        ok[other] = True
                        pending.append(other)
        return ok

    @staticmethod
    def _glued(text: str, start: int, end: int) -> bool:
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        return after in "-'’&" or before in "-&"

    def _phrase_context(self, low: list[str], surface: str, first: int, end: int) -> bool:
        if end < len(low) and low[end] in self._ambiguous[surface]:
            return True
        if first >= 1 and low[first - 1] in _TECH_BEFORE:
            return True
        return first >= 2 and (low[first - 2], low[first - 1]) in _TECH_BEFORE_PAIRS

    @staticmethod
    def _list_line(text: str, toks: list[tuple[str, int, int]], first: int, last: int) -> bool:
        """Whether tokens [first, last) are a whole item of a labelled technical list line
        ("Languages: Go, Rust, C")."""
        start, end = toks[first][1], toks[last - 1][2]
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start : line_end if line_end != -1 else len(text)]
        label = _LABEL_RE.match(line)
        if not label or not (set(label.group(1).lower().split()) & _TECH_LABEL_WORDS):
            return False
        items = [item.strip(" \t.()") for item in _LIST_SPLIT_RE.split(line[label.end() :])]
        return text[start:end] in items and len(items) >= 2


@lru_cache(maxsize=1)
def get_lexicon() -> SkillLexicon:
    """The shipped lexicon, loaded once per process."""
    with gzip.open(LEXICON_PATH, "rt", encoding="utf-8") as handle:
        return SkillLexicon(json.load(handle))
