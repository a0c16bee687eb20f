"""JSON Resume both ways: a .json upload becomes the resume; the export validates."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import jsonschema

from tests.plugins.api import MakeKey

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "api" / "resumes" / "data" / "jsonresume_schema.json").read_text())
SAMPLE = (ROOT / "tests" / "fixtures" / "reading" / "jsonresume_sample.resume.json").read_bytes()


async def test_a_json_resume_upload_round_trips_through_the_export(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    key = await make_key("public", "candidate")
    answer = await client.post(
        "/api/v1/resumes",
        files={"file": ("resume.json", SAMPLE, "application/json")},
        headers=key.headers,
    )
    assert answer.status_code == 201, answer.text
    resume_id = answer.json()["id"]

    parsed = (await client.get(f"/api/v1/resumes/{resume_id}/parsed", headers=key.headers)).json()
    assert [(e["title"], e["employer"]) for e in parsed["experience"]] == [
        ("CEO/President", "Pied Piper")
    ]

    answer = await client.get(
        f"/api/v1/resumes/{resume_id}/export",
        params={"format": "jsonresume"},
        headers=key.headers,
    )
    assert answer.status_code == 200, answer.text
    exported = answer.json()
    jsonschema.validate(exported, SCHEMA)
    assert exported["work"] == [
        {
            "name": "Pied Piper",
            "position": "CEO/President",
            "startDate": "2013-12",
            "endDate": "2014-12",
            "highlights": exported["work"][0]["highlights"],
        }
    ]
    assert "Successfully won Techcrunch Disrupt" in exported["work"][0]["highlights"]


async def test_export_refuses_unknown_formats(client: httpx.AsyncClient, make_key: MakeKey) -> None:
    key = await make_key("public", "candidate")
    answer = await client.post(
        "/api/v1/resumes",
        files={"file": ("cv.txt", b"Experience\nClerk, Acme (2019 - 2021)\n", "text/plain")},
        headers=key.headers,
    )
    resume_id = answer.json()["id"]
    answer = await client.get(
        f"/api/v1/resumes/{resume_id}/export", params={"format": "europass"}, headers=key.headers
    )
    assert answer.status_code == 422
