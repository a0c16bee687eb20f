"""Notifications over HTTP: the chat lists yours, claims one before showing it, and gives
it back when it could not be shown."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES
from api.notifications.schemas import ClaimOut, NotificationOut
from api.notifications.service import PENDING_LIMIT, notification_service

router = APIRouter(
    prefix="/api/v1/notifications", tags=["notifications"], responses=ERROR_RESPONSES
)

NotificationId = Annotated[str, Path(min_length=1, max_length=32)]


@router.get("", response_model=list[NotificationOut])
async def pending(
    session: SessionDep,
    identity: CurrentIdentity,
    limit: Annotated[int, Query(ge=1, le=100)] = PENDING_LIMIT,
) -> list[NotificationOut]:
    """Your notifications that no chat has shown yet, oldest first."""
    return await notification_service.pending(session, identity, limit)


@router.post("/{notification_id}/claim", response_model=ClaimOut)
async def claim(
    notification_id: NotificationId, session: SessionDep, identity: CurrentIdentity
) -> ClaimOut:
    """Take one of your notifications to show it; 409 when it was shown already."""
    return await notification_service.claim(session, identity, notification_id)


@router.post("/{notification_id}/release", status_code=status.HTTP_204_NO_CONTENT)
async def release(
    notification_id: NotificationId, session: SessionDep, identity: CurrentIdentity
) -> None:
    """Give back a notification you claimed but could not show: it is listed again."""
    await notification_service.release(session, identity, notification_id)
