"""MCP fixtures: one real `clearview serve` per module (every service, the workers,
`/mcp`) with two organisations, and sessions over the parametrised transport."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.mcp_clients import Connect, World, connector, make_world
from tests.helpers.server import clearview_serve

START_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[World]:
    work_dir = tmp_path_factory.mktemp("mcp")
    settings = {"CLEARVIEW_MODEL_CACHE_DIR": str(model_cache_dir)}
    with clearview_serve(
        work_dir, "--no-demo", settings=settings, timeout=START_TIMEOUT_S
    ) as server:
        yield make_world(server.base_url, server.data_dir, work_dir)


# Each stdio session starts a `clearview mcp` process (seconds of imports): slow.
@pytest.fixture(params=["http", pytest.param("stdio", marks=pytest.mark.slow)])
def connect(request: pytest.FixtureRequest, world: World) -> Connect:
    """An initialised MCP session for an API key over the parametrised transport:
    `async with connect(key) as session: ...`."""
    return connector(str(request.param), world)
