"""One delivery attempt is bounded: a huge reply is not read, a dripping one is cut off."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from api.gateway.delivery import MAX_RESPONSE_BYTES, new_client, send

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def _receiver(handler: Handler) -> AsyncIterator[str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        server.close()


async def _read_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    await reader.readexactly(length)


async def test_a_huge_reply_is_not_read_past_the_cap() -> None:
    sent = 0
    closed = asyncio.Event()
    total = 200 * 1024 * 1024

    async def huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        await _read_request(reader)
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n\r\n".encode())
        chunk = b"x" * 65536
        try:
            while sent < total:
                writer.write(chunk)
                await writer.drain()
                sent += len(chunk)
        except (ConnectionError, OSError):
            pass
        finally:
            closed.set()
            writer.close()

    async with _receiver(huge) as url, new_client() as client:
        outcome = await send(
            client, url, ["whsec_" + "A" * 44], "msg_1", b"{}", allow_private=True, timeout_s=30
        )
        await asyncio.wait_for(closed.wait(), 30)
    assert outcome.ok and outcome.status_code == 200
    # The receiver could push only what fits in socket buffers past our cap.
    assert sent < total / 4, sent
    assert total > MAX_RESPONSE_BYTES


async def test_a_dripping_reply_ends_at_the_attempt_deadline() -> None:
    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
        try:
            while True:  # one byte at a time: every read finishes well within a timeout
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.05)
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async with _receiver(drip) as url, new_client() as client:
        outcome = await asyncio.wait_for(
            send(
                client, url, ["whsec_" + "A" * 44], "msg_1", b"{}", allow_private=True, timeout_s=1
            ),
            30,
        )
    assert outcome.status_code is None and outcome.error == "timed out after 1s"
