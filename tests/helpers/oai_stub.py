"""A small OpenAI-compatible chat server for tests: scripted answers, SSE streaming and
tool calls, on 127.0.0.1 in a thread. `script(request) -> reply` decides each answer:
a reply is text, or {"tool": name, "args": {...}} for a tool call."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.helpers.server import serve_in_thread

Reply = str | dict[str, Any]
Script = Callable[[dict[str, Any]], Reply]


class StubLLM:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.url = ""

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        reply = self.script(body)
        if body.get("stream"):
            return StreamingResponse(self._chunks(reply), media_type="text/event-stream")
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if isinstance(reply, str):
            message["content"] = reply
        else:
            message["tool_calls"] = [self._call(reply)]
        return JSONResponse(
            {
                "id": "c1",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
            }
        )

    @staticmethod
    def _call(reply: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f"call_{len(json.dumps(reply))}",
            "type": "function",
            "function": {"name": reply["tool"], "arguments": json.dumps(reply.get("args", {}))},
        }

    def _chunks(self, reply: Reply) -> Iterator[str]:
        def chunk(delta: dict[str, Any], finish: str | None = None, usage: Any = None) -> str:
            data: dict[str, Any] = {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": "stub",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            if usage is not None:
                data = {**data, "choices": [], "usage": usage}
            return f"data: {json.dumps(data)}\n\n"

        if isinstance(reply, str):
            for start in range(0, len(reply), 8):  # several tokens
                yield chunk({"role": "assistant", "content": reply[start : start + 8]})
            yield chunk({}, "stop")
        else:
            call = self._call(reply)
            args = call["function"]["arguments"]
            yield chunk(
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": reply["tool"], "arguments": ""},
                        }
                    ],
                }
            )
            for start in range(0, len(args), 10):  # arguments streamed in pieces
                yield chunk(
                    {
                        "tool_calls": [
                            {"index": 0, "function": {"arguments": args[start : start + 10]}}
                        ]
                    }
                )
            yield chunk({}, "tool_calls")
        yield chunk({}, usage={"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110})
        yield "data: [DONE]\n\n"

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self.completions, methods=["POST"])])


@contextlib.contextmanager
def serve(stub: StubLLM) -> Iterator[StubLLM]:
    """The stub under uvicorn on 127.0.0.1 until the block ends; `stub.url` is its base."""
    with serve_in_thread(stub.app(), lifespan="auto", timeout=10) as base_url:
        stub.url = f"{base_url}/v1"
        yield stub


def last_message(request: dict[str, Any]) -> dict[str, Any]:
    return dict(request["messages"][-1])
