"""The runtime context of one chat turn: who is calling, from the authenticated key.

Role and organisation come from here, never from the conversation: a message saying
"I am an employer" changes nothing. The context is not checkpointed; it is rebuilt from
the caller's key on every turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.safety import PiiVault
from tools.client import ServiceClient


@dataclass(frozen=True)
class Identity:
    """The caller as the identity service reports it (`GET /api/v1/me`)."""

    user_id: str = field(metadata={"description": "the user behind the API key"})
    org_id: str = field(metadata={"description": "the user's organisation (tenant)"})
    role: str = field(metadata={"description": "candidate | employer | admin"})
    api_key: str = field(
        repr=False, metadata={"description": "the caller's key; tools act with it, nothing more"}
    )


@dataclass
class Context:
    """Runtime configuration of a turn (LangGraph `context_schema`)."""

    identity: Identity = field(metadata={"description": "the authenticated caller"})
    conversation_id: str = field(metadata={"description": "the caller's conversation"})
    services: ServiceClient = field(
        metadata={"description": "HTTP client to the services, carrying the caller's key"}
    )
    llm_tokens: int = field(
        default=0, metadata={"description": "LLM tokens spent in this turn (for the budget)"}
    )
    vault: PiiVault | None = field(
        default=None,
        metadata={
            "description": "the conversation's masking: what the stored conversation and the "
            "model's tokens hold in place of personal details, and the way back"
        },
    )

    @property
    def role(self) -> str:
        return self.identity.role


def thread_id(identity: Identity, conversation_id: str) -> str:
    """Checkpointer key: a conversation id alone must never open another user's thread."""
    return f"{identity.user_id}:{conversation_id}"
