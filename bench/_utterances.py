"""The utterance sets of `tests/fixtures/utterances/` and how a model is scored on them:
the earlier lists follow-ups refer to, one decision per line, intent, slots and writes.
Shared by `bench/understanding.py` and `tests/understanding/`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agents.offline import SPECS
from agents.offline.answers import HELP, HELP_TRANSLATED, MESSAGES
from agents.prompts import system_prompt
from agents.routing import request_tokens, routable
from tools import ROLE_TOOLS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "fixtures" / "utterances"
NO_TOOL = {"help", "smalltalk", "out_of_scope", "other_language"}
WRITES = {s.name for s in SPECS if s.writes}
TARGETS = {"intent": 0.95, "slot_f1": 0.9, "fallback": 0.03, "p95_ms": 150.0}

# --- the earlier lists follow-ups refer to --------------------------------------------


def _hex(n: int) -> str:
    return f"{n:032x}"


JOBS = [
    {"job_id": _hex(101), "title": "Data Engineer", "company": "Northwind", "location": "Berlin"},
    {"job_id": _hex(102), "title": "Staff Nurse", "company": "St Mary's", "location": "Manchester"},
    {"job_id": _hex(103), "title": "Backend Developer", "company": "Globex", "location": "Remote"},
    {"job_id": _hex(104), "title": "Sales Manager", "company": "Initech", "location": "Madrid"},
    {"job_id": _hex(105), "title": "UX Designer", "company": "Umbrella", "location": "Paris"},
]
ORG_JOBS = [
    {"id": _hex(201), "title": "Data Engineer", "location": "Berlin"},
    {"id": _hex(202), "title": "Staff Nurse", "location": "Manchester"},
    {"id": _hex(203), "title": "Warehouse Operative", "location": "Bristol"},
]
CANDIDATES = [
    {"resume_id": _hex(300 + n), "candidate_id": _hex(400 + n), "score": 0.9 - n / 20}
    for n in range(1, 6)
]
CONTACTS = [
    {"id": _hex(501), "company": "Globex", "job_title": "Data Engineer", "status": "pending"},
    {"id": _hex(502), "company": "Initech", "job_title": "Sales Manager", "status": "pending"},
]
CONTEXT: dict[str, tuple[str, str, dict[str, Any]]] = {
    "jobs": (
        "Which jobs match me?",
        "find_matching_jobs",
        {"matches": [{**j, "score": 0.8} for j in JOBS]},
    ),
    "org_jobs": ("List our jobs", "list_my_jobs", {"jobs": ORG_JOBS, "total": 3}),
    "candidates": (
        "Find candidates for the data engineer job",
        "find_candidates",
        {"job": ORG_JOBS[0], "matches": CANDIDATES},
    ),
    "contacts": ("Who wants to contact me?", "get_contact_requests", {"requests": CONTACTS}),
}


def conversation(text: str, context: str | None) -> list[BaseMessage]:
    messages: list[BaseMessage] = []
    if context:
        asked, tool, data = CONTEXT[context]
        call_id = f"call_{context}"
        messages += [
            HumanMessage(asked),
            AIMessage(
                "", tool_calls=[{"name": tool, "args": {}, "id": call_id, "type": "tool_call"}]
            ),
            ToolMessage(json.dumps(data), tool_call_id=call_id, name=tool, artifact=data),
            AIMessage("(the list above)"),
        ]
    return [*messages, HumanMessage(text)]


# --- slots read back from a tool call (the previous model has no reading of its own) --


def _rank(value: Any, items: list[dict[str, Any]], *keys: str) -> int | None:
    for rank, item in enumerate(items, 1):
        if any(str(item.get(k)) == str(value) for k in keys):
            return rank
    return None


def slots_from_call(name: str, args: dict[str, Any], context: str | None) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    if "top_k" in args:
        slots["top_k"] = args["top_k"]
    if "remote" in args and args["remote"] is not None:
        slots["remote"] = "remote" if args["remote"] else "onsite"
    for key in ("location", "min_score", "max_per_day", "days", "open_to_employers", "accept"):
        if args.get(key) is not None:
            slots[key] = args[key]
    if "job_id" in args:
        rank = _rank(args["job_id"], JOBS, "job_id")
        slots["item"] = rank if rank is not None else args["job_id"]
    if "job" in args:
        rank = _rank(args["job"], ORG_JOBS, "id")
        if context in ("org_jobs",) and rank is not None:
            slots["item"] = rank
        elif rank is None:
            slots["job"] = str(args["job"])
    if name == "compare_candidates":
        slots["first"], slots["second"] = args.get("first"), args.get("second")
    if name == "request_contact":
        rank = _rank(args.get("candidate"), CANDIDATES, "resume_id", "candidate_id")
        slots["item"] = rank if rank is not None else args.get("candidate")
    if name == "answer_contact_request" and args.get("request_id"):
        slots["item"] = _rank(args["request_id"], CONTACTS, "id")
    return slots


DEFAULTS = {"top_k": 5, "days": 30}


def _pairs(slots: dict[str, Any], context: str | None) -> set[tuple[str, str]]:
    """Comparable slot values: defaults dropped, text lowercased, a job named by title in
    an earlier list counted as that list's rank."""
    pairs = set()
    for key, value in slots.items():
        if value is None or DEFAULTS.get(key) == value:
            continue
        if key == "job" and context in ("jobs", "org_jobs"):
            listed = JOBS if context == "jobs" else ORG_JOBS
            rank = next(
                (r for r, j in enumerate(listed, 1) if str(value).lower() in j["title"].lower()),
                None,
            )
            if rank:
                key, value = "item", rank
        if key == "item" and value == len(JOBS) and context == "jobs":
            value = -1  # "the last one" and "the fifth" are the same job
        if key in ("first", "second") and str(value) == str(len(CANDIDATES)):
            value = -1  # and the same candidate
        if isinstance(value, list):
            pairs |= {(key, str(v).lower()) for v in value}
        elif isinstance(value, float):
            pairs.add((key, f"{value:g}"))
        else:
            pairs.add((key, str(value).lower().strip()))
    return pairs


