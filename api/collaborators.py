"""The services built with collaborators from above `api` (the agent's chat history, the
inbound chat hand-off): the composition root makes them and `create_app` keeps them on the
app, where endpoints take them as a dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from api.flows.erasure import ErasureService
from api.gateway.inbound import InboundService


@dataclass(frozen=True, slots=True)
class Collaborators:
    erasure: ErasureService
    inbound: InboundService


def get_collaborators(request: Request) -> Collaborators:
    collaborators: Collaborators = request.app.state.collaborators
    return collaborators


CollaboratorsDep = Annotated[Collaborators, Depends(get_collaborators)]
