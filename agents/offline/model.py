"""The offline chat model: picks a tool, fills its arguments, renders its result, all
from the tool specifications (`agents.offline.spec`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolCall, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from agents.offline.answers import help_text, say, tr
from agents.offline.conversation import (
    ID_RE,
    NO_RE,
    NeedsFirst,
    Turn,
    Unclear,
    artifact,
    message_text,
)
from agents.offline.intents import (
    CLARIFY,
    HOW_TO,
    OUT_OF_SCOPE,
    SMALLTALK,
    Reading,
    examples,
    understand,
)
from agents.offline.language import ANSWERED, UNDERSTOOD, detect, gloss
from agents.offline.slots import pay_period, spelt_numbers
from agents.offline.spec import SPEC_BY_NAME, SPECS
from tools.base import is_confirmation
from tools.markdown import inert_fields


def render(message: ToolMessage, lang: str = "en") -> str:
    data = artifact(message)
    if data.get("confirmation_required"):
        return f"{data.get('question')} {say(lang, 'confirm')}"
    if "error" in data:
        return f"{say(lang, 'failed')} {data['error']}"
    spec = SPEC_BY_NAME.get(message.name or "")
    # Employers' words (titles, companies, skills) are shown as plain text, never markup.
    return spec.render(inert_fields(data), lang) if spec else message_text(message)


def _call(name: str, args: dict[str, Any]) -> ToolCall:
    return ToolCall(name=name, args=args, id=f"call_{uuid.uuid4().hex[:12]}", type="tool_call")


_EITHER_RE = re.compile(r"\bor remote\b|\bremote or\b", re.I)


def _search_args(reading: Reading, text: str) -> tuple[dict[str, Any], list[str]]:
    """The match tool's filters from the reading, and what it could not apply."""
    slots = reading.slots
    args: dict[str, Any] = {k: slots[k] for k in ("employment_type", "seniority") if k in slots}
    unapplied: list[str] = []
    where, place = slots.get("remote"), slots.get("location")
    if where == "remote" and place and _EITHER_RE.search(text):
        unapplied.append(f"{place} or remote")  # one filter cannot say "or": neither
        args["remote"] = None
    else:
        if place:
            args["location"] = place
        if where in ("remote", "onsite"):
            args["remote"] = where == "remote"
        elif where == "hybrid":
            unapplied.append("hybrid")
    if "query" in slots:
        args["query"] = slots["query"]
    if "salary_min" in slots and (period := pay_period(text)) is not None:
        # jobs state pay a year: an hourly or daily rate cannot filter them
        unapplied.append(f"pay of {slots['salary_min']} a {period} (jobs state pay a year)")
    elif "salary_min" in slots:
        if slots.get("currency"):
            unapplied.append(f"pay in {slots['currency']} (jobs state pay without a currency)")
        args["min_salary"] = slots["salary_min"]
    return args, unapplied


_ARGUMENT_SLOTS = (
    "min_score",
    "max_per_day",
    "open_to_employers",
    "accept",
    "first",
    "second",
    "occupation",
)


