"""Bulk job files too deep to parse are reported per line, not crashed on."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.bulk import UnreadableFile, read_job_rows

DEEP = '{"a": ' * 100_000 + "1" + "}" * 100_000


def test_a_jsonl_line_nested_too_deep_is_reported_and_the_next_read(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    ok = '{"external_id": "b", "title": "T", "description": "D"}'
    path.write_text(f'{{"external_id": "a", "extra": {DEEP}}}\n{ok}\n')
    first, second = list(read_job_rows(path))
    assert first.data is None and first.error is not None and "too deep" in first.error
    assert second.data is not None and second.data["external_id"] == "b"


def test_a_json_file_nested_too_deep_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "jobs.json"
    path.write_text(f"[{DEEP}]")
    with pytest.raises(UnreadableFile, match="too deep"):
        list(read_job_rows(path))
