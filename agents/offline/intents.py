"""Which tool a message asks for: the specification's rules first, then embedding
similarity to its example phrasings (`ingest.embeddings`)."""

from __future__ import annotations

import re
from functools import lru_cache

from agents.offline.spec import SPECS

_COMPILED = {s.name: [re.compile(p, re.I | re.S) for p in s.patterns] for s in SPECS}
# Below this cosine similarity the message is not about any tool (greetings, thanks...).
EMBEDDING_THRESHOLD = 0.55


class _Examples:
    """Example phrasings embedded once per process, for the similarity fallback."""

    def __init__(self) -> None:
        # Lazy: loading the ONNX model costs a second; rule-only use never needs it.
        from ingest.embeddings import get_embedder

        self.embedder = get_embedder()
        self.tools = [s.name for s in SPECS for _ in s.examples]
        self.vectors = self.embedder.embed([e for s in SPECS for e in s.examples])

    def best(self, text: str, allowed: set[str]) -> tuple[str | None, float]:
        query = self.embedder.embed([text])[0]
        sims = self.vectors @ query
        best_tool, best_sim = None, -1.0
        for tool, sim in zip(self.tools, sims, strict=True):
            if tool in allowed and float(sim) > best_sim:
                best_tool, best_sim = tool, float(sim)
        return best_tool, best_sim


@lru_cache(maxsize=1)
def examples() -> _Examples:
    return _Examples()


def pick_tool(text: str, allowed: set[str], *, use_embeddings: bool = True) -> str | None:
    """The tool a message asks for among `allowed`, or None (then the model answers)."""
    head = text[:300]  # a pasted document must not trigger intents with its own words
    for spec in SPECS:
        if spec.name in allowed and any(p.search(head) for p in _COMPILED[spec.name]):
            return spec.name
    if not use_embeddings or len(text.split()) < 2:
        return None
    tool, similarity = examples().best(text, allowed)
    return tool if similarity >= EMBEDDING_THRESHOLD else None
