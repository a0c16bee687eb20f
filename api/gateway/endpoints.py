"""Webhook API HTTP endpoints: subscriptions, delivery log and replay, inbound events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse

from api.collaborators import CollaboratorsDep
from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES
from api.gateway.schemas import (
    EVENT_TYPES,
    AttemptOut,
    DeliveryOut,
    EventTypeOut,
    InboundEnvelope,
    InboundResult,
    SubscriptionCreate,
    SubscriptionOut,
    SubscriptionWithSecret,
)
from api.gateway.service import DeliveryView, subscription_service
from api.pagination import Limit, Offset, Page
from core.errors import PayloadTooLarge
from core.models import WebhookSubscription
from core.settings import get_settings

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], responses=ERROR_RESPONSES)


def _with_secrets(
    subscription: WebhookSubscription, *, signing: str | None, inbound: str | None
) -> SubscriptionWithSecret:
    return SubscriptionWithSecret(
        **SubscriptionOut.model_validate(subscription).model_dump(),
        secret=signing,
        inbound_secret=inbound,
    )


def _delivery(view: DeliveryView) -> DeliveryOut:
    out = DeliveryOut.model_validate(view.delivery)
    out.history = [AttemptOut.model_validate(item) for item in view.history]
    return out


@router.get("/events", response_model=list[EventTypeOut])
async def list_event_types(_identity: CurrentIdentity) -> list[EventTypeOut]:
    """Event types a subscription can ask for."""
    # Static, but behind a key like every route: only health, metrics, the docs and the chat
    # sign-in are open.
    return [EventTypeOut(type=name, description=text) for name, text in EVENT_TYPES.items()]


@router.post(
    "/subscriptions", response_model=SubscriptionWithSecret, status_code=status.HTTP_201_CREATED
)
async def create_subscription(
    body: SubscriptionCreate, session: SessionDep, identity: CurrentIdentity
) -> SubscriptionWithSecret:
    """Subscribe a public URL to events; its two secrets are shown only now."""
    subscription, secrets = await subscription_service.create(session, identity, body)
    return _with_secrets(subscription, signing=secrets.signing, inbound=secrets.inbound)


@router.get("/subscriptions", response_model=Page[SubscriptionOut])
async def list_subscriptions(
    session: SessionDep, identity: CurrentIdentity, limit: Limit = 20, offset: Offset = 0
) -> Page[SubscriptionOut]:
    """Your organisation's subscriptions, newest first."""
    rows, total = await subscription_service.list(session, identity, limit, offset)
    return Page[SubscriptionOut](
        items=[SubscriptionOut.model_validate(row) for row in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
async def get_subscription(
    subscription_id: str, session: SessionDep, identity: CurrentIdentity
) -> SubscriptionOut:
    """One subscription (without its secret)."""
    return SubscriptionOut.model_validate(
        await subscription_service.get(session, identity, subscription_id)
    )


@router.delete("/subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_subscription(
    subscription_id: str, session: SessionDep, identity: CurrentIdentity
) -> None:
    """Stop deliveries and forget the delivery log; the secrets stop verifying."""
    await subscription_service.delete(session, identity, subscription_id)


@router.post("/subscriptions/{subscription_id}/rotate", response_model=SubscriptionWithSecret)
async def rotate_secret(
    subscription_id: str, session: SessionDep, identity: CurrentIdentity
) -> SubscriptionWithSecret:
    """A new signing secret; the old one keeps signing beside it for the grace period (24 h)."""
    subscription, secret = await subscription_service.rotate(session, identity, subscription_id)
    return _with_secrets(subscription, signing=secret, inbound=None)


@router.post(
    "/subscriptions/{subscription_id}/rotate-inbound", response_model=SubscriptionWithSecret
)
async def rotate_inbound_secret(
    subscription_id: str, session: SessionDep, identity: CurrentIdentity
) -> SubscriptionWithSecret:
    """A new inbound secret; the old one keeps verifying beside it for the grace period (24 h)."""
    subscription, secret = await subscription_service.rotate_inbound(
        session, identity, subscription_id
    )
    return _with_secrets(subscription, signing=None, inbound=secret)


@router.get("/subscriptions/{subscription_id}/deliveries", response_model=Page[DeliveryOut])
async def list_deliveries(
    subscription_id: str,
    session: SessionDep,
    identity: CurrentIdentity,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[DeliveryOut]:
    """The delivery log, newest first, each with its attempts."""
    views, total = await subscription_service.deliveries(
        session, identity, subscription_id, limit, offset
    )
    return Page[DeliveryOut](
        items=[_delivery(view) for view in views], total=total, limit=limit, offset=offset
    )


@router.post(
    "/subscriptions/{subscription_id}/deliveries/{delivery_id}/replay",
    response_model=DeliveryOut,
    status_code=status.HTTP_202_ACCEPTED,
)
async def replay_delivery(
    subscription_id: str, delivery_id: str, session: SessionDep, identity: CurrentIdentity
) -> DeliveryOut:
    """Send a delivery again, with the same webhook-id."""
    return _delivery(
        await subscription_service.replay(session, identity, subscription_id, delivery_id)
    )


@router.post(
    "/inbound",
    response_model=InboundResult,
    responses={200: {"model": InboundResult}, 201: {"model": InboundResult}},
    status_code=status.HTTP_202_ACCEPTED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": InboundEnvelope.model_json_schema()}},
        }
    },
)
async def receive_inbound(
    request: Request,
    session: SessionDep,
    collaborators: CollaboratorsDep,
    org: Annotated[
        str | None,
        Query(max_length=64, description="your organisation's id or slug (required)"),
    ] = None,
) -> JSONResponse:
    """Receive an event from a partner system, signed per Standard Webhooks (no API key).

    `job.upsert` answers 200, `resume.submit` 201, `chat.message` 202 (the reply arrives
    as a `chat.reply` webhook). A repeated webhook-id answers the first result again.
    """
    answer = await collaborators.inbound.receive(
        session, request.headers, await _capped_body(request), org
    )
    return JSONResponse(answer.body.model_dump(mode="json"), status_code=answer.status_code)


async def _capped_body(request: Request) -> bytes:
    """The body, refused (413) past `inbound_max_bytes` as it streams in: it is hashed
    once per secret of the organisation before anything else happens."""
    limit = get_settings().inbound_max_bytes
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                f"inbound webhook body larger than {limit} bytes; send a smaller resume file"
            )
        chunks.append(chunk)
    return b"".join(chunks)
