"""Which chat model answers: an OpenAI-compatible endpoint when one is configured, else the
offline model. Also the price table used to estimate what each LLM call cost."""

from __future__ import annotations

from typing import Literal

from langchain_core.language_models import BaseChatModel

from agents.offline import OfflineChatModel
from core.settings import Settings

Purpose = Literal["chat", "cheap", "rewrite"]

# USD per million tokens (input, output); unknown models (local servers) cost nothing.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
}


def llm_configured(settings: Settings) -> bool:
    return settings.llm_base_url is not None


def mode(settings: Settings) -> Literal["llm", "offline"]:
    """What the UI shows: answers from a configured LLM, or from the offline model."""
    return "llm" if llm_configured(settings) else "offline"


def model_name(settings: Settings, purpose: Purpose) -> str:
    if purpose == "cheap" and settings.llm_cheap_model:
        return settings.llm_cheap_model
    return settings.llm_model


def chat_model(
    settings: Settings, purpose: Purpose = "chat", role: str = "candidate"
) -> BaseChatModel:
    """A new chat model for one turn (its HTTP client belongs to the running event loop)."""
    if not llm_configured(settings):
        return OfflineChatModel(role=role)
    from langchain_openai import ChatOpenAI

    # Local servers (Ollama, llama.cpp) ignore the key, but the client refuses to start
    # without one.
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return ChatOpenAI(
        base_url=str(settings.llm_base_url),
        model=model_name(settings, purpose),
        api_key=key,
        streaming=True,
        stream_usage=True,
        temperature=0 if purpose != "rewrite" else 0.2,
        timeout=60,
        max_retries=1,
    )


def estimate_cost(model: str, tokens_in: int, tokens_out: int) -> float:
    price_in, price_out = PRICES.get(model, (0.0, 0.0))
    return round((tokens_in * price_in + tokens_out * price_out) / 1_000_000, 8)