class OfflineChatModel(BaseChatModel):
    """Deterministic chat model: tools chosen by intent, answers rendered from results."""

    tool_names: list[str] = Field(default_factory=list, description="names of bound tools")
    role: str = Field("candidate", description="whose help text to show")
    use_embeddings: bool = Field(True, description="embedding fallback when no rule fires")

    @property
    def _llm_type(self) -> str:
        return "clearview-offline"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        names = [convert_to_openai_tool(t)["function"]["name"] for t in tools]
        return self.model_copy(update={"tool_names": names})

    def decide(self, messages: Sequence[BaseMessage]) -> AIMessage:
        turn = Turn.read(messages)
        lang = detect(turn.user)
        if lang not in ANSWERED:
            return AIMessage(content=UNDERSTOOD[lang])
        allowed = set(self.tool_names)
        try:
            calls, reading = self._next_calls(turn, allowed, lang)
        except Unclear as unclear:
            return AIMessage(content=unclear.question)
        metadata = {"understanding": {**reading.as_dict(), "language": lang}}
        if calls:
            return AIMessage(content="", tool_calls=calls, response_metadata=metadata)
        if turn.results:
            answers = [render(m, lang) for m in turn.results]
            if turn.results[-1].name == "find_matching_jobs":
                _, unapplied = _search_args(reading, gloss(turn.user, lang))
                if unapplied:
                    answers.append(
                        tr(
                            lang,
                            "Not applied (the search ranks by your resume): {constraints}.",
                            constraints=", ".join(unapplied),
                        )
                    )
            return AIMessage(content="\n\n".join(answers), response_metadata=metadata)
        return AIMessage(content=self._without_tool(reading, lang), response_metadata=metadata)

    def _without_tool(self, reading: Reading, lang: str) -> str:
        menu = help_text(self.role, lang)
        if reading.intent == CLARIFY and reading.choices:
            labels = [SPEC_BY_NAME[c].label for c in reading.choices]
            return say(lang, "clarify", choices=" / ".join(labels))
        if reading.intent == HOW_TO and reading.choices:
            spec = SPEC_BY_NAME[reading.choices[0]]
            return say(lang, "how_to", label=spec.label, example=spec.examples[0])
        if reading.intent == SMALLTALK:
            return say(lang, "smalltalk")
        if reading.intent == OUT_OF_SCOPE:
            return f"{say(lang, 'out_of_scope')} {menu}"
        return menu

    def _next_calls(
        self, turn: Turn, allowed: set[str], lang: str
    ) -> tuple[list[ToolCall], Reading]:
        english = turn if lang == "en" else replace(turn, user=gloss(turn.user, lang))
        english = replace(english, user=spelt_numbers(english.user))
        listed, titles = turn.listed()
        reading = understand(
            english.user,
            allowed,
            listed=listed,
            shown=turn.last_shown(),
            context={"titles": titles},
            use_embeddings=self.use_embeddings,
        )
        pending = turn.pending_confirmation() if not turn.results else None
        if pending and pending.get("action") in allowed:
            if is_confirmation(turn.user):
                call = _call(pending["action"], {**pending.get("args", {}), "confirmed": True})
                return [call], reading
            if NO_RE.match(turn.user):
                raise Unclear(say(lang, "cancelled"))
        tool = reading.intent if reading.intent in SPEC_BY_NAME else None
        if tool is None or tool in turn.called():
            return [], reading
        # Pasted descriptions are kept as written; other arguments read the English gloss
        # ("Bitte die Stelle Koch veröffentlichen" publishes: its action is in the gloss).
        pasted = tool == "create_job" or (tool == "update_job" and "\n" in turn.user.strip())
        source = turn if pasted else english
        try:
            args = SPEC_BY_NAME[tool].arguments(source)
        except NeedsFirst as first:
            if first.tool in turn.called() or first.tool not in allowed:
                return [], reading
            return [_call(first.tool, first.call_args)], reading
        if tool == "find_matching_jobs":
            merged = {**args, **_search_args(reading, english.user)[0]}
            args = {k: v for k, v in merged.items() if v is not None}
        # Settings read by the tool's own argument filler are part of the reading too.
        read = {k: args[k] for k in _ARGUMENT_SLOTS if k in args and k not in reading.slots}
        job = args.get("job")
        if (
            isinstance(job, str)
            and not ID_RE.fullmatch(job)
            and not {"job", "item"} & set(reading.slots)
        ):
            read["job"] = job.lower()  # a job the argument filler named by its title
        return [_call(tool, args)], replace(reading, slots={**reading.slots, **read})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.decide(messages))])


def warm_up() -> None:
    """Embed the example phrasings now rather than in the first user's turn."""
    vectors: np.ndarray = examples().vectors
    assert vectors.shape[0] >= sum(len(s.examples) for s in SPECS)
    detect("warm up the language detector")
