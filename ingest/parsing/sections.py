"""Sections of resumes and job posts: the heading tables and the cut at heading lines."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def _phrases(spec: str) -> tuple[str, ...]:
    return tuple(spec.split("|"))


_RESUME_HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": _phrases(
        "summary|professional summary|career summary|profile|professional profile|about|"
        "about me|objective|career objective|personal statement|overview|"
        "executive summary|personal profile|introduction|profile summary|summary of qualifications|"
        "career profile|career overview|professional overview|highlights|career highlights|"
        "career focus|professional focus|"
        "executive profile|qualifications summary|summary of experience|"
        # de, fr, es, pt
        "profil|kurzprofil|über mich|uber mich|zusammenfassung|"
        "à propos|a propos|objectif|profil professionnel|"
        "perfil|perfil profesional|resumen|sobre mí|sobre mi|objetivo|"
        "resumo|resumo profissional|sobre mim|perfil profissional"
    ),
    "experience": _phrases(
        "experience|experiences|work experience|professional experience|employment|"
        "employment history|work history|career history|relevant experience|"
        "professional background|positions held|work|experience details|"
        "professional history|employment experience|work and experience|military experience|"
        "military service|volunteer work|"
        "professional employment|relevant work experience|internships|internship|"
        "berufserfahrung|beruflicher werdegang|berufspraxis|praktische erfahrung|werdegang|"
        "expérience professionnelle|expériences professionnelles|expérience|expériences|"
        "parcours professionnel|experiencia laboral|experiencia profesional|experiencia|"
        "trayectoria profesional|experiência profissional|experiência|experiências|"
        "histórico profissional|historico profissional"
    ),
    "education": _phrases(
        "education|education and training|academic background|academic qualifications|"
        "qualifications|education & training|training|academic history|"
        "academic qualification|educational qualifications|educational background|"
        "education details|educational details|academics|academic profile|schooling|"
        "education and qualifications|education & qualifications|"
        "ausbildung|bildungsweg|studium|studium und ausbildung|schulbildung|"
        "formation|formations|diplômes|diplomes|formation académique|"
        "formación|formacion|educación|educacion|formación académica|estudios|"
        "formação|formacao|formação acadêmica|formação académica|educação|educacao"
    ),
    "skills": _phrases(
        "skills|technical skills|key skills|core skills|core competencies|competencies|"
        "skills and abilities|skills & abilities|areas of expertise|expertise|"
        "technologies|tools|tools and technologies|tech stack|skills summary|"
        "professional skills|it skills|computer skills|abilities|strengths|skill set|"
        "skillset|skills details|key competencies|technical proficiencies|"
        "skills & expertise|skills and expertise|key strengths|"
        "skill highlights|core qualifications|key qualifications|core strengths|"
        "areas of strength|technical competencies|"
        "kenntnisse|fähigkeiten|fahigkeiten|kompetenzen|edv-kenntnisse|it-kenntnisse|"
        "compétences|competences|compétences techniques|savoir-faire|"
        "habilidades|competencias|conocimientos|aptitudes|"
        "competências|competencias técnicas|conhecimentos"
    ),
    "certifications": _phrases(
        "certifications|certification|certificates|licenses|licences|"
        "licenses and certifications|licenses & certifications|"
        "certifications and licenses|accreditations|professional certifications|courses|"
        "courses and certifications|licensure|licensure and certification|"
        "licensure & certification|credentials|zertifikate|weiterbildung|zertifizierungen|"
        "certificaciones|cursos|certificações|certificacoes"
    ),
    "languages": _phrases(
        "languages|language skills|spoken languages|languages known|"
        "sprachen|sprachkenntnisse|langues|idiomas|lenguas"
    ),
    "contact": _phrases(
        "personal information|personal details|contact|contact information|"
        "contact details|personal info|kontakt|persönliche daten|coordonnées|contacto|contato"
    ),
    "other": _phrases(
        "projects|publications|awards|honors|honours|interests|hobbies|references|"
        "fellowships|fellowship|scholarships|grants|"
        "volunteer experience|volunteering|activities|achievements|accomplishments|"
        "additional information|interessen|hobbys|centres d'intérêt|intereses|interesses"
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

_RULE_RE = re.compile(r"[_=~]{4,}|-{4,}|[.·]{6,}")
_HEADING_CLEAN_RE = re.compile(r"^[\s#*_=>|-]*|[\s#*_=:|-]*$")
_SPACES_RE = re.compile(r"\s+")
# Longest line that can be a heading of its own; a "Label: content" line has its colon
# within the first _LABEL_MAX characters.
_HEADING_MAX = 60
_LABEL_MAX = 50


def _fold(text: str) -> str:
    """Lower case without accents: "Expérience" and "EXPERIENCE" look the same."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _heading_index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index = {h: kind for kind, headings in table.items() for h in headings}
    index.update({_fold(h): kind for h, kind in list(index.items())})
    return index


# Words people add after a section name ("Experience Details", "Skill Set", "Languages
# Known"); a heading still names its section with one of them after it.
_TRAILING_WORDS = frozenset(
    [
        "details",
        "detail",
        "section",
        "summary",
        "overview",
        "history",
        "profile",
        "information",
        "info",
        "set",
        "known",
        "list",
        "highlights",
    ]
)


