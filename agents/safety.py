"""What keeps the assistant safe to point at documents and hosted models.

- Untrusted text (resumes, job descriptions, diffs) reaches a model only inside data tags
  (`delimit`, shared with the tools), and the system prompt says those are data.
- Personal details are masked before messages leave for a hosted endpoint, with one
  vault per conversation (`PiiVault`), so a provider never sees a name, e-mail or phone
  and a value keeps its placeholder for the whole conversation. The conversation is
  stored masked too; the vault itself is stored encrypted beside it (`sealed`), and
  values are restored only for the tools that act on them and for the user.
- A canary string sits in the system prompt; a reply that contains it (the model was
  talked into quoting its instructions) is replaced (`scrub_reply`).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from core.secrets_at_rest import configured_box
from core.settings import get_settings
from ingest.parsing import Span, find_contacts
from ingest.skills import get_lexicon
from tools.base import DATA_TAGS, delimit

__all__ = ["PiiVault", "canary", "delimit", "scrub_reply", "undelimit"]

LEAK_REPLY = (
    "I can't share my instructions. I can help with your resume, jobs, candidates or "
    "hiring metrics instead."
)
_TAGS_RE = re.compile(rf"</?(?:{'|'.join(DATA_TAGS)})>\n?", re.I)


def canary() -> str:
    """A marker unique to this install (derived from its secret), stable across restarts."""
    secret = get_settings().secret_key.get_secret_value()
    return "CV-CANARY-" + hashlib.sha256(f"canary:{secret}".encode()).hexdigest()[:16]


def scrub_reply(text: str) -> str:
    """The reply, or a refusal when it leaks the system prompt's canary."""
    marker = canary()
    if marker in text or marker.lower() in text.lower():
        return LEAK_REPLY
    return text


def undelimit(text: str) -> str:
    """Data tags removed, for showing delimited text to the user who owns it."""
    return _TAGS_RE.sub("", text).strip()


# A name its owner types into the chat: "my name is ravi kumar", "name: Ravi", "I'm Ravi
# Kumar", "call me Ravi", a sign-off ("Thanks, Ravi"). After "my name is", "name:" and
# "call me" a name may be typed in lower case; after "I am" and in a sign-off only
# capitalised words count ("I am a data engineer" names nobody).
_WORDS = r"(?P<words>[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*){0,3})"
_EXPLICIT_NAME_RE = re.compile(rf"(?i:\bmy name is|\bname:|\bcall me)[ \t]+{_WORDS}")
_CAPITALISED_NAME_RES = (
    re.compile(rf"(?i:\bI am|\bI['’]m)[ \t]+{_WORDS}"),
    re.compile(rf"(?i:\b(?:regards|thanks|thank you|cheers|best|sincerely)),?\s+{_WORDS}\s*$"),
)
# Words that end a name (or show there is none): "my name is Ravi and ...", "I'm Looking".
_NOT_NAME = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "available",
        "back",
        "based",
        "but",
        "currently",
        "for",
        "from",
        "glad",
        "happy",
        "here",
        "hi",
        "i",
        "im",
        "in",
        "interested",
        "is",
        "just",
        "looking",
        "new",
        "not",
        "now",
        "ok",
        "okay",
        "on",
        "open",
        "or",
        "please",
        "seeking",
        "so",
        "still",
        "the",
        "thanks",
        "to",
        "trying",
        "very",
        "with",
        "working",
    ]
)


def _name_in(words: str, *, capitalised: bool) -> str | None:
    """The leading words of `words` that can be a person's name, or None. Where only
    capitals tell a name, a skill is not one ("I am Python developer")."""
    name: list[str] = []
    for word in words.split():
        if word.lower().strip("'’-") in _NOT_NAME:
            break
        if capitalised and (not word[0].isupper() or get_lexicon().normalise(word)):
            break
        name.append(word)
    return " ".join(name) or None


def self_given_names(text: str) -> list[str]:
    """The names a writer gives as their own in `text`."""
    found = [_name_in(m["words"], capitalised=False) for m in _EXPLICIT_NAME_RE.finditer(text)]
    for pattern in _CAPITALISED_NAME_RES:
        found += [_name_in(m["words"], capitalised=True) for m in pattern.finditer(text)]
    return [name for name in found if name]


