"""Reading an uploaded document in a process of its own, within limits the kernel enforces.

What a document costs to read is not known from its size: 11 kB of compressed PDF can
hold a page that takes 8 s of CPU to lay out. `load_document` refuses what it can count
(pages, inflated content, the DOCX body); the rest is bounded here. Each document is read
in a fresh process with RLIMIT_CPU and RLIMIT_AS set before it starts reading, so one
upload can never hold a core or the machine's memory: the kernel stops it, and the
uploader gets 422 naming the limit, while the service goes on.

The processes come from a reader server of each service process: started once with
`python -c` (so there is no main module to re-run in a child, as multiprocessing's
forkserver does on 3.11), single-threaded (so forking it is safe, unlike forking a
service with its threads), with the readers imported (so a document costs two forks,
milliseconds, not an interpreter start). Per document, the server forks a supervisor
that forks the reader, bounds its wall-clock time and reports how it ended.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import multiprocessing
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Client, Connection
from typing import Any, TypeVar

from core.errors import ClearViewError, Unavailable, Unprocessable
from core.settings import get_settings
from ingest.loaders import LoadedDocument, load_document

log = logging.getLogger(__name__)

T = TypeVar("T")

# Used only inside the reader server, which runs one thread.
_FORK = multiprocessing.get_context("fork")
# The reader answers, or uses up its CPU and is stopped by the kernel; one that does
# neither (blocked, or starved on a very busy machine) is stopped after this many times
# its CPU allowance in wall-clock time: not the document's fault, so 503, not 422.
WALL_FACTOR = 10
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")

# How a read ended, as the supervisor reports it: (outcome, value).
Verdict = tuple[str, Any]


@dataclass(frozen=True, slots=True)
class Limits:
    cpu_s: int  # seconds of CPU time for the whole read
    memory_mb: int  # address space the read may add to the process it starts in
    wall_factor: int = WALL_FACTOR  # wall-clock bound, in multiples of `cpu_s`

    @classmethod
    def from_settings(cls) -> Limits:
        settings = get_settings()
        return cls(cpu_s=settings.parse_cpu_s, memory_mb=settings.parse_memory_mb)


# --- in the reader: limits first, then the work ---------------------------------------------


def _address_space() -> int:
    """This process's current virtual size in bytes (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * _PAGE_BYTES


