"""A throw-away topology for each test (own run dir, ports, database and, with
`--own-redis`, Redis), stopped and dropped at the end.

Every test here starts many processes and loads the machine: they all run in one xdist
group (`DEPLOY_GROUP`), one after another, never beside each other.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import psycopg
import pytest

from bench._topology import LocalTopology, free_port_block
from tests.helpers.topology import ADMIN_DSN, TopologyFactory


@pytest.fixture
def topology_factory(tmp_path: Path, model_cache_dir: Path) -> Iterator[TopologyFactory]:
    """Makes topologies (not started); stops each and drops its database at the end."""
    made: list[LocalTopology] = []

    def make(settings: Mapping[str, str]) -> LocalTopology:
        topo = LocalTopology(
            run_dir=tmp_path / f"topology-{len(made)}",
            database=f"cv_topo_{uuid.uuid4().hex[:10]}",
            base_port=free_port_block(8),
            env={**os.environ, "CLEARVIEW_MODEL_CACHE_DIR": str(model_cache_dir)},
            settings=settings,
        )
        made.append(topo)
        return topo

    try:
        yield make
    finally:
        for topo in made:
            if (topo.run_dir / "pids").is_dir():
                topo.stop()
            with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{topo.database}" with (force)')