def lookup_heading(heading: str, index: dict[str, str]) -> str | None:
    """The section kind a heading names: exact, without accents, or with one extra
    trailing word ("Technical Skills Summary", "Education Details")."""
    kind = index.get(heading)
    if kind is not None:
        return kind
    folded = _fold(heading)
    kind = index.get(folded)
    if kind is not None:
        return kind
    words = folded.split()
    if 1 < len(words) <= 4 and words[-1] in _TRAILING_WORDS:
        return index.get(" ".join(words[:-1]))
    return _combined_heading(folded, index)


# "Skills and Education", "Skills / Interests", "Awards & Certifications": two or three
# section names under one heading.
_JOINED_RE = re.compile(r"\s*(?:&|\+|/|,|\band\b)\s*")
_MAX_JOINED_WORDS = 6


def _combined_heading(heading: str, index: dict[str, str]) -> str | None:
    """The kind of a heading that joins known section names: the first that is not a
    miscellany ("Awards and Skills" is skills), each part read as a heading of its own."""
    if len(heading.split()) > _MAX_JOINED_WORDS:
        return None
    parts = [p for p in _JOINED_RE.split(heading) if p]
    if not 1 < len(parts) <= 3:
        return None
    kinds = [index.get(p) for p in parts]
    if any(kind is None for kind in kinds):
        return None
    return next((k for k in kinds if k not in ("other", "contact")), kinds[0])


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
    own (Markdown '#', bold, capitals, accents, a trailing ':' or an extra trailing word
    allowed; a phrase wrapped over two short lines too) or an unknown Markdown heading
    that is not nested under the current section's own heading. A known phrase followed
    by ':' and content ("Skills: Python, SQL") or by bulleted items on the same line
    ("SKILLS • Python • SQL") opens a section whose body starts after the phrase."""
    sections: list[Section] = []
    current = Section("preamble", "", 0, 0, "")
    current_level = 0  # Markdown level of the current section's heading (0: not Markdown)
    lines = text.splitlines(keepends=True)
    skip_next = False
    pos = 0
    for number, line in enumerate(lines):
        if skip_next:
            skip_next = False
            pos += len(line)
            continue
        # a rule drawn with characters after or before a heading ("Work History_____")
        stripped = _RULE_RE.sub("", line).strip()
        if not stripped or (
            len(stripped) > _HEADING_MAX
            and not stripped.startswith("#")
            and ":" not in stripped[:_LABEL_MAX]
            and not _INLINE_BULLET_RE.search(stripped[:_LABEL_MAX])
        ):
            pos += len(line)  # fast path: blank lines and long prose lines head nothing
            continue
        heading = _HEADING_CLEAN_RE.sub("", stripped).lower().rstrip(":").strip()
        heading = _SPACES_RE.sub(" ", heading)
        kind = lookup_heading(heading, index) if len(stripped) <= _HEADING_MAX else None
        body_start = pos + len(line)
        level = len(stripped) - len(stripped.lstrip("#")) if stripped.startswith("#") else 0
        if kind is None and level:
            nested = current_level and level > current_level and current.kind != "preamble"
            kind = "other" if heading and not nested else None
        if kind is None and len(stripped) <= 30 and number + 1 < len(lines):
            following = lines[number + 1].strip()
            if following and len(following) <= 30:
                gap = "" if stripped.endswith("-") else " "  # "TRAIN-" / "ING"
                joined = _SPACES_RE.sub(" ", f"{heading}{gap}{following.lower()}").rstrip(":")
                kind = lookup_heading(joined, index)
                if kind is not None:
                    heading, skip_next = joined, True
                    body_start = pos + len(line) + len(lines[number + 1])
        if kind is None and ":" in stripped[:_LABEL_MAX]:
            label, _, rest = stripped.partition(":")
            label_key = _HEADING_CLEAN_RE.sub("", label).lower().strip()
            label_kind = lookup_heading(label_key, index)
            if label_kind and rest.strip() and not stripped.startswith(("-", "*", "•")):
                kind, heading = label_kind, label_key
                body_start = pos + line.index(":") + 1
        if kind is None and (inline := _INLINE_BULLET_RE.search(stripped[:_LABEL_MAX])):
            label_key = _HEADING_CLEAN_RE.sub("", stripped[: inline.start()]).lower().strip()
            label_kind = lookup_heading(label_key, index) if label_key else None
            if label_kind:
                kind, heading = label_kind, label_key
                body_start = pos + max(0, line.find(stripped)) + inline.start()
        if kind is not None:
            current.end = pos
            sections.append(current)
            current = Section(kind, heading, body_start, body_start, "")
            current_level = level
        pos += len(line)
    current.end = pos
    sections.append(current)
    for section in sections:
        section.text = text[section.start : section.end]
    return [s for s in sections if s.text.strip() or s.kind != "preamble"]


# A bullet inside a line: the items of an inline heading ("SKILLS • Python • SQL").
_INLINE_BULLET_RE = re.compile(r"\s[•·▪◦‣●■]\s?")


BULLET_RE = re.compile(r"^\s*(?:[-*•·▪◦‣>●■–]+|\d{1,2}[.)])\s+")


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