class PiiVault:
    """Placeholders for the personal details of one conversation, shared by all its
    messages (the same e-mail is [EMAIL_1] everywhere), and the way back."""

    def __init__(self) -> None:
        self.by_value: dict[tuple[str, str], str] = {}
        self.values: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def sealed(self) -> str:
        """The vault encrypted under the deployment secret (`core.secrets_at_rest`), to be
        kept in the conversation's state: the checkpoint store holds no value in clear."""
        entries = [
            [kind, value, placeholder] for (kind, value), placeholder in self.by_value.items()
        ]
        return configured_box().seal(json.dumps(entries))

    @classmethod
    def opened(cls, sealed: str | None) -> PiiVault:
        """The vault `sealed` returned (a new one for a new conversation)."""
        vault = cls()
        for kind, value, placeholder in json.loads(configured_box().open(sealed)) if sealed else []:
            vault.by_value[(kind, value)] = placeholder
            vault.values[placeholder] = value
            vault._counts[kind] = vault._counts.get(kind, 0) + 1
        return vault

    def _placeholder(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self.by_value:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            placeholder = f"[{kind.upper()}_{self._counts[kind]}]"
            self.by_value[key] = placeholder
            self.values[placeholder] = value
        return self.by_value[key]

    def mask_text(self, text: str, *, names: bool = True) -> str:
        spans: list[Span] = [s for s in find_contacts(text) if names or s.kind != "name"]
        pieces: list[str] = []
        pos = 0
        for span in spans:
            pieces += [
                text[pos : span.start],
                self._placeholder(span.kind, text[span.start : span.end]),
            ]
            pos = span.end
        pieces.append(text[pos:])
        masked = "".join(pieces)
        # A name found once (top of a resume) is masked wherever else it appears.
        for (kind, value), placeholder in self.by_value.items():
            if kind == "name" and value.lower() in masked.lower():
                masked = re.sub(re.escape(value), placeholder, masked, flags=re.IGNORECASE)
        return masked

    def _mask_said(self, text: str) -> str:
        """A message someone typed (or the model wrote): contacts, the names already known
        from documents, and a name the writer gives as their own (`self_given_names`).
        Other capitalised words stay: a job title is not a name."""
        for name in self_given_names(text):
            self._placeholder("name", name)
        return self.mask_text(text, names=False)

    def _mask_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._mask_said(value)
        if isinstance(value, dict):
            return {k: self._mask_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._mask_value(v) for v in value]
        return value

    def mask_tool_result(self, message: ToolMessage) -> ToolMessage:
        """A tool's answer as it is stored: its text masked as a document (a resume's
        name line is a name), its structured artifact as said text (a job title is not)."""
        update: dict[str, Any] = {"artifact": self._mask_value(message.artifact)}
        if isinstance(message.content, str):
            update["content"] = self.mask_text(message.content)
        return message.model_copy(update=update)

    def mask(self, messages: list[AnyMessage]) -> list[AnyMessage]:
        """Copies of `messages` with personal details replaced, all with this one vault:
        the user's messages, the documents tools returned, and the assistant's own answers
        and tool-call arguments. Masking masked text changes nothing but names learnt
        since it was stored, so the stored conversation can be masked again before each
        call."""
        # Documents first, wherever they are in the history: a name found at the top of
        # a resume is then masked in every message, earlier ones included.
        documents = {
            index: self.mask_text(message.content)
            for index, message in enumerate(messages)
            if isinstance(message, ToolMessage) and isinstance(message.content, str)
        }
        out: list[AnyMessage] = []
        for index, message in enumerate(messages):
            update: dict[str, Any] = {}
            if index in documents:
                update["content"] = documents[index]
            elif isinstance(message, HumanMessage | AIMessage):
                update["content"] = self._mask_value(message.content)
            if isinstance(message, AIMessage) and message.tool_calls:
                update["tool_calls"] = [
                    {**call, "args": self._mask_value(call["args"])} for call in message.tool_calls
                ]
            out.append(message.model_copy(update=update) if update else message)
        return out

    def restore_text(self, text: str) -> str:
        if not self.values:
            return text
        pattern = re.compile(
            "|".join(re.escape(p) for p in sorted(self.values, key=len, reverse=True))
        )
        return pattern.sub(lambda m: self.values[m.group()], text)

    def _restore_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.restore_text(value)
        if isinstance(value, dict):
            return {k: self._restore_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._restore_value(v) for v in value]
        return value

    def restore_value(self, value: Any) -> Any:
        """`value` (text, or JSON-like data) with placeholders turned back into the real
        values."""
        return self._restore_value(value) if self.values else value

    def restore(self, message: AnyMessage) -> AnyMessage:
        """A message with placeholders turned back into the real values: its text, its
        tool-call arguments (a tool must act on the real data) and a tool's artifact."""
        if not self.values:
            return message
        update: dict[str, Any] = {"content": self._restore_value(message.content)}
        if isinstance(message, AIMessage):
            update["tool_calls"] = [
                {**call, "args": self._restore_value(call["args"])} for call in message.tool_calls
            ]
        if isinstance(message, ToolMessage):
            update["artifact"] = self._restore_value(message.artifact)
        return message.model_copy(update=update)
