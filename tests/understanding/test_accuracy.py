"""The offline model reads the committed utterance set above a floor: intent, slots, and
never the generic menu for an in-scope request. The held-out third (never tuned on) has
a lower floor; `bench/understanding.py` prints the figures."""

from __future__ import annotations

import pytest

from agents.offline import OfflineChatModel
from bench._utterances import DATA, Score, decider, load, run

REQUESTS = load(DATA / "requests.jsonl")
SAFETY = load(DATA / "safety.jsonl")


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    decide = decider(OfflineChatModel, reads=True)
    return {split: run(decide, REQUESTS, SAFETY, split) for split in ("dev", "heldout")}


def test_the_set_covers_both_roles_and_four_languages() -> None:
    assert len(REQUESTS) >= 300
    assert {r["role"] for r in REQUESTS} == {"candidate", "employer"}
    assert {"en", "de", "fr", "es"} <= {r["lang"] for r in REQUESTS}
    assert sum(r["split"] == "heldout" for r in REQUESTS) >= 100


@pytest.mark.parametrize(
    ("split", "intent", "slot_f1"), [("dev", 0.95, 0.9), ("heldout", 0.85, 0.85)]
)
def test_intent_and_slots_above_the_floor(
    scores: dict[str, Score], split: str, intent: float, slot_f1: float
) -> None:
    score = scores[split]
    assert score.intent_ok / score.lines >= intent, score.errors
    assert score.f1() >= slot_f1


@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_in_scope_requests_never_get_the_menu(scores: dict[str, Score], split: str) -> None:
    assert scores[split].fallback / scores[split].in_scope <= 0.03