def _read_within(
    conn: Connection, limits: Limits, work: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    # The soft CPU limit sends SIGXCPU (which ends the process); the hard one, a second
    # later, SIGKILL. The memory limit is on top of what the forked process already maps.
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
    with contextlib.suppress(OSError, ValueError):  # no /proc: no memory limit
        ceiling = _address_space() + limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    try:
        verdict: Verdict = ("ok", work(*args))
    except ClearViewError as exc:  # the reader's own refusal, with its message
        verdict = ("refused", exc)
    except MemoryError:
        verdict = ("memory", None)
    except Exception as exc:  # an extractor failing on a file it cannot handle
        verdict = ("failed", f"{type(exc).__name__}: {exc}"[:300])
    conn.send(verdict)
    conn.close()


# --- in the supervisor: one reader, watched to its end --------------------------------------


def _watch(work: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> Verdict:
    receiver, sender = _FORK.Pipe(duplex=False)
    reader = _FORK.Process(target=_read_within, args=(sender, limits, work, args), daemon=True)
    reader.start()
    sender.close()
    verdict: Verdict | None = None
    # Readable: an answer, or the end of the pipe as the reader dies.
    ended = receiver.poll(limits.cpu_s * limits.wall_factor)
    if ended:
        with contextlib.suppress(EOFError):  # it died before answering
            verdict = receiver.recv()
    receiver.close()
    if not ended:
        reader.kill()
        reader.join()
        return ("stopped", None)
    reader.join()
    if verdict is not None:
        return verdict
    if reader.exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        return ("cpu", None)
    return ("died", reader.exitcode)


def _supervise(conn: Connection) -> None:
    with conn:
        work, args, limits = conn.recv()
        conn.send(_watch(work, args, limits))


# --- the reader server: `python -c "from ingest.sandbox import serve; serve()"` -------------


def _warm_up() -> None:
    """Read a small PDF and DOCX once, here: PDFium's first text extraction in a process
    (its fonts) costs about 500 ms, which every forked reader would pay again; after it,
    a reader forked from this process reads a two-page resume in tens of ms."""
    import io

    import docx
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Experience: Developer, 2019 - 2024")
    document = docx.Document()
    document.add_paragraph("Experience: Developer, 2019 - 2024")
    buffer = io.BytesIO()
    document.save(buffer)
    for data in (bytes(pdf.output()), buffer.getvalue()):
        load_document(data, "warm-up", max_bytes=len(data), max_pages=1)


def serve() -> None:
    """Accept one connection per document and fork a supervisor for it; stop when the
    process that started this one closes our stdin (or dies)."""
    _warm_up()
    folder = tempfile.mkdtemp(prefix="clearview-reader-")
    path = os.path.join(folder, "socket")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    print(path, flush=True)
    # Nobody reads our stdout after the address: nothing else may fill that pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    try:
        while True:
            ready, _, _ = select.select([listener, sys.stdin], [], [], 5.0)
            multiprocessing.active_children()  # reaps the supervisors that are done
            if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1):
                return
            if listener in ready:
                accepted, _ = listener.accept()
                conn = Connection(accepted.detach())
                _FORK.Process(target=_supervise, args=(conn,), daemon=False).start()
                conn.close()
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(path)
            os.rmdir(folder)


# --- in the service: the client ---------------------------------------------------------------


class _ReaderServer:
    """This process's reader server, started on first use (or by `start`), and started
    again if it has died."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._address = ""

    def address(self) -> str:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            return self._address

    def _start(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from ingest.sandbox import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,  # a Ctrl-C to the service is the service's to handle
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().decode().strip()
        if not line:
            raise Unavailable("the document reader did not start; try again in a minute")
        self._address = line

    def stop(self) -> None:
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                assert self._process.stdin is not None
                self._process.stdin.close()
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
            self._process = None


_SERVER = _ReaderServer()
atexit.register(_SERVER.stop)


def _ask(work: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> Verdict:
    for attempt in range(2):  # a server that died since its last document is restarted
        try:
            with Client(_SERVER.address(), family="AF_UNIX") as conn:
                conn.send((work, args, limits))
                verdict: Verdict = conn.recv()
                return verdict
        except (OSError, EOFError):
            if attempt:
                raise Unavailable(
                    "the document reader is not answering; try again in a minute"
                ) from None
    raise AssertionError("unreachable")


def run_limited(work: Callable[..., T], *args: Any, limits: Limits, label: str) -> T:
    """`work(*args)` in a fresh process within `limits` (blocking: call it in a thread).
    Its domain errors are raised here as they were raised there; running out of a limit,
    failing or crashing is a 422 about `label`. `work` must be importable by name."""
    outcome, value = _ask(work, args, limits)
    if outcome == "ok":
        return value
    if outcome == "refused":
        raise value
    if outcome == "cpu":
        raise Unprocessable(
            f"{label} takes more than {limits.cpu_s} s of CPU to read; the limit is "
            f"{limits.cpu_s} s. {_TRY_AGAIN}"
        )
    if outcome == "stopped":
        raise Unavailable(
            f"reading {label} took too long; the service is busy, try again in a minute",
            headers={"Retry-After": "60"},
        )
    if outcome == "failed":
        log.warning("document reader failed: %s", value)
        raise Unprocessable(f"{label} could not be read ({value}); {_TRY_AGAIN}")
    if outcome == "memory":
        raise Unprocessable(
            f"{label} could not be read within the reader's memory limit of "
            f"{limits.memory_mb} MB. {_TRY_AGAIN}"
        )
    # It died: a C library that cannot allocate often aborts rather than report it.
    log.warning("document reader died (exit code %s)", value)
    raise Unprocessable(
        f"{label} could not be read within the reader's limits ({limits.memory_mb} MB of "
        f"memory, {limits.cpu_s} s of CPU). {_TRY_AGAIN}"
    )


_TRY_AGAIN = (
    "Export or print it to PDF again from your word processor (without embedded scans), "
    "or upload the .docx or a plain text copy"
)


def _read(data: bytes, filename: str | None, max_bytes: int, max_pages: int) -> LoadedDocument:
    return load_document(data, filename, max_bytes=max_bytes, max_pages=max_pages)


async def read_document(data: bytes, filename: str | None = None) -> LoadedDocument:
    """`load_document` in a process of its own within the configured CPU and memory
    limits, off the event loop."""
    settings = get_settings()
    label = f'"{filename}"' if filename else "the file"
    return await asyncio.to_thread(
        run_limited,
        _read,
        data,
        filename,
        settings.upload_max_bytes,
        settings.upload_max_pages,
        limits=Limits.from_settings(),
        label=label,
    )


def start() -> None:
    """Start the reader server now (it imports the readers: about a second of CPU) rather
    than on the first upload."""
    _SERVER.address()


def stop() -> None:
    _SERVER.stop()
