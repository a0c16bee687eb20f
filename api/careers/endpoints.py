"""Career endpoints (served by the jobs service): open to every role, since occupation
knowledge is public and the platform figures are aggregates of published jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.careers.schemas import DemandOut, OccupationOut, SalariesOut
from api.careers.service import career_service
from api.deps import CurrentIdentity, SessionDep
from api.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1/careers", tags=["careers"], responses=ERROR_RESPONSES)


@router.get("/occupation", response_model=OccupationOut)
async def occupation(
    identity: CurrentIdentity, q: Annotated[str, Query(min_length=2, max_length=200)]
) -> OccupationOut:
    """What an occupation involves and needs, from O*NET and ESCO (with their attribution)."""
    return await career_service.occupation(q)


@router.get("/demand", response_model=DemandOut)
async def demand(
    session: SessionDep,
    identity: CurrentIdentity,
    skill: Annotated[list[str] | None, Query(max_length=100)] = None,
) -> DemandOut:
    """How many published jobs ask for each skill (all skills when none is given)."""
    return await career_service.demand(session, skill or [])


@router.get("/salaries", response_model=SalariesOut)
async def salaries(
    session: SessionDep,
    identity: CurrentIdentity,
    title: Annotated[str, Query(min_length=2, max_length=300)],
    currency: Annotated[str | None, Query(max_length=8)] = None,
) -> SalariesOut:
    """Pay advertised by published jobs of the occupation a title names: quartiles, count."""
    return await career_service.salaries(session, title, currency)
