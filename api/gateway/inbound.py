"""Inbound webhooks: partner systems create jobs, submit resumes and chat with us.

Authenticated by a Standard Webhooks signature, not an API key: the request names its
organisation (`?org=`), and one of that organisation's active subscriptions' inbound
secrets must verify it (the secret that verifies names the subscription). Inbound secrets
are not the secrets we sign deliveries with: a receiver that leaks what we send it cannot
act as the partner. Order matters: headers, timestamp and signature are checked before the body is even
parsed, and the webhook id is recorded before any effect, in the same transaction, so a
partner's retry (or ten concurrent copies) acts once and gets the first answer back.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from api.gateway.chat import ChatHandoff, InboundChat
from api.gateway.repository import GatewayRepository
from api.gateway.schemas import (
    ChatMessage,
    InboundEnvelope,
    InboundResult,
    JobUpsert,
    ResumeSubmit,
)
from api.gateway.service import live_secrets
from api.gateway.signing import SignatureError, check_timestamp, matching_secret
from api.identity.schemas import Identity
from api.identity.service import identity_service
from api.jobs.schemas import JobImport
from api.jobs.service import job_service
from api.resumes.service import resume_service
from core.errors import BadRequest, Unauthorized, Unprocessable
from core.models import Role, User, utcnow
from core.secrets_at_rest import configured_box

REQUIRED_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
MAX_WEBHOOK_ID = 150  # stored as "<org id>:<webhook id>" in a 200-character key
# Partner-side candidates become users of the organisation under this username prefix.
CANDIDATE_PREFIX = "partner:"
_BAD_SIGNATURE = "webhook-signature does not verify with any inbound secret of your organisation"


@dataclass(frozen=True, slots=True)
class Sender:
    org_id: str
    subscription_id: str


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    body: InboundResult


def _validated(model: type[BaseModel], data: Any, what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or what}: {err['msg']}" for err in exc.errors()
        )
        raise Unprocessable(f"invalid {what}: {problems}") from None


class InboundService:
    def __init__(self, chat_handoff: ChatHandoff) -> None:
        # Where inbound chat messages go (the composition root passes `queue_chat_turn`).
        self.chat_handoff = chat_handoff

    async def authenticate(
        self, session: AsyncSession, headers: Mapping[str, str], body: bytes, org_ref: str | None
    ) -> tuple[str, Sender]:
        """The verified webhook id and sender; raises 400/401 before the body is read."""
        missing = [name for name in REQUIRED_HEADERS if not headers.get(name)]
        if missing:
            raise BadRequest(f"missing header(s): {', '.join(missing)}")
        msg_id = headers["webhook-id"]
        if len(msg_id) > MAX_WEBHOOK_ID or not msg_id.isprintable():
            raise BadRequest(f"webhook-id must be at most {MAX_WEBHOOK_ID} printable characters")
        try:
            timestamp = check_timestamp(headers["webhook-timestamp"], time.time())
        except SignatureError as exc:
            raise Unauthorized(str(exc)) from None
        if not org_ref:
            # Without it every organisation's secrets would have to be tried, each an HMAC
            # over the whole body: a cheap way to keep a server busy.
            raise BadRequest(
                "add ?org=<your organisation's id or slug> to the URL: inbound webhooks "
                "are verified against that organisation's secrets only"
            )
        repo = GatewayRepository(session)
        org = await repo.organisation(org_ref)
        if org is None:
            raise Unauthorized(_BAD_SIGNATURE)  # no hint whether the organisation exists
        now = utcnow()
        box = configured_box()
        owners: dict[str, Sender] = {}
        for owner_org, subscription_id, stored in await repo.inbound_secrets(org.id):
            for secret in live_secrets(box.open_all(stored), now):
                owners[secret] = Sender(owner_org, subscription_id)
        # Secrets are 256-bit random values: at most one can verify, so the first match is
        # the sender. The HMACs run over the whole body: in a thread, not on the loop.
        matched = await asyncio.to_thread(
            matching_secret, headers["webhook-signature"], list(owners), msg_id, timestamp, body
        )
        if matched is None:
            raise Unauthorized(_BAD_SIGNATURE)
        return msg_id, owners[matched]

    async def receive(
        self, session: AsyncSession, headers: Mapping[str, str], body: bytes, org_ref: str | None
    ) -> Answer:
        msg_id, sender = await self.authenticate(session, headers, body, org_ref)
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise BadRequest("the body is not JSON") from None
        envelope: InboundEnvelope = _validated(InboundEnvelope, document, "webhook payload")
        # Validate the data before recording the id: a malformed message leaves no trace
        # and can be corrected and re-sent under the same id.
        data = _validated(_DATA_MODELS[envelope.type], envelope.data, f"{envelope.type} data")

        repo = GatewayRepository(session)
        key = f"{sender.org_id}:{msg_id}"
        if not await repo.claim_inbound(key, sender.org_id):
            stored = await repo.inbound(key)
            result = (stored.result if stored else None) or {}
            return Answer(
                int(result.get("status_code", 200)),
                InboundResult(
                    webhook_id=msg_id,
                    type=envelope.type,
                    duplicate=True,
                    result=result.get("body", {}),
                ),
            )
        status_code, outcome = await self._act(session, sender, msg_id, envelope.type, data)
        await repo.set_inbound_result(key, {"status_code": status_code, "body": outcome})
        return Answer(
            status_code,
            InboundResult(webhook_id=msg_id, type=envelope.type, duplicate=False, result=outcome),
        )

    async def _act(
        self, session: AsyncSession, sender: Sender, msg_id: str, kind: str, data: Any
    ) -> tuple[int, dict[str, Any]]:
        if isinstance(data, JobUpsert):
            return 200, await self._upsert_job(session, sender, data)
        if isinstance(data, ResumeSubmit):
            return 201, await self._submit_resume(session, sender, data)
        assert isinstance(data, ChatMessage), kind
        await self.chat_handoff(
            session,
            InboundChat(
                sender.org_id, sender.subscription_id, data.conversation_id, data.message, msg_id
            ),
        )
        return 202, {"conversation_id": data.conversation_id, "status": "accepted"}

    async def _upsert_job(
        self, session: AsyncSession, sender: Sender, data: JobUpsert
    ) -> dict[str, Any]:
        # The subscription acts as an employer of its organisation (it is the audit actor).
        identity = Identity(
            key_id=f"webhook:{sender.subscription_id}",
            user_id=sender.subscription_id,
            org_id=sender.org_id,
            role=Role.employer,
        )
        item = data.model_dump()
        result = await job_service.bulk_upsert(
            session, identity, JobImport.model_validate({"jobs": [item]})
        )
        action = "created" if result.created else "updated" if result.updated else "unchanged"
        return {
            "job_id": result.ids[data.external_id],
            "external_id": data.external_id,
            "action": action,
        }

    async def _submit_resume(
        self, session: AsyncSession, sender: Sender, data: ResumeSubmit
    ) -> dict[str, Any]:
        try:
            content = base64.b64decode(data.content_base64, validate=True)
        except binascii.Error:
            raise Unprocessable("content_base64 is not valid base64") from None
        user = await self._candidate(session, sender.org_id, data)
        identity = Identity(
            key_id=f"webhook:{sender.subscription_id}",
            user_id=user.id,
            org_id=sender.org_id,
            role=Role.candidate,
        )
        upload = await resume_service.upload(session, identity, content, data.filename)
        return {
            "candidate_ref": data.candidate_ref,
            "resume_id": upload.resume.id,
            "version_id": upload.version.id,
        }

    @staticmethod
    async def _candidate(session: AsyncSession, org_id: str, data: ResumeSubmit) -> User:
        """The organisation's user for a partner-side candidate ref, created on first use."""
        return await identity_service.get_or_create_user(
            session,
            org_id,
            CANDIDATE_PREFIX + data.candidate_ref,
            Role.candidate,
            display_name=data.display_name,
        )


_DATA_MODELS: dict[str, type[BaseModel]] = {
    "job.upsert": JobUpsert,
    "resume.submit": ResumeSubmit,
    "chat.message": ChatMessage,
}
