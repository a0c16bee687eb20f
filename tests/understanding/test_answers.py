"""What the offline model says when it does not call a tool, and what it says about the
constraints a search could not apply (a claim shown to a user must be true)."""

from __future__ import annotations

import json

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from agents.offline import OfflineChatModel
from agents.offline.answers import HELP
from tools import ROLE_TOOLS


def model(role: str = "candidate") -> OfflineChatModel:
    return OfflineChatModel(tool_names=[t.name for t in ROLE_TOOLS[role]], role=role)


def test_asking_how_to_delete_explains_and_changes_nothing() -> None:
    decided = model().decide([HumanMessage("how do I delete my data?")])
    assert not decided.tool_calls
    assert '"Delete all my data"' in str(decided.content) and "confirm" in str(decided.content)


def test_an_unclear_request_about_jobs_gets_choices_not_the_menu() -> None:
    decided = model().decide([HumanMessage("hmm what about my experience")])
    assert not decided.tool_calls
    reply = str(decided.content)
    assert reply.startswith("Did you mean:") and HELP["candidate"] not in reply


def test_a_greeting_is_not_a_request() -> None:
    decided = model("employer").decide([HumanMessage("hello there")])
    assert not decided.tool_calls and HELP["employer"] not in str(decided.content)


def _search(text: str) -> tuple[dict[str, object], str]:
    m = model()
    messages: list[BaseMessage] = [HumanMessage(text)]
    decided = m.decide(messages)
    [call] = decided.tool_calls
    assert call["name"] == "find_matching_jobs"
    data: dict[str, object] = {"matches": []}
    result = ToolMessage(
        json.dumps(data), tool_call_id=call["id"], name=call["name"], artifact=data
    )
    return call["args"], str(m.decide([*messages, decided, result]).content)


def test_a_search_applies_place_remote_level_and_pay_and_says_what_it_did_not_apply() -> None:
    args, reply = _search("senior nurse jobs in Leeds, on-site, paying at least £35,000")
    assert args["location"] == "leeds" and args["remote"] is False
    assert args["min_salary"] == 35000 and args["query"] == "nurse"
    assert args["seniority"] == "senior"
    # jobs state pay without a currency: the pound cannot be applied, and the reply says so
    assert "Not applied" in reply and "pay in GBP" in reply and "senior" not in reply


def test_in_x_or_remote_is_not_narrowed_to_either() -> None:
    args, reply = _search("jobs in Leeds or remote")
    assert "location" not in args and "remote" not in args
    assert "leeds or remote" in reply


def _answer(role: str, text: str, data: dict[str, object]) -> tuple[dict[str, object], str]:
    m = model(role)
    messages: list[BaseMessage] = [HumanMessage(text)]
    decided = m.decide(messages)
    [call] = decided.tool_calls
    result = ToolMessage(
        json.dumps(data), tool_call_id=call["id"], name=call["name"], artifact=data
    )
    return dict(call), str(m.decide([*messages, decided, result]).content)


def test_a_career_question_reads_the_occupation_and_its_aspect() -> None:
    assert model().decide([HumanMessage("how do I become a dental hygienist?")]).tool_calls[0][
        "args"
    ] == {"occupation": "dental hygienist", "aspect": "path"}
    decided = model().decide([HumanMessage("what skills does a welder need")])
    assert decided.tool_calls[0]["args"] == {"occupation": "welder", "aspect": "skills"}


def test_an_unknown_occupation_is_said_not_guessed() -> None:
    data: dict[str, object] = {"query": "zorbler", "onet": None, "esco": None, "sources": []}
    _, reply = _answer("candidate", "what does a zorbler do?", data)
    assert reply.startswith('I found no occupation called "zorbler" in O*NET or ESCO.')


def test_platform_figures_say_how_many_jobs_they_count() -> None:
    data: dict[str, object] = {
        "skills": [{"skill": "SQL", "count": 4}, {"skill": "AWS", "count": 2}],
        "jobs": 7,
        "sources": [{"name": "7 jobs on ClearView"}],
    }
    call, reply = _answer("candidate", "what should I learn next?", data)
    assert call["name"] == "skills_to_learn"
    assert "the 7 jobs closest to your resume" in reply and "- SQL: 4\n- AWS: 2" in reply
    assert reply.endswith("Source: 7 jobs on ClearView")


def test_what_an_occupation_earns_is_answered_from_the_platforms_jobs() -> None:
    decided = model().decide([HumanMessage("what does a freight dispatcher make these days?")])
    assert decided.tool_calls[0]["args"] == {"occupation": "freight dispatcher", "aspect": "pay"}
    market = {
        "jobs": 4,
        "currency": "GBP",
        "salary_min": {"low": 24000, "median": 26000, "high": 28000},
        "salary_max": None,
        "source": {"name": "4 jobs on ClearView"},
    }
    data: dict[str, object] = {
        "query": "freight dispatcher",
        "onet": None,
        "esco": {"label": "dispatcher", "description": "Dispatches freight."},
        "aspect": "pay",
        "market": market,
        "sources": [market["source"]],
    }
    _, reply = _answer("candidate", "what does a freight dispatcher earn?", data)
    assert reply.startswith("Pay stated by 4 published jobs on ClearView")
    assert "median 26,000 GBP" in reply and "Source: 4 jobs on ClearView" in reply
    empty = {**data, "market": {**market, "jobs": 0}}
    _, reply = _answer("candidate", "what does a freight dispatcher earn?", empty)
    assert reply.startswith("No published job on ClearView")
