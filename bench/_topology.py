"""Drive `deploy/local.sh` from Python: start, stop and inspect a local topology, and act
on it with the same environment its processes have (used by tests/deploy and bench/scale.py).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL_SH = ROOT / "deploy" / "local.sh"
CLEARVIEW = ROOT / ".venv" / "bin" / "clearview"
# Must follow SERVICE_ORDER in deploy/local.sh: a service's port is base + 1 + its index.
SERVICE_ORDER = ("jobs", "resumes", "metrics", "gateway", "chat", "ui", "reports")


def free_port_block(size: int, first: int = 20_000, last: int = 32_000) -> int:
    """A base port whose `size` consecutive ports are all free on 127.0.0.1 right now.

    Below Linux's ephemeral range (32768-60999): a port in it can be taken as the source
    port of any outgoing connection (a database or Redis client) between this check and
    the service's bind, which then fails with "address already in use"."""
    base = first + (os.getpid() * 37) % (last - first - size)
    for _ in range(200):
        if all(_free(port) for port in range(base, base + size)):
            return base
        base = first + (base - first + size * 7) % (last - first - size)
    raise RuntimeError("no free block of ports")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# How long `local.sh start` may wait for every process to answer (its own default is 120 s).
START_TIMEOUT_S = 600


@dataclass
class LocalTopology:
    run_dir: Path
    database: str
    base_port: int
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    # CLEARVIEW_* settings for every process of the topology (e.g. a higher rate limit).
    settings: Mapping[str, str] = field(default_factory=dict)

    def _local_sh(self, command: str, *args: str) -> str:
        run = subprocess.run(
            [
                str(LOCAL_SH),
                command,
                "--run-dir",
                str(self.run_dir),
                "--db-name",
                self.database,
                "--base-port",
                str(self.base_port),
                *args,
            ],
            env=self._clean_env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=START_TIMEOUT_S + 300,
        )
        if run.returncode != 0 and command != "status":
            raise RuntimeError(
                f"local.sh {command} failed:\n{run.stdout}\n{run.stderr}{_log_tails(run.stderr)}"
            )
        return run.stdout

    def _clean_env(self) -> dict[str, str]:
        # The topology decides its own CLEARVIEW_* settings (a test's tmp data dir or
        # mode must not leak into the processes); only the model cache is shared.
        env = {k: v for k, v in self.env.items() if not k.startswith("CLEARVIEW_")}
        if "CLEARVIEW_MODEL_CACHE_DIR" in self.env:
            env["CLEARVIEW_MODEL_CACHE_DIR"] = self.env["CLEARVIEW_MODEL_CACHE_DIR"]
        # Nineteen Python processes importing at once on two busy cores can take minutes to
        # answer; local.sh stops waiting as soon as all do, so a long limit costs nothing.
        env["CLEARVIEW_LOCAL_START_TIMEOUT_S"] = self.env.get(
            "CLEARVIEW_LOCAL_START_TIMEOUT_S", str(START_TIMEOUT_S)
        )
        return {**env, **self.settings}

    def start(self, *args: str) -> str:
        return self._local_sh("start", *args)

    def stop(self) -> str:
        return self._local_sh("stop")

    def status(self) -> str:
        return self._local_sh("status")

    def restart(self, *names: str) -> str:
        """Stop (if running) and start again the named processes (`redis`, `chroma`, a
        service, `worker-KIND-N`) with the same command, port and data."""
        return self._local_sh("restart", *names)

    def pid(self, name: str) -> int:
        return int((self.run_dir / "pids" / f"{name}.pid").read_text())

    def redis_url(self) -> str:
        return self.settings_env()["CLEARVIEW_REDIS_URL"]

    def settings_env(self) -> dict[str, str]:
        """The environment every process of the topology runs with (topology.env)."""
        env = self._clean_env()
        for line in (self.run_dir / "topology.env").read_text().splitlines():
            name, _, value = line.partition("=")
            if name:
                env[name] = value.strip('"')
        return env

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.base_port + 1 + SERVICE_ORDER.index(service)}"

    def api_key(self, org: str, role: str) -> str:
        """A new key from `clearview apikey create`, run against the topology's database."""
        run = subprocess.run(
            [str(CLEARVIEW), "apikey", "create", "--org", org, "--role", role],
            env=self.settings_env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return run.stdout.strip().splitlines()[-1]

    def pids(self) -> list[int]:
        return [int(p.read_text()) for p in (self.run_dir / "pids").glob("*.pid")]

    def launch_worker(self, name: str, log: Path) -> subprocess.Popen[bytes]:
        """One more `clearview worker NAME` process on the topology (the caller stops it)."""
        with log.open("ab") as out:
            return subprocess.Popen(
                [str(CLEARVIEW), "worker", name],
                env=self.settings_env(),
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )


def _log_tails(message: str, lines: int = 30) -> str:
    """The last lines of each log a local.sh error points at ("see <dir>/logs/x.log"): the
    run dir may be gone by the time someone reads the failure."""
    tails = []
    for name in re.findall(r"see (\S+\.log)", message):
        try:
            tail = Path(name).read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            continue
        tails.append(f"\n--- {name}\n" + "\n".join(tail))
    return "".join(tails)


def topology_processes(run_dir: Path, pids: list[int]) -> list[int]:
    """Processes still alive that belong to the topology: one of `pids`, or any process
    whose environment or command line names the run dir (children included)."""
    marker = str(run_dir).encode()
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            if (entry / "stat").read_text().split(") ", 1)[1].startswith("Z"):
                continue  # exited, waiting to be reaped by its parent
            ours = pid in pids or marker in (entry / "cmdline").read_bytes()
            ours = ours or marker in (entry / "environ").read_bytes()
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
        if ours and pid != os.getpid():
            alive.append(pid)
    return alive
