"""Strict CSV import, end to end through the import service the CLI uses: a malformed row
(unterminated quote, wrong cell count, a line not in UTF-8) is reported with its line and
skipped, the rows around it import as themselves, and no row takes in another's data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.imports.service import ImportReport, import_jobs
from core.db import session_scope
from core.models import Job
from ingest.bulk import UnreadableFile, read_job_rows

HEADER = "external_id,title,description\n"


def _row(n: int) -> str:
    return f"r{n},Title r{n},Desc r{n}\n"


async def _import(path: Path) -> tuple[ImportReport, dict[str, Job]]:
    report = await import_jobs("org-csv", read_job_rows(path))
    async with session_scope() as session:
        jobs = (await session.scalars(select(Job))).all()
    return report, {job.external_id: job for job in jobs}


def _assert_rows_are_themselves(jobs: dict[str, Job]) -> None:
    """Every field of a job names its own row and no other (nothing merged in)."""
    for external_id, job in jobs.items():
        for value in (job.title, job.description):
            assert set(re.findall(r"\br\d+\b", value)) == {external_id}, (external_id, value)


@pytest.mark.parametrize(
    "row_5",
    [
        _row(5),  # no quote after the open one: it would swallow to the end of the file
        'r5,Title r5,"Desc r5, quoted"\n',  # the next quote closes the swallowing cell
    ],
    ids=["to-end-of-file", "closed-by-a-later-quote"],
)
async def test_unterminated_quote_in_row_3_of_6_skips_it_and_rows_4_to_6_import_as_themselves(
    engine: AsyncEngine, tmp_path: Path, row_5: str
) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text(
        HEADER
        + 'r1,Title r1,"Desc r1\nover two lines"\n'  # a quoted description may span lines
        + _row(2)
        + 'r3,"Title r3,Desc r3\n'  # line 5: the quote is never closed
        + _row(4)
        + row_5
        + _row(6),
        encoding="utf-8",
    )
    report, jobs = await _import(path)
    assert [line for line, _ in report.failed] == [5]
    assert "unterminated quote" in report.failed[0][1]
    assert "close the quoted cell" in report.failed[0][1]
    assert sorted(jobs) == ["r1", "r2", "r4", "r5", "r6"]
    assert jobs["r1"].description == "Desc r1\nover two lines"
    assert jobs["r4"].title == "Title r4" and jobs["r6"].description == "Desc r6"
    _assert_rows_are_themselves(jobs)


async def test_a_quote_closed_on_a_later_row_never_merges_that_row_into_a_title(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    # Parsed as one record, lines 2-3 have the right width with row r3 inside r2's title;
    # only a description may span lines, so r2 is reported and r3 is read as itself.
    path = tmp_path / "jobs.csv"
    path.write_text(HEADER + 'r2,"Title r2,Desc r2\nr3,Title r3",Desc r3\n' + _row(4))
    report, jobs = await _import(path)
    assert [line for line, _ in report.failed] == [2]
    assert "unterminated quote" in report.failed[0][1]
    assert sorted(jobs) == ["r3", "r4"]
    assert jobs["r3"].title == 'Title r3"'  # a quote inside an unquoted cell is kept as text
    _assert_rows_are_themselves(jobs)


async def test_a_row_with_the_wrong_number_of_cells_is_reported_and_the_others_import(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text(HEADER + _row(1) + "r2,Title r2,Desc, r2\n" + "r3,Title r3\n" + _row(4))
    report, jobs = await _import(path)
    assert report.failed == [
        (
            3,
            "4 cells but the header has 3 columns: put a cell that contains commas in "
            'double quotes ("a, b")',
        ),
        (
            4,
            "2 cells but the header has 3 columns: put a cell that contains commas in "
            'double quotes ("a, b")',
        ),
    ]
    assert sorted(jobs) == ["r1", "r4"]
    _assert_rows_are_themselves(jobs)


async def test_a_latin_1_line_in_a_utf_8_file_is_reported_and_the_others_import_unchanged(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.csv"
    path.write_bytes(
        (HEADER + "r1,Title r1,Café r1 in UTF-8\n").encode()
        + "r2,Title r2,Café r2 in Latin-1\n".encode("latin-1")
        + _row(3).encode()
    )
    report, jobs = await _import(path)
    assert report.failed == [
        (3, "not valid UTF-8 (byte 0xe9 at byte 16 of the line): save the file as UTF-8")
    ]
    assert sorted(jobs) == ["r1", "r3"]
    assert jobs["r1"].description == "Café r1 in UTF-8"  # decoded as written, no mojibake
    _assert_rows_are_themselves(jobs)


async def test_a_line_with_a_nul_byte_is_reported_and_a_utf_16_file_is_refused(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.csv"
    path.write_bytes((HEADER + _row(1) + "r2,Title\x00 r2,Desc r2\n" + _row(3)).encode())
    report, jobs = await _import(path)
    assert report.failed == [(3, "contains a NUL byte: save the file as UTF-8 text")]
    assert sorted(jobs) == ["r1", "r3"]
    utf_16 = tmp_path / "utf16.csv"
    utf_16.write_text(HEADER + _row(1), encoding="utf-16")
    with pytest.raises(UnreadableFile, match="header line: contains a NUL byte"):
        list(read_job_rows(utf_16))
