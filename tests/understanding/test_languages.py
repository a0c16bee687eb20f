"""Requests in German, French and Spanish are understood and answered in their language;
in another language the assistant says, in it, which ones it understands."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agents.offline import OfflineChatModel
from agents.offline.language import detect
from tools import ROLE_TOOLS

MATCHES = {
    "matches": [
        {
            "job_id": "a" * 32,
            "title": "Data Engineer",
            "location": "Berlin",
            "score": 0.81,
            "matched_skills": ["Python", "SQL"],
            "missing_required": ["Spark"],
        }
    ]
}


def candidate() -> OfflineChatModel:
    return OfflineChatModel(tool_names=[t.name for t in ROLE_TOOLS["candidate"]], role="candidate")


def answered(text: str, tool: str, data: dict[str, Any]) -> tuple[AIMessage, str]:
    """The model's tool call for `text`, and its answer once the tool returned `data`."""
    model = candidate()
    messages: list[BaseMessage] = [HumanMessage(text)]
    decided = model.decide(messages)
    call = decided.tool_calls[0]
    assert call["name"] == tool
    result = ToolMessage(json.dumps(data), tool_call_id=call["id"], name=tool, artifact=data)
    return decided, str(model.decide([*messages, decided, result]).content)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Zeig mir passende Stellen in Berlin", "de", "Diese Stellen passen am besten"),
        ("Montre-moi des offres d'emploi à Berlin", "fr", "Voici les offres"),
        ("Muéstrame ofertas de empleo en Berlín", "es", "Estas son las ofertas"),
        ("Show me jobs in Berlin", "en", "Here are the jobs"),
    ],
)
def test_a_job_search_is_answered_in_its_language(text: str, lang: str, expected: str) -> None:
    assert detect(text) == lang
    decided, reply = answered(text, "find_matching_jobs", MATCHES)
    assert decided.tool_calls[0]["args"].get("location", "").startswith("berl")
    assert expected in reply and "Data Engineer" in reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kannst du meinen Lebenslauf bewerten?", "Dein Lebenslauf erreicht 72/100"),
        ("Peux-tu critiquer mon CV ?", "Votre CV obtient 72/100"),
        ("¿Puedes revisar mi currículum?", "Tu currículum obtiene 72/100"),
    ],
)
def test_a_critique_is_answered_in_its_language(text: str, expected: str) -> None:
    _, reply = answered(text, "critique_my_resume", {"score": 72, "findings": []})
    assert expected in reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cerco lavoro come infermiere a Milano", "Capisco l'inglese"),
        ("Procuro emprego de enfermeiro em Lisboa", "Entendo inglês"),
        ("Ik zoek werk als verpleegkundige in Utrecht", "Ik begrijp Engels"),
        ("Busco feina de màrqueting a Barcelona, a jornada completa", "Entenc l'anglès"),
        ("Γεια σας, μπορείτε να μου βρείτε δουλειά ως λογιστής στην Αθήνα;", "Καταλαβαίνω"),
        ("データエンジニアの求人に合う候補者を5人見せてください。", "英語、ドイツ語"),
    ],
)
def test_another_language_is_told_which_ones_are_understood(text: str, expected: str) -> None:
    decided = candidate().decide([HumanMessage(text)])
    assert not decided.tool_calls
    assert expected in str(decided.content)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # the detector leans Dutch (0.69) and Catalan (0.84): our own words decide
        ("Sind 65.000 € brutto für unseren SAP-Berater marktgerecht?", "de"),
        ("sí, acepto la de Globex, que me contacten", "es"),
        # English 0.83 with no English word of ours, a third of them French
        ("Acceptez la demande de contact de la Boulangerie Martin, s'il vous plaît.", "fr"),
        # Catalan 0.87, English 0.13: short, and English is the runner-up
        ("don't contact anyone yet", "en"),
    ],
)
def test_an_unsure_detector_between_neighbours_is_settled_by_the_words(
    text: str, lang: str
) -> None:
    assert detect(text) == lang


@pytest.mark.parametrize(
    "text", ["critique my cv", "jobs in berlin pls", "hide my profile from employers", "thx"]
)
def test_short_english_requests_stay_english(text: str) -> None:
    assert detect(text) == "en"
