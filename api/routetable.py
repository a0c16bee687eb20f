"""An index over the app's flat route table, so a request is matched against the few
routes that could serve its path rather than against every route in turn.

Starlette tries an app's routes one by one, in order, until one matches both path and
method. With some seventy routes, a request for one near the end of the table paid for
matching every route before it (FastAPI adds its own checks to each): on a two-core
machine, 100-200 µs per request, a tenth of a simple read.

The index groups the routes by the leading segments of their paths (up to `DEPTH`, all
literal, e.g. `("api", "v1", "jobs")`). A request is dispatched by a router over the
routes of its path's group, plus every route that could match any path (one with a
parameter among its leading segments, a mount), in the table's order. Routes left out
cannot match the path, so the first route of the group that matches is the first of the
whole table, and a route matching the path but not the method answers 405 exactly as
before. A request no route of its group matches (a 404, a slash redirect, a route added
as a fallback) goes to the app's router, which tries the whole table as it always did;
so does anything but an HTTP request (the lifespan, websockets).
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

# Enough to tell the features apart (`/api/v1/<feature>`).
DEPTH = 3


def leading(path: str) -> tuple[str, ...]:
    """The first `DEPTH` segments of a path: `/api/v1/jobs/42` -> ("api", "v1", "jobs")."""
    return tuple(path.split("/", DEPTH + 1)[1 : DEPTH + 1])


def _group(route: BaseRoute) -> tuple[str, ...] | None:
    """The leading segments every path `route` matches starts with; None when it may
    match paths of any group."""
    if not isinstance(route, Route):
        return None
    segments = leading(route.path)
    return None if any("{" in segment for segment in segments) else segments


def _route_path(scope: Scope) -> str:
    # As Starlette's routes see it: the path below the app's mount point, if any.
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class RouteIndex:
    """The dispatch of `router` (an app's), through the index; built at the first
    request, and again whenever routes were added since."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self.table: ASGIApp = router.middleware_stack  # every route in turn
        self._groups: dict[tuple[str, ...], APIRouter] = {}
        self._anywhere = self._dispatch([])
        self._indexed: list[BaseRoute] = []

    def _dispatch(self, routes: Sequence[BaseRoute]) -> APIRouter:
        return APIRouter(
            routes=list(routes),
            redirect_slashes=False,  # left to the whole table, like every other miss
            default=self.table,
            form_limits=self.router.form_limits,
        )

    def _build(self) -> None:
        routes = list(self.router.routes)
        groups = {_group(route) for route in routes} - {None}
        self._groups = {
            group: self._dispatch([r for r in routes if _group(r) in (group, None)])
            for group in groups
            if group is not None
        }
        self._anywhere = self._dispatch([r for r in routes if _group(r) is None])
        self._indexed = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.table(scope, receive, send)
            return
        if len(self._indexed) != len(self.router.routes):
            self._build()
        scope.setdefault("router", self.router)  # for `url_for`: the whole table
        group = self._groups.get(leading(_route_path(scope)), self._anywhere)
        await group(scope, receive, send)


def index_routes(app: FastAPI) -> None:
    """Dispatch `app`'s requests through a `RouteIndex` of its routes."""
    app.router.middleware_stack = RouteIndex(app.router)
