"""Job alert settings over HTTP (a candidate key; the chat's alert tool calls these)."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.alerts.schemas import AlertSettingsIn, AlertSettingsOut
from api.alerts.service import alert_service
from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES, ErrorBody

router = APIRouter(
    prefix="/api/v1/alerts",
    tags=["alerts"],
    responses={**ERROR_RESPONSES, 403: {"model": ErrorBody, "description": "not a candidate key"}},
)


@router.get("", response_model=AlertSettingsOut)
async def get_alerts(session: SessionDep, identity: CurrentIdentity) -> AlertSettingsOut:
    """Your job alert settings (alerts off, with the defaults, until you set them)."""
    return await alert_service.get(session, identity)


@router.put("", response_model=AlertSettingsOut)
async def put_alerts(
    body: AlertSettingsIn, session: SessionDep, identity: CurrentIdentity
) -> AlertSettingsOut:
    """Turn job alerts on (or off) with a minimum score, a place filter and a daily cap."""
    return await alert_service.put(session, identity, body)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_alerts(session: SessionDep, identity: CurrentIdentity) -> None:
    """Stop job alerts and forget the settings; takes effect at once."""
    await alert_service.delete(session, identity)
