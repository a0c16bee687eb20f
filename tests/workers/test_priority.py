"""CPU-heavy workers in their own process run at a lower scheduling priority than the
latency-sensitive ones, so a machine busy matching still answers and notifies promptly."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from tests.helpers.worker_proc import WorkerProcess


def _niceness(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rfind(")") + 2 :].split()[16])  # field 19: nice


async def test_cpu_heavy_workers_yield_the_cpu_and_notify_does_not(
    tmp_path: Path, bus_url: str
) -> None:
    base = os.nice(0)
    workers = {
        name: WorkerProcess(name, tmp_path, {"CLEARVIEW_CPU_WORKER_NICE": "7"})
        for name in ("match", "notify")
    }
    try:
        match_pid = workers["match"].process.pid
        for _ in range(300):  # start-up imports first: allow a loaded machine 30 s
            if _niceness(match_pid) != base:
                break
            await asyncio.sleep(0.1)
        for worker in workers.values():
            assert worker.process.poll() is None, worker.log_tail()
        assert _niceness(match_pid) == min(19, base + 7)
        assert _niceness(workers["notify"].process.pid) == base
    finally:
        for worker in workers.values():
            worker.stop()
