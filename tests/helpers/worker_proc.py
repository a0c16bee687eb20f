"""Workers as real processes (`clearview worker NAME`), for tests that kill them.

The child inherits this test's configuration (database, Redis, data dir with its Chroma,
model cache) from the environment the fixtures set, plus any `overrides`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

CLEARVIEW = Path(sys.executable).with_name("clearview")


class WorkerProcess:
    def __init__(self, name: str, log_dir: Path, overrides: dict[str, str] | None = None) -> None:
        self.name = name
        env = {**os.environ, **(overrides or {})}
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name}-{len(list(log_dir.iterdir()))}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(CLEARVIEW), "worker", name],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL: no handler finishes, nothing is acknowledged, pending entries stay."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM and wait: the handler in flight finishes first."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self._log.close()
        return code

    def log_tail(self, chars: int = 2000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]