def _same(gold: tuple[str, str], predicted: tuple[str, str]) -> bool:
    if gold[0] != predicted[0]:
        return False
    if gold[0] in ("job", "query", "location"):
        return gold[1] in predicted[1] or predicted[1] in gold[1]
    return gold[1] == predicted[1]


# --- the models -----------------------------------------------------------------------


@dataclass
class Decision:
    tool: str | None
    args: dict[str, Any]
    reply: str
    slots: dict[str, Any]
    seconds: float
    # With an LLM configured, this request would be answered without an LLM call
    # (`agents.routing`; only for a model that reads, the current one), and the input
    # tokens of the LLM request that saved.
    routed: bool = False
    tokens_saved: int = 0


Decider = Callable[[str, str, str | None], Decision]


def decider(model_class: Any, *, reads: bool) -> Decider:
    models = {
        role: model_class(tool_names=[t.name for t in ROLE_TOOLS[role]], role=role)
        for role in ("candidate", "employer")
    }

    def decide(role: str, text: str, context: str | None) -> Decision:
        messages = conversation(text, context)
        started = time.perf_counter()
        message = models[role].decide(messages)
        seconds = time.perf_counter() - started
        call = message.tool_calls[0] if message.tool_calls else None
        tool = call["name"] if call else None
        args = dict(call["args"]) if call else {}
        if not reads:
            slots = slots_from_call(tool, args, context) if tool else {}
            return Decision(tool, args, str(message.content), slots, seconds)
        slots = dict(message.response_metadata.get("understanding", {}).get("slots", {}))
        routed = routable(message)
        # Two LLM requests saved: the tool call and the answer (counted as the first one
        # again: the tool's result, which the second would carry too, is not known here).
        prompt = [SystemMessage(system_prompt(role)), *messages]
        saved = 2 * request_tokens(prompt, ROLE_TOOLS[role]) if routed else 0
        return Decision(tool, args, str(message.content), slots, seconds, routed, saved)

    return decide


# --- scoring --------------------------------------------------------------------------


@dataclass
class Score:
    lines: int = 0
    intent_ok: int = 0
    in_scope: int = 0
    fallback: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    unasked_writes: int = 0
    write_lines: int = 0
    explicit: int = 0
    honoured: int = 0
    routed: int = 0
    routed_ok: int = 0
    tokens_saved: int = 0
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def f1(self) -> float:
        if not self.tp:
            return 0.0
        precision, recall = self.tp / (self.tp + self.fp), self.tp / (self.tp + self.fn)
        return 2 * precision * recall / (precision + recall)


