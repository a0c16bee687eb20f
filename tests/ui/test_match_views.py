"""A list of matches in the chat: cards, framed by the offline model's own words (in the
user's language, with the filters it applied), or by the chat's when an LLM answers."""

from __future__ import annotations

from typing import Any

from agents.offline import answers
from ui.render import JOBS_HINT, framed_cards

MATCHES: list[dict[str, Any]] = [
    {"job_id": "j1", "title": "Data Engineer", "location": "Berlin, Germany", "score": 0.81},
    {"job_id": "j2", "title": "ETL Developer", "location": "Berlin, Germany", "score": 0.64},
]
SEARCH = {"matches": MATCHES, "filters": {"location": "berlin"}, "query": "data engineer"}


def test_the_offline_models_words_frame_the_cards_in_the_users_language() -> None:
    said = answers.jobs(SEARCH, "de")
    shown = framed_cards(MATCHES, "jobs", "Jobs that match your resume", JOBS_HINT, said)
    title, first_card, *rest = shown.split("\n\n")
    assert title == "**Diese Stellen passen am besten zu deinem Lebenslauf**"
    assert first_card.startswith("### 1. Data Engineer")
    assert "### 2. ETL Developer" in shown and "Jobs that match" not in shown
    # what the search applied, as the model said it (and not the list a second time)
    notes = [part for part in rest if not part.startswith("### ")]
    assert notes == said.splitlines()[3:] and len(notes) >= 2
    assert any("berlin" in note for note in notes)


def test_no_match_is_the_models_sentence_naming_the_filters() -> None:
    said = answers.jobs({"matches": [], "filters": {"location": "berlin"}}, "en")
    assert framed_cards([], "jobs", "Jobs", JOBS_HINT, said) == said
    assert "in berlin" in said


def test_an_llm_answer_gets_the_chats_own_title_and_hint() -> None:
    shown = framed_cards(MATCHES, "jobs", "Jobs that match your resume", JOBS_HINT, None)
    assert shown.startswith("**Jobs that match your resume**") and shown.endswith(JOBS_HINT)


def test_cards_framed_by_a_german_answer_have_german_labels() -> None:
    matches = [{**MATCHES[0], "matched_skills": ["SQL"], "missing_required": []}]
    said = answers.jobs({**SEARCH, "matches": matches}, "de")
    shown = framed_cards(matches, "jobs", "Jobs that match your resume", JOBS_HINT, said, "de")
    assert "**Punktzahl 81%**" in shown
    assert "- Vorhanden: SQL" in shown and "- Es fehlt (Pflicht): keine" in shown
    assert "- Stellen-ID `j1`" in shown
    for english in ("score", "Has:", "Missing", "job id", "none"):
        assert english not in shown, english
