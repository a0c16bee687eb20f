"""Resume version diffs: properties of the unified diff (it applies back exactly, equal
texts give nothing, it is deterministic) and the diff endpoint's access rules."""

from __future__ import annotations

import re

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from api.resumes.diff import unified_diff
from core.db import session_scope
from core.models import ResumeSource, ResumeVersion, new_id, utcnow
from tests.plugins.api import MakeKey, MakeResume, StoredResume

HUNK_RE = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n")
NO_NEWLINE = "\\ No newline at end of file\n"


def apply_patch(old: str, diff: str) -> str:
    """A minimal `patch`: apply a unified diff to `old`, checking every context and
    removed line against it (written independently of the module under test)."""
    if not diff:
        return old
    source = re.findall(r"[^\n]*\n|[^\n]+$", old)
    lines = re.findall(r"[^\n]*\n", diff)
    assert "".join(lines) == diff, "a diff ends every line with a newline"
    assert lines[0].startswith("--- ") and lines[1].startswith("+++ ")
    out: list[str] = []
    pos, i = 0, 2
    while i < len(lines):
        hunk = HUNK_RE.fullmatch(lines[i])
        assert hunk, lines[i]
        start, count = int(hunk[1]), int(hunk[2] or 1)
        first = start - 1 if count else start  # an empty range names the line before it
        assert first >= pos
        out += source[pos:first]
        pos = first
        i += 1
        while i < len(lines) and not lines[i].startswith("@@"):
            tag, body = lines[i][0], lines[i][1:]
            if i + 1 < len(lines) and lines[i + 1] == NO_NEWLINE:
                body = body[:-1]
                i += 1
            if tag in " -":
                assert source[pos] == body, (pos, source[pos], body)
                pos += 1
            if tag in " +":
                out.append(body)
            assert tag in " -+", lines[i]
            i += 1
    return "".join(out + source[pos:])


# Few distinct lines, so old and new share lines and the diffs have context and hunks;
# "\r" and a form feed are line breaks to `str.splitlines`, not to a diff.
LINE = st.sampled_from(["Sam Lee", "- Built X", "- Led Y", "", "Skills: SQL", "a\rb", "p\x0cq"])
TEXT = st.builds(
    lambda lines, end: "\n".join(lines) + end,
    st.lists(LINE, max_size=30),
    st.sampled_from(["", "\n"]),
)


@given(old=TEXT, new=TEXT)
def test_the_diff_applied_to_the_old_text_gives_the_new(old: str, new: str) -> None:
    diff = unified_diff(old, new, "v1", "v2")
    assert apply_patch(old, diff) == new
    assert (diff == "") == (old == new)


@given(old=st.text(), new=st.text())
def test_any_text_round_trips(old: str, new: str) -> None:
    assert apply_patch(old, unified_diff(old, new, "v1", "v2")) == new


@given(text=TEXT | st.text())
def test_identical_versions_have_an_empty_diff(text: str) -> None:
    assert unified_diff(text, text, "v1", "v2") == ""


@given(old=TEXT, new=TEXT)
def test_the_diff_is_deterministic(old: str, new: str) -> None:
    assert unified_diff(old, new, "v1", "v2") == unified_diff(old, new, "v1", "v2")


def test_a_missing_final_newline_is_marked() -> None:
    diff = unified_diff("a\nb", "a\nc", "v1", "v2")
    assert diff == f"--- v1\n+++ v2\n@@ -1,2 +1,2 @@\n a\n-b\n{NO_NEWLINE}+c\n{NO_NEWLINE}"


# --- the endpoint ---------------------------------------------------------------------


async def _add_version(engine: AsyncEngine, stored: StoredResume, text: str) -> str:
    """A rewritten version derived from the first one, as the rewrite worker stores it."""
    async with session_scope(engine) as session:
        version = ResumeVersion(
            id=new_id(),
            resume_id=stored.resume_id,
            number=2,
            source=ResumeSource.rewritten,
            parent_version_id=stored.version_id,
            text=text,
            created_at=utcnow(),
        )
        session.add(version)
    return version.id


async def test_diff_between_versions(
    client: httpx.AsyncClient, make_key: MakeKey, make_resume: MakeResume, engine: AsyncEngine
) -> None:
    key = await make_key("public", "candidate")
    stored = await make_resume(key)  # "Sam Lee\nData engineer"
    second = await _add_version(engine, stored, "Sam Lee\nSenior data engineer\n")
    url = f"/api/v1/resumes/{stored.resume_id}/diff"

    # Default: from the version the current one came from. The current is still v1 here.
    same = await client.get(url, headers=key.headers)
    assert same.status_code == 200
    assert same.json() == {
        "from_version": stored.version_id,
        "to_version": stored.version_id,
        "diff": "",
    }
    await client.put(
        f"/api/v1/resumes/{stored.resume_id}/current",
        json={"version_id": second},
        headers=key.headers,
    )
    answer = await client.get(url, headers=key.headers)
    body = answer.json()
    assert (body["from_version"], body["to_version"]) == (stored.version_id, second)
    assert body["diff"] == (
        "--- v1\n+++ v2\n@@ -1,2 +1,2 @@\n Sam Lee\n-Data engineer\n"
        f"{NO_NEWLINE}+Senior data engineer\n"
    )
    backwards = await client.get(
        url, params={"from": second, "to": stored.version_id}, headers=key.headers
    )
    assert apply_patch("Sam Lee\nSenior data engineer\n", backwards.json()["diff"]) == (
        "Sam Lee\nData engineer"
    )
    text = await client.get(url, params={"format": "text"}, headers=key.headers)
    assert text.headers["content-type"].startswith("text/x-diff")
    assert text.text == body["diff"]


async def test_diff_of_other_resumes_and_candidates_is_404(
    client: httpx.AsyncClient, make_key: MakeKey, make_resume: MakeResume
) -> None:
    key = await make_key("public", "candidate")
    other = await make_key("public", "candidate")
    mine, also_mine = await make_resume(key), await make_resume(key)
    theirs = await make_resume(other)
    url = f"/api/v1/resumes/{mine.resume_id}/diff"
    for params in (
        {"from": also_mine.version_id},  # a version of my other resume
        {"to": theirs.version_id},
        {"from": "0" * 32},
    ):
        answer = await client.get(url, params=params, headers=key.headers)
        assert answer.status_code == 404, params
        assert answer.json()["error"] == "not_found"
    assert (await client.get(url, headers=other.headers)).status_code == 404
    assert (await client.get(url, params={"format": "xml"}, headers=key.headers)).status_code == 422