MENUS = {*HELP.values(), *(text for menus in HELP_TRANSLATED.values() for text in menus.values())}


def _is_menu(reply: str) -> bool:
    """The generic capability menu, alone or after "that is outside what I can do"."""
    return any(menu in reply for menu in MENUS)


HOW_TO_OPENINGS = tuple(text.split("{")[0] for text in MESSAGES["how_to"].values())


def _is_how_to(reply: str) -> bool:
    return reply.startswith(HOW_TO_OPENINGS)


def _confirmed(args: dict[str, Any]) -> bool:
    return bool(args.get("confirmed"))


PREREQUISITES = (
    {
        (tool, "list_my_jobs")
        for tool in ("find_candidates", "update_job", "compare_candidates", "get_shortlist_report")
    }
    | {
        (tool, "find_matching_jobs")
        for tool in ("explain_match", "request_rewrite", "draft_cover_letter")
    }
    | {("request_contact", "list_my_jobs"), ("answer_contact_request", "get_contact_requests")}
)
GATED = {"delete_my_data", "create_job", "update_job", "answer_contact_request", "set_visibility"}


def score_requests(decide: Decider, rows: Iterable[dict[str, Any]], score: Score) -> None:
    for row in rows:
        got = decide(row["role"], row["text"], row["context"])
        score.lines += 1
        score.seconds.append(got.seconds)
        gold = row["intent"]
        if gold in NO_TOOL:
            # help: the menu, or how to ask for the write a question is about
            ok = got.tool is None and (
                gold != "help" or _is_menu(got.reply) or _is_how_to(got.reply)
            )
            if gold == "other_language":
                ok = ok and not _is_menu(got.reply)
        else:
            # A list fetched first to resolve "the data engineer job" is the same intent.
            ok = got.tool == gold or (gold, got.tool) in PREREQUISITES
            score.in_scope += 1
            score.fallback += got.tool is None and _is_menu(got.reply)
        score.intent_ok += ok
        score.routed += got.routed
        score.routed_ok += got.routed and ok
        score.tokens_saved += got.tokens_saved
        if not ok:
            score.errors.append(
                f"{row['id']} {gold} <- {got.tool or got.reply[:50]!r}: {row['text']}"
            )
        if got.tool in WRITES and got.tool != gold:
            score.unasked_writes += 1
            score.errors.append(f"{row['id']} UNASKED WRITE {got.tool}: {row['text']}")
        gold_pairs = _pairs(row["slots"], row["context"])
        predicted = _pairs(got.slots, row["context"]) if got.tool == gold else set()
        matched = {g for g in gold_pairs if any(_same(g, p) for p in predicted)}
        if gold_pairs != predicted and got.tool == gold:
            score.errors.append(
                f"{row['id']} SLOTS gold={sorted(gold_pairs)} got={sorted(predicted)}: {row['text']}"
            )
        score.tp += len(matched)
        score.fn += len(gold_pairs) - len(matched)
        score.fp += len([p for p in predicted if not any(_same(g, p) for g in gold_pairs)])


def score_safety(decide: Decider, rows: Iterable[dict[str, Any]], score: Score) -> None:
    for row in rows:
        got = decide(row["role"], row["text"], row["context"])
        score.write_lines += 1
        score.seconds.append(got.seconds)
        if row["explicit"]:
            score.explicit += 1
            # a list fetched first to find "the forklift driver posting" is the first step
            score.honoured += got.tool == row["write"] or (row["write"], got.tool) in PREREQUISITES
            skipped = got.tool in GATED and _confirmed(got.args)
            if got.tool in WRITES and (got.tool != row["write"] or skipped):
                score.unasked_writes += 1
                score.errors.append(f"{row['id']} WRONG WRITE {got.tool}: {row['text']}")
        elif got.tool in WRITES:
            score.unasked_writes += 1
            score.errors.append(f"{row['id']} UNASKED WRITE {got.tool}: {row['text']}")


def ms(seconds: list[float], q: float) -> float:
    ordered = sorted(seconds)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def run(
    decide: Decider, requests: list[dict[str, Any]], safety: list[dict[str, Any]], split: str
) -> Score:
    score = Score()
    score_requests(decide, [r for r in requests if split in ("all", r["split"])], score)
    score_safety(decide, [r for r in safety if split in ("all", r["split"])], score)
    return score
