"""Structured documents read as the text the parsers understand.

schema.org `JobPosting` (a JSON file, or JSON-LD inside a web page), JSON Resume's job
schema and JSON Resume itself are turned into plain text with the usual headings ("Job
Title", "Requirements", "Experience", ...), so one parser serves every format and every
field stays traceable to a line.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import Any

_TAG_RE = re.compile(r"<[^>]+>")
_JSONLD_RE = re.compile(
    r"<script[^>]+type\s*=\s*[\"']application/ld\+json[\"'][^>]*>(.*?)</script>", re.I | re.S
)


def _plain(value: Any) -> str:
    """Text of a field that may hold HTML (schema.org descriptions often do)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("value") or ""
    text = str(value)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</h\d>", "\n", text)
    text = re.sub(r"(?i)<li[^>]*>", "- ", text)
    return html.unescape(_TAG_RE.sub("", text)).strip()


def _lines(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        return [line for line in _plain(values).splitlines() if line.strip()]
    if isinstance(values, Iterable):
        return [_plain(v) for v in values if _plain(v)]
    return [_plain(values)]


def _place(location: Any) -> str:
    if isinstance(location, list):
        return "; ".join(_place(x) for x in location if _place(x))
    if isinstance(location, dict):
        address = location.get("address", location)
        if isinstance(address, dict):
            parts = [address.get(k) for k in ("addressLocality", "city", "addressRegion", "region")]
            parts += [address.get("addressCountry") or address.get("countryCode")]
            return ", ".join(str(p) for p in parts if p and not isinstance(p, dict))
        return _plain(address)
    return _plain(location)


def _section(title: str, lines: list[str]) -> list[str]:
    return [f"## {title}", *(f"- {line}" for line in lines), ""] if lines else []


def job_posting_text(data: dict[str, Any]) -> str:
    """A schema.org JobPosting as text."""
    out = [f"Job Title: {_plain(data.get('title'))}"]
    org = data.get("hiringOrganization")
    if org:
        out.append(f"Company: {_plain(org)}")
    place = _place(data.get("jobLocation"))
    if data.get("jobLocationType") == "TELECOMMUTE":
        place = f"{place} (remote)" if place else "Remote"
    if place:
        out.append(f"Location: {place}")
    kinds = data.get("employmentType")
    if kinds:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        out.append("Employment type: " + ", ".join(k.replace("_", "-").lower() for k in kinds))
    out.append("")
    description = _plain(data.get("description"))
    if description:
        out += ["## Job Description", description, ""]
    out += _section("Responsibilities", _lines(data.get("responsibilities")))
    required = _lines(data.get("qualifications")) + _lines(data.get("skills"))
    months = (
        (data.get("experienceRequirements") or {})
        if isinstance(data.get("experienceRequirements"), dict)
        else {}
    )
    if months.get("monthsOfExperience"):
        years = float(months["monthsOfExperience"]) / 12
        required.append(f"{years:g} years of experience")
    elif isinstance(data.get("experienceRequirements"), str):
        required += _lines(data["experienceRequirements"])
    out += _section("Requirements", required)
    out += _section("Education", _lines(data.get("educationRequirements")))
    out += _section("Benefits", _lines(data.get("jobBenefits")))
    return "\n".join(out).strip()


def jsonresume_job_text(data: dict[str, Any]) -> str:
    """A JSON Resume job (jsonresume.org job schema) as text."""
    out = [f"Job Title: {_plain(data.get('title'))}"]
    if data.get("company"):
        out.append(f"Company: {_plain(data['company'])}")
    place = _place(data.get("location"))
    remote = _plain(data.get("remote"))
    if place or remote:
        out.append("Location: " + ", ".join(p for p in (place, remote) if p))
    if data.get("type"):
        out.append(f"Employment type: {_plain(data['type'])}")
    out.append("")
    if data.get("description"):
        out += ["## Job Description", _plain(data["description"]), ""]
    out += _section("Responsibilities", _lines(data.get("responsibilities")))
    skills = [
        ", ".join(s.get("keywords") or [s.get("name", "")]) if isinstance(s, dict) else _plain(s)
        for s in data.get("skills") or []
    ]
    out += _section("Requirements", _lines(data.get("qualifications")) + skills)
    return "\n".join(out).strip()


def jsonresume_text(data: dict[str, Any]) -> str:
    """A JSON Resume (jsonresume.org) as resume text."""
    basics = data.get("basics") or {}
    out = [_plain(basics.get("name")), _plain(basics.get("label"))]
    contact = [basics.get("email"), basics.get("phone"), basics.get("url")]
    out.append(" | ".join(str(c) for c in contact if c))
    out.append("")
    if basics.get("summary"):
        out += ["Summary", _plain(basics["summary"]), ""]
    if data.get("work"):
        out.append("Experience")
        for job in data["work"]:
            dates = f"{_month(job.get('startDate'))} - {_month(job.get('endDate')) or 'Present'}"
            header = ", ".join(
                p for p in (_plain(job.get("position")), _plain(job.get("name"))) if p
            )
            out.append(f"{header} ({dates})" if job.get("startDate") else header)
            out += [f"- {h}" for h in _lines(job.get("highlights"))]
            if job.get("summary"):
                out.append(f"- {_plain(job['summary'])}")
        out.append("")
    if data.get("education"):
        out.append("Education")
        for school in data["education"]:
            degree = " ".join(
                p for p in (_plain(school.get("studyType")), _plain(school.get("area"))) if p
            )
            years = "-".join(
                str(d)[:4] for d in (school.get("startDate"), school.get("endDate")) if d
            )
            out.append(
                ", ".join(p for p in (degree, _plain(school.get("institution")), years) if p)
            )
        out.append("")
    if data.get("skills"):
        names: list[Any] = []
        for skill in data["skills"]:
            names += (
                (skill.get("keywords") or [skill.get("name")])
                if isinstance(skill, dict)
                else [skill]
            )
        out += ["Skills", ", ".join(str(n) for n in names if n), ""]
    if data.get("certificates"):
        out += ["Certifications", *(f"- {_plain(c)}" for c in data["certificates"]), ""]
    if data.get("languages"):
        langs = [_plain(x.get("language") if isinstance(x, dict) else x) for x in data["languages"]]
        out += ["Languages", ", ".join(name for name in langs if name), ""]
    return "\n".join(out).strip()


def _month(value: Any) -> str:
    """'2019-03-01' -> '03/2019'; '2019' -> '2019'."""
    if not value:
        return ""
    m = re.match(r"(\d{4})(?:-(\d{2}))?", str(value))
    if not m:
        return ""
    return f"{m.group(2)}/{m.group(1)}" if m.group(2) else m.group(1)


def structured_text(data: Any) -> tuple[str, str] | None:
    """(kind, text) for a JSON document of a known schema: "job" (schema.org JobPosting,
    JSON Resume job) or "resume" (JSON Resume); None otherwise."""
    if isinstance(data, list):
        for item in data:
            found = structured_text(item)
            if found:
                return found
        return None
    if not isinstance(data, dict):
        return None
    if "@graph" in data:
        return structured_text(data["@graph"])
    kind = data.get("@type")
    if kind == "JobPosting" or (isinstance(kind, list) and "JobPosting" in kind):
        return "job", job_posting_text(data)
    if "basics" in data or ("work" in data and isinstance(data.get("work"), list)):
        return "resume", jsonresume_text(data)
    if "title" in data and (
        "qualifications" in data or "responsibilities" in data or "skills" in data
    ):
        return "job", jsonresume_job_text(data)
    return None


def from_json(text: str) -> tuple[str, str] | None:
    """A JSON file of a known schema, as (kind, text)."""
    try:
        return structured_text(json.loads(text))
    except (ValueError, TypeError, AttributeError):
        return None


def from_html(text: str) -> tuple[str, str] | None:
    """The first JSON-LD block of a known schema inside a web page."""
    for block in _JSONLD_RE.findall(text):
        found = from_json(block.strip())
        if found:
            return found
    return None
