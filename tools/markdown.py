"""Text that someone else wrote, made inert before it goes into a chat message.

The chat renders Markdown. A job title, a company name or a skill comes from an employer
(of any organisation) and is shown in candidates' chats, so it must never turn into an
image (a tracking pixel), a link (a fake "session expired, sign in again"), a heading or
a quote. Such fields are shown as plain text: Markdown's own punctuation is escaped with
backslashes (it still reads the same), bare URLs and e-mail addresses are broken so they
are not turned into links, and titles are kept to one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Fields of service answers that a third party typed (an employer, an integrator).
THIRD_PARTY_FIELDS = frozenset(
    {
        "title",
        "job_title",
        "company",
        "employer",
        "location",
        "employment_type",
        "currency",
        "description",
        "required_skills",
        "preferred_skills",
        "matched_skills",
        "missing_required",
        "missing_preferred",
        "reasons",
    }
)
MULTILINE_FIELDS = frozenset({"description"})

_MARKUP = re.compile(r"([\\`*_\[\]()#!|<>~])")
_AUTOLINK = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*):(//)|\b(www)\.|@")


def _escape(text: str) -> str:
    text = _MARKUP.sub(r"\\\1", text)

    def defuse(match: re.Match[str]) -> str:
        if match.group(0) == "@":
            return "\\@"
        if match.group(3):
            return f"{match.group(3)}\\."
        return f"{match.group(1)}\\:{match.group(2)}"

    return _AUTOLINK.sub(defuse, text)


def inline(value: Any, fallback: str = "", limit: int = 300) -> str:
    """`value` as one line of plain text in Markdown (whitespace runs become a space)."""
    text = " ".join(str(value if value is not None else "").split())[:limit]
    return _escape(text) if text else fallback


def block(value: Any, limit: int = 100_000) -> str:
    """`value` as plain text in Markdown, line breaks kept."""
    lines = str(value if value is not None else "")[:limit].splitlines()
    return "  \n".join(_escape(line.strip()) for line in lines)


def inert_fields(data: Any) -> Any:
    """A copy of a service answer with every third-party field made plain text."""
    if isinstance(data, Mapping):
        return {key: _inert_value(key, value) for key, value in data.items()}
    if isinstance(data, list):
        return [inert_fields(item) for item in data]
    return data


def _inert_value(key: str, value: Any) -> Any:
    if key in THIRD_PARTY_FIELDS:
        make = block if key in MULTILINE_FIELDS else inline
        if isinstance(value, str):
            return make(value)
        if isinstance(value, list):
            return [make(item) if isinstance(item, str) else item for item in value]
    return inert_fields(value)
