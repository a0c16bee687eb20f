"""The conversation as the offline model reads it: the latest turn, earlier results, and
which listed item a message points at."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage


def message_text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else str(message.text)


def artifact(message: ToolMessage) -> dict[str, Any]:
    if isinstance(message.artifact, dict):
        return message.artifact
    try:
        data = json.loads(message_text(message))
    except ValueError:
        return {"error": message_text(message)}
    return data if isinstance(data, dict) else {"result": data}


# Tools whose result is a list a follow-up can point into, and the key of that list.
_LISTS = {
    "find_matching_jobs": "matches",
    "list_my_jobs": "jobs",
    "find_candidates": "matches",
    "get_contact_requests": "requests",
}


@dataclass
class Turn:
    """The latest user message, the tool results since, and everything before."""

    user: str
    results: list[ToolMessage]
    history: list[BaseMessage]  # before the latest user message

    @classmethod
    def read(cls, messages: Sequence[BaseMessage]) -> Turn:
        for index in range(len(messages) - 1, -1, -1):
            if isinstance(messages[index], HumanMessage):
                results = [m for m in messages[index + 1 :] if isinstance(m, ToolMessage)]
                return cls(message_text(messages[index]), results, list(messages[:index]))
        return cls("", [], list(messages))

    def called(self) -> set[str]:
        return {m.name or "" for m in self.results}

    def latest(self, *tools: str) -> dict[str, Any] | None:
        """The newest successful result of one of `tools`, this turn first, then before."""
        for message in reversed([*self.history, *self.results]):
            if isinstance(message, ToolMessage) and message.name in tools:
                data = artifact(message)
                if "error" not in data and not data.get("confirmation_required"):
                    return data
        return None

    def listed(self) -> tuple[str | None, list[str]]:
        """The list the conversation showed last (the tool that made it) and its items'
        titles, in order: what "the third one" or "that job" refers to."""
        for message in reversed(self.history):
            if isinstance(message, ToolMessage) and message.name in _LISTS:
                data = artifact(message)
                items = data.get(_LISTS[message.name]) or []
                if "error" in data or not items:
                    continue
                return message.name, [described(i) for i in items]
        return None, []

    def last_shown(self) -> str | None:
        """The tool whose result the assistant showed last ("keep it" after a rewrite's
        diff accepts that rewrite)."""
        for message in reversed(self.history):
            if isinstance(message, HumanMessage):
                continue
            if isinstance(message, ToolMessage):
                return message.name
        return None

    def pending_confirmation(self) -> dict[str, Any] | None:
        """The action the assistant asked the user to confirm in its previous answer."""
        for message in reversed(self.history):
            if isinstance(message, HumanMessage):
                return None
            if isinstance(message, ToolMessage):
                data = artifact(message)
                return data if data.get("confirmation_required") else None
        return None


ID_RE = re.compile(r"\b[0-9a-f]{32}\b")
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "top": 1,
    "best": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
}
_ORDINAL_RE = re.compile(
    r"\b(?:("
    + "|".join(_ORDINALS)
    # not "last week", "the first time"
    + r")\b(?!\s*\d)(?!\s+(?:week|month|year|time|night|day|quarter|summer|winter|spring|autumn|fortnight|few)s?\b)"
    + r"|(?:number|no\.?|job|role|option|candidate|match)\s*(\d{1,2}|one|two|three|four|five)\b)"
    + r"|#\s*(\d{1,2})\b",
    re.I,
)
NO_RE = re.compile(r"^\W*(no|nope|cancel|stop|don'?t|do not|never mind|nevermind)\b", re.I)


_SPELT = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}  # "number one"


def ordinals(text: str) -> list[int]:
    out = []
    for word, number, hashed in _ORDINAL_RE.findall(text):
        spelt = _SPELT.get(number.lower()) if number else None
        out.append(_ORDINALS[word.lower()] if word else spelt or int(number or hashed))
    return out


def pick_listed(text: str, items: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    """The item of an earlier list the message points at: by id, rank or title."""
    if not items:
        return None
    for found in ID_RE.findall(text):
        for item in items:
            if found in (item.get(key), item.get("resume_id"), item.get("candidate_id")):
                return item
    for rank in ordinals(text):
        if rank == -1:
            return items[-1]
        if 1 <= rank <= len(items):
            return items[rank - 1]
    lowered = text.lower()
    titled = [i for i in items if i.get("title") and str(i["title"]).lower() in lowered]
    if titled:
        return max(titled, key=lambda i: len(str(i["title"])))
    return None


# Between a listed item's title and the other words that name it (company, place)
TITLE_SEP = " | "


def described(item: dict[str, Any]) -> str:
    """A listed item as `slots.item` reads it: its title (a contact request's company and
    job: "the sales one", "Globex's"), then after TITLE_SEP what else tells the items
    apart ("the Madrid one", "the Northwind one")."""
    title = item.get("title") or " ".join(
        filter(None, (item.get("company"), item.get("job_title")))
    )
    return f"{title}{TITLE_SEP}" + " ".join(
        str(item[k]) for k in ("company", "location") if item.get(k)
    )


class NeedsFirst(Exception):
    """The intended tool needs another tool's result first (e.g. a job list)."""

    def __init__(self, tool: str, args: dict[str, Any] | None = None) -> None:
        self.tool = tool
        self.call_args = args or {}


class Unclear(Exception):
    """The message does not say enough to act; `question` asks what is missing."""

    def __init__(self, question: str) -> None:
        self.question = question
