"""Contact requests over HTTP: employers ask, candidates answer (the chat's tools call these)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api.contacts.schemas import ContactAnswerIn, ContactRequestIn, ContactRequestOut, StatusFilter
from api.contacts.service import contact_service
from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES

router = APIRouter(
    prefix="/api/v1/contact-requests", tags=["contact requests"], responses=ERROR_RESPONSES
)

RequestId = Annotated[str, Path(min_length=1, max_length=32)]


@router.post("", response_model=ContactRequestOut, status_code=status.HTTP_201_CREATED)
async def ask(
    body: ContactRequestIn, session: SessionDep, identity: CurrentIdentity, response: Response
) -> ContactRequestOut:
    """Ask a candidate (employer or admin key) whether your organisation may contact them
    about one of your jobs. They are asked in their chat; until they accept, shortlists
    stay blind. Asking again answers the existing request with 200."""
    request, created = await contact_service.ask(session, identity, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return request


@router.get("", response_model=list[ContactRequestOut])
async def list_requests(
    session: SessionDep,
    identity: CurrentIdentity,
    status: Annotated[StatusFilter | None, Query(description="only requests in this state")] = None,
) -> list[ContactRequestOut]:
    """Your requests (candidate key) or your organisation's (employer or admin), newest
    first, at most 100."""
    return await contact_service.list(session, identity, status)


@router.post("/{request_id}/answer", response_model=ContactRequestOut)
async def answer(
    request_id: RequestId, body: ContactAnswerIn, session: SessionDep, identity: CurrentIdentity
) -> ContactRequestOut:
    """Answer a request made to you (candidate key): accept to let that organisation see
    the e-mail address on your resume, decline to stay blind. You can change your answer."""
    return await contact_service.answer(session, identity, request_id, body)
