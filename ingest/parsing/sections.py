"""Sections of resumes and job posts: the heading tables and the cut at heading lines."""

from __future__ import annotations

import re
from dataclasses import dataclass


def _phrases(spec: str) -> tuple[str, ...]:
    return tuple(spec.split("|"))


_RESUME_HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": _phrases(
        "summary|professional summary|career summary|profile|professional profile|about|"
        "about me|objective|career objective|personal statement|overview|"
        "executive summary|personal profile|introduction"
    ),
    "experience": _phrases(
        "experience|experiences|work experience|professional experience|employment|"
        "employment history|work history|career history|relevant experience|"
        "professional background|positions held|work"
    ),
    "education": _phrases(
        "education|education and training|academic background|academic qualifications|"
        "qualifications|education & training|training|academic history"
    ),
    "skills": _phrases(
        "skills|technical skills|key skills|core skills|core competencies|competencies|"
        "skills and abilities|skills & abilities|areas of expertise|expertise|"
        "technologies|tools|tools and technologies|tech stack|skills summary|"
        "professional skills|it skills|computer skills|abilities"
    ),
    "certifications": _phrases(
        "certifications|certification|certificates|licenses|licences|"
        "licenses and certifications|licenses & certifications|"
        "certifications and licenses|accreditations|professional certifications|courses|"
        "courses and certifications"
    ),
    "languages": _phrases("languages|language skills|spoken languages"),
    "contact": _phrases(
        "personal information|personal details|contact|contact information|"
        "contact details|personal info"
    ),
    "other": _phrases(
        "projects|publications|awards|honors|honours|interests|hobbies|references|"
        "volunteer experience|volunteering|activities|achievements"
    ),
}
_JOB_HEADINGS: dict[str, tuple[str, ...]] = {
    "title": _phrases("job title|title|position|role"),
    "required": _phrases(
        "requirements|required skills|required qualifications|minimum qualifications|"
        "basic qualifications|must have|must haves|must-have|what you need|"
        "what you'll need|what you will need|qualifications|skills|required experience|"
        "required experiences|requiredd experience|you have|who you are|"
        "what we're looking for|what we are looking for|key skills|essential skills|"
        "experience|skills and experience|skills & experience|your profile|"
        "knowledge, skills and abilities|technical skills|key requirements"
    ),
    "preferred": _phrases(
        "preferred qualifications|preferred skills|preferred|nice to have|nice to haves|"
        "nice-to-have|bonus|bonus points|pluses|desired skills|desirable|"
        "desired qualifications|good to have|recommended skills|recommended experience|"
        "additional qualifications|preferred experience|extra credit"
    ),
    "responsibilities": _phrases(
        "responsibilities|key responsibilities|what you'll do|what you will do|duties|"
        "the role|role description|your role|day to day"
    ),
    "summary": _phrases(
        "job summary|summary|about the role|about us|overview|job description|"
        "description|about the job"
    ),
    "benefits": _phrases("benefits|what we offer|perks|compensation|salary"),
}

_HEADING_CLEAN_RE = re.compile(r"^[\s#*_=>|-]*|[\s#*_=:|-]*$")
_SPACES_RE = re.compile(r"\s+")
# Longest line that can be a heading of its own; a "Label: content" line has its colon
# within the first _LABEL_MAX characters.
_HEADING_MAX = 60
_LABEL_MAX = 50


def _heading_index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {h: kind for kind, headings in table.items() for h in headings}


RESUME_INDEX = _heading_index(_RESUME_HEADINGS)
JOB_INDEX = _heading_index(_JOB_HEADINGS)


@dataclass
class Section:
    kind: str  # a key of the heading table, "other" or "preamble"
    heading: str
    start: int  # offset of the first character of the body
    end: int
    text: str


def split_sections(text: str, index: dict[str, str]) -> list[Section]:
    """Cut `text` at heading lines. A heading is a known heading phrase on a line of its
    own (Markdown '#', bold or a trailing ':' allowed) or an unknown Markdown heading; a
    known phrase followed by ':' and content ("Skills: Python, SQL") opens a section whose
    body starts after the colon."""
    sections: list[Section] = []
    current = Section("preamble", "", 0, 0, "")
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped or (
            len(stripped) > _HEADING_MAX
            and not stripped.startswith("#")
            and ":" not in stripped[:_LABEL_MAX]
        ):
            pos += len(line)  # fast path: blank lines and long prose lines head nothing
            continue
        heading = _HEADING_CLEAN_RE.sub("", stripped).lower().rstrip(":").strip()
        heading = _SPACES_RE.sub(" ", heading)
        kind = index.get(heading) if len(stripped) <= _HEADING_MAX else None
        body_start = pos + len(line)
        if kind is None and stripped.startswith("#"):
            kind = "other" if heading else None
        if kind is None and ":" in stripped[:_LABEL_MAX]:
            label, _, rest = stripped.partition(":")
            label_key = _HEADING_CLEAN_RE.sub("", label).lower().strip()
            if label_key in index and rest.strip() and not stripped.startswith(("-", "*", "•")):
                kind, heading = index[label_key], label_key
                body_start = pos + line.index(":") + 1
        if kind is not None:
            current.end = pos
            sections.append(current)
            current = Section(kind, heading, body_start, body_start, "")
        pos += len(line)
    current.end = pos
    sections.append(current)
    for section in sections:
        section.text = text[section.start : section.end]
    return [s for s in sections if s.text.strip() or s.kind != "preamble"]


BULLET_RE = re.compile(r"^\s*(?:[-*•·▪◦‣>]+|\d{1,2}[.)])\s+")


def job_sections(text: str) -> list[Section]:
    """The sections of a job posting (kinds: title, required, preferred, responsibilities,
    summary, benefits, other, preamble)."""
    return split_sections(text, JOB_INDEX)


def list_items(block: str) -> list[str]:
    """Non-empty lines of a block without their bullets or numbering."""
    out = []
    for line in block.splitlines():
        line = BULLET_RE.sub("", line).strip().strip("*_").strip()
        if line:
            out.append(line)
    return out
