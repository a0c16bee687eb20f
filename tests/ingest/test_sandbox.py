"""Documents are read in a process of their own, within CPU and memory limits: a file
that would take seconds of CPU or gigabytes of memory is refused with a message naming
the limit, and the reader's own refusals come back as they were raised."""

from __future__ import annotations

import pytest

from core.errors import Unavailable, Unprocessable, UnsupportedMediaType
from core.settings import reset_settings_cache
from ingest.loaders import load_document
from ingest.sandbox import Limits, read_document, run_limited
from tests.fixtures import documents as docs
from tests.helpers.hostile import abort, allocate, block, spin

LIMITS = Limits(cpu_s=2, memory_mb=256)


async def test_a_document_reads_as_it_does_in_process() -> None:
    for data in (docs.pdf(), docs.docx_document(), b"Sam Lee\nExperience\nDeveloper 2019 - 2024\n"):
        isolated, direct = await read_document(data, "cv"), load_document(data, "cv")
        assert (isolated.text, isolated.media_type, isolated.warnings) == (
            direct.text,
            direct.media_type,
            direct.warnings,
        )


async def test_the_readers_refusals_come_back_as_raised() -> None:
    with pytest.raises(UnsupportedMediaType, match=r'"photo\.pdf" is a PNG image'):
        await read_document(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.pdf")


async def test_a_document_costing_more_cpu_than_allowed_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLEARVIEW_PARSE_CPU_S", "1")
    reset_settings_cache()
    with pytest.raises(Unprocessable, match=r'"costly\.pdf" takes more than 1 s of CPU'):
        await read_document(docs.costly_pdf(), "costly.pdf")


def test_a_reader_over_its_memory_limit_is_refused_naming_it() -> None:
    assert run_limited(allocate, 64, limits=LIMITS, label="the file") == 64 * 1024 * 1024
    with pytest.raises(Unprocessable, match="memory limit of 256 MB"):
        run_limited(allocate, 1024, limits=LIMITS, label="the file")


def test_a_crashing_or_spinning_reader_is_a_refusal_not_a_failure_of_the_service() -> None:
    with pytest.raises(
        Unprocessable, match="the file could not be read within the reader's limits"
    ):
        run_limited(abort, limits=LIMITS, label="the file")
    with pytest.raises(Unprocessable, match="more than 1 s of CPU"):
        run_limited(spin, limits=Limits(cpu_s=1, memory_mb=256), label="the file")


def test_a_reader_that_neither_answers_nor_computes_is_stopped() -> None:
    with pytest.raises(Unavailable, match="took too long"):
        run_limited(block, limits=Limits(cpu_s=1, memory_mb=256, wall_factor=1), label="x")
