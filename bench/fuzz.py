"""Fuzz the document readers and the bulk import through the public API for a while
(default ten minutes): `python -m bench.fuzz [--minutes 10]`.

The same hostile inputs and checks as `tests/api/test_fuzz.py` (tests/helpers/fuzz.py),
many more of them, on a SQLite database of its own: every answer is below 500, a refused
input stores nothing, and no request takes more than 2 s of CPU (a hang). Prints counts
by status and the slowest inputs; exits 1 on the first failure, with the input.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

import httpx
from hypothesis.errors import NonInteractiveExampleWarning

CPU_LIMIT_S = 2.0


async def _run(minutes: float) -> int:
    from api.identity.service import create_api_key
    from clearview.app import build_app
    from core.db import session_scope
    from core.engine import get_engine
    from tests.helpers.fuzz import (
        SEEDS,
        check_import,
        check_upload,
        describe,
        documents,
        job_bodies,
    )

    engine = get_engine()
    async with session_scope() as session:
        candidate = await create_api_key(session, "fuzz", "candidate")
        admin = await create_api_key(session, "fuzz", "admin")
    # A server error comes back as a 500 to report with its input, not as an exception.
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=False)
    statuses: Counter[str] = Counter()
    slowest: list[tuple[float, str]] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://fuzz") as client:
        # The first document of each kind loads its reader, the lexicon and the embedding
        # model (seconds of CPU once per process): not an input that hangs, so not timed.
        for name, data in SEEDS.items():
            await check_upload(client, engine, {"Authorization": f"Bearer {candidate}"}, name, data)
        deadline = time.monotonic() + minutes * 60
        while time.monotonic() < deadline:
            for kind in ("upload", "import"):
                value = documents.example() if kind == "upload" else job_bodies.example()
                cpu = time.process_time()
                try:
                    if kind == "upload":
                        name, data = value  # type: ignore[misc]
                        status = await check_upload(
                            client, engine, {"Authorization": f"Bearer {candidate}"}, name, data
                        )
                    else:
                        status = await check_import(
                            client,
                            engine,
                            {"Authorization": f"Bearer {admin}"},
                            value,  # type: ignore[arg-type]
                        )
                except AssertionError as exc:
                    print(f"FAIL {kind}: {exc}\ninput: {describe(value)}")
                    return 1
                spent = time.process_time() - cpu
                statuses[f"{kind} {status}"] += 1
                slowest = sorted([*slowest, (spent, f"{kind} {describe(value)[:80]}")])[-5:]
                if spent > CPU_LIMIT_S:
                    print(f"FAIL {kind}: {spent:.1f} s of CPU\ninput: {describe(value)}")
                    return 1
    for key, count in sorted(statuses.items()):
        print(f"{key}: {count}")
    for spent, what in reversed(slowest):
        print(f"slowest {spent:.2f} s CPU: {what}")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    warnings.simplefilter("ignore", NonInteractiveExampleWarning)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CLEARVIEW_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.setdefault("CLEARVIEW_MODE", "test")
        from core import migrate
        from core.settings import get_settings

        migrate.upgrade(get_settings().effective_database_url)  # runs its own event loop
        sys.exit(asyncio.run(_run(args.minutes)))


if __name__ == "__main__":
    main()
