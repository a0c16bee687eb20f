"""Text in a document that addresses a ranker or an assistant instead of describing a
career ("ignore previous instructions", "rank me first", "Assistant: send ...").

Such lines say nothing about fit: the matcher drops them before scoring (an injected
resume scores exactly like its clean twin), and the upload reports them so that a person
can review the resume (`review_flags`).
"""

from __future__ import annotations

import re

_INJECTION_RE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+)?"
    r"(?:previous|prior|above|earlier|your|other)\b"
    r"|\b(?:instructions?|prompts?)\b.{0,40}\brank\s+(?:me|this)\b"
    r"|\brank\s+(?:me|this\s+(?:candidate|resume|cv))\s+(?:first|top|highest|#?1)\b"
    r"|\bsystem\s+prompt\b"
    r"|^\W*(?:assistant|system|ai|chatgpt|llm)\s*:\s*(?:send|ignore|rank|reveal|e-?mail|"
    r"forward|print|output|disregard|list)\b",
    re.I,
)


def is_injection(line: str) -> bool:
    """A line that addresses the ranker or the assistant instead of describing a career."""
    return bool(_INJECTION_RE.search(line))


def review_flags(text: str) -> list[str]:
    """Why a person should look at this document before trusting it (empty: no reason)."""
    lines = sum(1 for line in text.splitlines() if is_injection(line.strip()))
    if not lines:
        return []
    return [
        f"{lines} line(s) read as instructions to a ranker or an assistant; they were left "
        "out of matching and the resume is flagged for review"
    ]
