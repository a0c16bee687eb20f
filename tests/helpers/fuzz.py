"""Hostile documents and import batches, and the checks every one of them must pass
through the public API: no 500, an answer (no hang), nothing stored from a refused input.

Shared by the CI-sized run (`tests/api/test_fuzz.py`) and the long run (`bench/fuzz.py`).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import session_scope
from core.models import Job, Resume, ResumeVersion
from tests.fixtures.documents import docx_document, pdf, zip_archive

_HTML = b"<html><body><h1>Jane Doe</h1><p>Python, SQL</p><script>x()</script></body></html>"
_TEXT = b"Jane Doe\njane@example.org\nExperience\nAnalyst, Foo (2019 - 2024)\nSkills: SQL\n"
SEEDS: dict[str, bytes] = {
    "cv.pdf": pdf(),
    "cv.docx": docx_document(),
    "cv.txt": _TEXT,
    "cv.md": b"# Jane Doe\n\n- Python\n- SQL\n",
    "cv.html": _HTML,
    "cv.zip.docx": zip_archive(),
}
NAMES = [*SEEDS, "cv", "cv.exe", "../../etc/passwd.txt", "cv.PDF", "a" * 300 + ".txt"]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """`seed` with a few bytes changed, a slice cut out or repeated, or truncated."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(0, 8))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "cut", "repeat", "truncate"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 64))] * draw(st.integers(1, 50))
        else:
            del data[at:]
    return bytes(data)


documents = st.one_of(
    st.tuples(st.sampled_from(NAMES), st.binary(max_size=4096)),
    st.sampled_from(sorted(SEEDS)).flatmap(
        lambda name: st.tuples(st.just(name), mutated(SEEDS[name]))
    ),
)

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
_job_fields = st.fixed_dictionaries(
    {},
    optional={
        "external_id": st.one_of(st.text(max_size=210), _json),
        "title": st.one_of(st.text(max_size=310), _json),
        "description": st.one_of(st.text(max_size=200), _json),
        "required_skills": st.one_of(st.lists(st.text(max_size=30), max_size=5), _json),
        "min_years": st.one_of(st.floats(allow_nan=True), _json),
        "posted_at": st.one_of(st.text(max_size=30), _json),
        "published": _json,
        "extra": _json,
    },
)
job_bodies = st.one_of(
    st.builds(lambda jobs: {"jobs": jobs}, st.lists(_job_fields, max_size=5)),
    _json,
).map(lambda value: json.dumps(value, allow_nan=True).encode())


async def _count(engine: AsyncEngine, model: type) -> int:
    async with session_scope(engine) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def check_upload(
    client: httpx.AsyncClient, engine: AsyncEngine, headers: dict[str, str], name: str, data: bytes
) -> int:
    """Upload a document; a refusal stores nothing. Returns the status."""
    before = (await _count(engine, Resume), await _count(engine, ResumeVersion))
    answer = await client.post("/api/v1/resumes", files={"file": (name, data)}, headers=headers)
    assert answer.status_code < 500, (name, answer.status_code, answer.text)
    if answer.status_code >= 400:
        assert answer.json()["detail"], answer.text  # says what to fix
        after = (await _count(engine, Resume), await _count(engine, ResumeVersion))
        assert after == before, (name, answer.text)
    return answer.status_code


async def check_import(
    client: httpx.AsyncClient, engine: AsyncEngine, headers: dict[str, str], body: bytes
) -> int:
    """Post a bulk import; a refusal stores nothing. Returns the status."""
    before = await _count(engine, Job)
    answer = await client.post(
        "/api/v1/jobs/bulk", content=body, headers={**headers, "content-type": "application/json"}
    )
    assert answer.status_code < 500, (body[:200], answer.status_code, answer.text)
    if answer.status_code >= 400:
        assert await _count(engine, Job) == before, answer.text
    return answer.status_code


def describe(value: Any) -> str:
    return repr(value)[:200]
