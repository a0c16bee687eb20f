"""Reading bulk job files: formats, line numbers of bad rows, unknown fields kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.bulk import UnreadableFile, normalise_job, read_job_rows


def test_csv_rows_carry_their_line_and_normalised_fields(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text(
        "external_id,title,description,remote,required_skills,team\n"
        'a1,Data Engineer,"Build pipelines\nin Python",yes,Python; SQL,data\n'
        "a2,Nurse,Care for patients,no,,wards\n"
        "a3,Too,many,cells,here,x,extra\n"
    )
    rows = list(read_job_rows(path))
    assert [row.line for row in rows] == [3, 4, 5]  # the quoted cell spans lines 2-3
    first, second, third = rows
    assert first.data == {
        "external_id": "a1",
        "title": "Data Engineer",
        "description": "Build pipelines\nin Python",
        "remote": True,
        "required_skills": ["Python", "SQL"],
        "extra": {"team": "data"},
    }
    assert second.data is not None and second.data["remote"] is False
    assert "required_skills" not in second.data  # an empty cell is no value, not ""
    assert third.data is None and third.error is not None
    assert third.error.startswith("7 cells but the header has 6 columns")


def test_jsonl_reports_broken_lines_and_keeps_going(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(
        json.dumps({"external_id": 7, "title": "A", "description": "d"}) + "\n"
        "{not json\n"
        "\n"
        "[1, 2]\n" + json.dumps({"external_id": "b", "title": "B", "description": "d"}) + "\n"
    )
    rows = list(read_job_rows(path))
    assert [(row.line, row.error is None) for row in rows] == [
        (1, True),
        (2, False),
        (4, False),
        (5, True),
    ]
    assert rows[0].data is not None and rows[0].data["external_id"] == "7"
    assert rows[1].error is not None and rows[1].error.startswith("invalid JSON")


def test_json_array_items_point_at_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "jobs.json"
    path.write_text(
        '{"jobs": [\n  {"external_id": "x", "title": "X", "description": "d"},\n  "oops",\n'
        '  {"external_id": "y", "title": "Y", "description": "d"}\n]}\n'
    )
    rows = list(read_job_rows(path))
    assert [row.line for row in rows] == [2, 3, 4]
    assert rows[1].error == "expected a JSON object"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("jobs.xml", "<jobs/>", "use a .csv, .json or .jsonl"),
        ("jobs.json", "{broken", "invalid JSON"),
        ("jobs.json", '{"items": 1}', "expected a JSON array"),
    ],
)
def test_unreadable_files_say_what_to_fix(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(UnreadableFile, match=message):
        list(read_job_rows(path))


def test_normalise_keeps_given_extra_and_merges_unknown_fields() -> None:
    assert normalise_job({"Title": "T", "extra": {"a": 1}, "b": 2}) == {
        "title": "T",
        "extra": {"a": 1, "b": 2},
    }
