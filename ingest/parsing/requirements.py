"""Skills a job post asks for in the words it uses, when the skills lexicon does not know
them: "Experience with HACCP", "Strong negotiation skills", "Proficient in phlebotomy",
"Fault finding: tracing faults in control circuits", or a bare short item of a
requirements list ("Menu Planning").

Only requirement and preference lists are read (`ingest.parsing.job`), and only short
noun phrases are kept (at most four words, no sentence), so a duty written as a sentence
is not taken for a skill. The matcher compares such a skill by its words (a `term:`
skill), so a skill gap it reports is one the resume's words do not cover.
"""

from __future__ import annotations

import re

from ingest.parsing.sections import BULLET_RE

MAX_WORDS = 4

_ADJECTIVES = (
    r"(?:(?:hands-on|proven|strong|solid|good|excellent|working|demonstrable|demonstrated|"
    r"previous|prior|practical|sound|thorough|extensive|basic|advanced|in-depth|"
    r"professional|relevant|some)\s+)*"
)
# "Experience with X", "Knowledge of X", "2+ years of experience in X"
_LEADING_RE = re.compile(
    r"^(?:(?:at least\s+)?\d{1,2}\+?\s*(?:years?|yrs?)\s*(?:of\s+)?)?"
    + _ADJECTIVES
    + r"(?:experience|expertise|proficiency|knowledge|understanding|familiarity|background|"
    r"skills?|competence|grounding|fluency|training|certification)\s+"
    r"(?:with|in|of|using|on|at)\s+(?P<x>.+)$",
    re.I,
)
# "Proficient in X", "Certified in X"
_ADJECTIVE_RE = re.compile(
    r"^(?:highly\s+|very\s+)?(?:proficient|skilled|experienced|competent|fluent|versed|"
    r"well-versed|certified|trained|qualified|confident|comfortable)\s+(?:in|with|at|using)\s+"
    r"(?P<x>.+)$",
    re.I,
)
# "Strong negotiation skills", "Phlebotomy experience"
_TRAILING_RE = re.compile(
    r"^" + _ADJECTIVES + r"(?P<x>.+?)\s+(?:skills?|experience|knowledge|expertise|abilities|"
    r"certification|certificate)$",
    re.I,
)
# "Fault Finding: tracing faults in control circuits" (a skill, then what it means)
_LABEL_RE = re.compile(r"^(?P<x>[^:]{2,40}):\s+\S")
# The rest of a phrase after one of these is an example or a qualification, not the skill.
_CUT_RE = re.compile(
    r"\s*(?:\(|\bsuch as\b|\bincluding\b|\be\.g\.|\bfor example\b|\bto\b|\bwithin\b|\bin a\b|"
    r"\bin an\b|\bis\b|\bare\b|\bwould\b|\bpreferred\b|\brequired\b|\bessential\b|\bdesirable\b|"
    r"\ba plus\b|\bor similar\b|\bor equivalent\b|\bor related\b|\bwhere\b|\bwhen\b|\bthat\b|"
    r"\bwhich\b).*$",
    re.I,
)
_SPLIT_RE = re.compile(r"\s*(?:,|;|/|\band/or\b|\bor\b)\s*", re.I)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Phrases that are about the person, the job or the duty rather than a skill.
_NOT_SKILL_FIRST = _words(
    """
    a an the our your their his her this these that those all any some other others
    similar related relevant working ability able must will can you we be being have
    having previous prior minimum at least years year experience degree bachelor
    bachelors bachelor's master masters master's phd diploma good excellent strong great
    proven full valid clean current right eligible eligibility willing willingness
    available availability own how what why who when where each every one two as if
    technical
    """
)
_NOT_SKILL_WORDS = _words(
    """
    experience years year degree role roles position field industry environment setting
    sector team teams company companies people customers clients stakeholders others
    work job jobs candidate licence license permit visa salary benefits hours shift
    shifts weekends travel office home equivalent qualification qualifications
    requirements required preferred plus similar etc you we i they colleague colleagues
    """
)


def requirement_phrases(line: str) -> list[str]:
    """The skills one requirement line names in its own words (not looked up anywhere)."""
    item = BULLET_RE.sub("", line).strip().strip("*_").strip().rstrip(".;:!")
    if not item or len(item) > 160:
        return []
    phrase = None
    for pattern in (_LEADING_RE, _ADJECTIVE_RE, _TRAILING_RE):
        if m := pattern.match(item):
            phrase = m.group("x")
            break
    bare = phrase is None
    if bare and (m := _LABEL_RE.match(item)):
        phrase = m.group("x")
    if phrase is None:
        phrase = item  # a bare item ("Menu Planning"; "HACCP, Food Safety")
    # Not split at "and": "Health and Safety" is one skill; the lexicon, which reads
    # the whole line, finds the known ones of "SAP, Oracle and Excel".
    phrase = _CUT_RE.sub("", phrase).strip(" .,;:-")
    parts = [p for p in (_clean(part) for part in _SPLIT_RE.split(phrase)) if p]
    # Without a cue, only what is written like a name: "Menu Planning", "HACCP", not
    # "self-motivated" or "hard working".
    return [p for p in parts if _written_as_name(p)] if bare else parts


def _written_as_name(phrase: str) -> bool:
    words = [w for w in phrase.split() if len(w) > 3 or w.isupper()]
    return bool(words) and all(w[0].isupper() for w in words)


def _clean(part: str) -> str | None:
    part = part.strip(" .,;:-*_\"'•")
    part = re.sub(r"\s+(?:and|or|&)$", "", part, flags=re.I)
    words = part.split()
    if not words or len(words) > MAX_WORDS or not re.search(r"[^\W\d_]", part):
        return None
    lowered = [w.lower().strip("()") for w in words]
    if lowered[0] in _NOT_SKILL_FIRST or any(w in _NOT_SKILL_WORDS for w in lowered):
        return None
    if any(ch.isdigit() for ch in part) and not re.search(r"[A-Za-z]\d|\d[A-Za-z]", part):
        return None  # "3 months", "2021"; not "S3" or "3D"
    return part
