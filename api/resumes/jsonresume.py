"""A parsed resume as JSON Resume (jsonresume.org schema, copied in data/ with attribution).

Only what the parser read goes in: no field is guessed. Dates are the months the parser
found ("2019-03"); a current job has no end date, as the schema has it.
"""

from __future__ import annotations

from typing import Any


def _month(iso: str | None) -> str | None:
    return iso[:7] if iso else None


def to_jsonresume(parsed: dict[str, Any]) -> dict[str, Any]:
    """JSON Resume of a stored parse (`parse_for_storage`'s shape)."""
    out: dict[str, Any] = {
        "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"
    }
    basics: dict[str, Any] = {}
    if parsed.get("summary"):
        basics["summary"] = parsed["summary"]
    if basics:
        out["basics"] = basics
    work = []
    for entry in parsed.get("experience") or []:
        item: dict[str, Any] = {}
        if entry.get("employer"):
            item["name"] = entry["employer"]
        if entry.get("title"):
            item["position"] = entry["title"]
        start, end = _month(entry.get("start")), _month(entry.get("end"))
        if start:
            item["startDate"] = start
        if end and not entry.get("current"):
            item["endDate"] = end
        if entry.get("bullets"):
            item["highlights"] = list(entry["bullets"])
        if item:
            work.append(item)
    if work:
        out["work"] = work
    if parsed.get("education"):
        # the parser keeps education lines as written; the line is the institution's entry
        out["education"] = [{"institution": line} for line in parsed["education"]]
    skills = parsed.get("skills_listed") or parsed.get("skills") or []
    if skills:
        out["skills"] = [{"name": name} for name in skills]
    if parsed.get("languages"):
        out["languages"] = [{"language": name} for name in parsed["languages"]]
    if parsed.get("certifications"):
        out["certificates"] = [{"name": name} for name in parsed["certifications"]]
    return out
