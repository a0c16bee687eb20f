"""Document loaders: type by content, limits and errors, hidden text kept out of `text`."""

from __future__ import annotations

import pytest

from core.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType
from ingest.loaders import DOCX, HTML, MARKDOWN, PDF, TEXT, load_document
from tests.fixtures import documents as docs


@pytest.mark.parametrize(
    ("data", "misleading_name", "media_type", "expected"),
    [
        (docs.pdf(), "resume.docx", PDF, "Backend developer: Python, PostgreSQL, Docker"),
        (docs.docx_document(), "resume.pdf", DOCX, "Skills: Python, SQL, Excel"),
        (docs.HTML, "resume.txt", HTML, "Python and PostgreSQL developer"),
        (docs.MARKDOWN, "resume.html", MARKDOWN, "## Skills"),
        (docs.TEXT, "resume.pdf", TEXT, "Data analyst with SQL and Excel."),
    ],
)
def test_type_is_detected_from_content_not_name(
    data: bytes, misleading_name: str, media_type: str, expected: str
) -> None:
    doc = load_document(data, misleading_name)
    assert doc.media_type == media_type
    assert expected in doc.text


def test_pdf_reports_its_pages() -> None:
    doc = load_document(docs.pdf(pages=3))
    assert doc.pages == 3
    assert "Page 3" in doc.text


def test_docx_keeps_tables_in_body_order() -> None:
    text = load_document(docs.docx_document()).text
    assert "Employer | Acme Corp" in text
    assert text.index("Skills:") < text.index("Role | Data Analyst") < text.index("Tableau")


def test_html_drops_scripts_styles_and_hidden_elements() -> None:
    doc = load_document(docs.HTML)
    assert "injected" not in doc.text and "color: red" not in doc.text
    assert "Kubernetes" not in doc.text
    assert doc.hidden_text == ["Kubernetes Terraform"]
    assert "Role | Engineer" in doc.text


@pytest.mark.parametrize(
    ("draw", "hidden"),
    [
        (docs.white_text, "Kubernetes Terraform Rust expert"),
        (docs.near_white_text, "Scala Haskell Erlang"),
        (docs.tiny_text, "Snowflake Databricks Kafka"),
        (docs.invisible_text, "TensorFlow PyTorch Keras"),
    ],
    ids=["white", "near-white", "1pt-font", "render-mode-3"],
)
def test_pdf_hidden_text_is_flagged_and_kept_out_of_text(draw, hidden: str) -> None:  # type: ignore[no-untyped-def]
    doc = load_document(docs.pdf(draw), "cv.pdf")
    assert doc.hidden_text == [hidden]
    for word in hidden.split():
        assert word not in doc.text
    assert "Backend developer: Python, PostgreSQL, Docker" in doc.text
    assert any("hidden text" in w for w in doc.warnings)


def test_pdf_visible_text_after_hidden_text_survives() -> None:
    doc = load_document(docs.pdf(docs.white_text))
    assert "References available" in doc.text


def test_pdf_graphics_state_is_tracked_operator_by_operator() -> None:
    doc = load_document(docs.crafted_pdf())
    assert doc.hidden_text == [
        "ICC white words",  # named ICCBased RGB space, 1 1 1 = white
        "Invisible render words",  # Tr 3
        "Whitewashed",  # white, then black on the same line
        "Scaled down words",  # 12 pt under a 0.1 matrix = 1.2 pt
        "Far off the page",
    ]
    assert [line.strip() for line in doc.text.splitlines()] == [
        "Visible opening line",
        "Spot colour ink",  # Separation tint 1 is full ink, not white
        "then plain black",
        "White on blue band",
        "Closing line",
    ]


def test_white_text_on_a_dark_band_is_not_hidden() -> None:
    doc = load_document(docs.pdf(docs.white_on_dark_box))
    assert doc.hidden_text == []
    assert "Work Experience" in doc.text


def test_docx_hidden_runs_are_flagged() -> None:
    doc = load_document(docs.docx_document(hidden=True))
    assert doc.hidden_text == ["Kubernetes Terraform Rust Scala Haskell"]
    assert "Kubernetes" not in doc.text and "Haskell" not in doc.text
    assert "Skills: Python, SQL, Excel" in doc.text


def test_too_large_is_413() -> None:
    with pytest.raises(PayloadTooLarge) as err:
        load_document(docs.TEXT * 100, max_bytes=1024)
    assert err.value.status_code == 413
    assert "limit" in err.value.detail


def test_default_limits_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import reset_settings_cache

    monkeypatch.setenv("CLEARVIEW_UPLOAD_MAX_PAGES", "2")
    reset_settings_cache()
    with pytest.raises(Unprocessable, match="3 pages; the limit is 2"):
        load_document(docs.pdf(pages=3))


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (docs.PNG, "photo.pdf", "PNG image"),
        (docs.zip_archive(), "resume.pdf", "zip archive, not a Word document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "resume.doc", "old Word"),
        (bytes(range(256)) * 8, "resume.txt", "not a document type"),
    ],
)
def test_unsupported_types_are_415(data: bytes, name: str, message: str) -> None:
    with pytest.raises(UnsupportedMediaType) as err:
        load_document(data, name)
    assert err.value.status_code == 415
    assert message in err.value.detail
    assert "upload a PDF" in err.value.detail


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (docs.encrypted_pdf(), {}, "password-protected; upload an unprotected copy"),
        (docs.pdf()[:600], {}, "damaged"),
        (b"%PDF-1.7\nnot really a pdf\n", {}, "damaged"),
        (docs.pdf(pages=4), {"max_pages": 3}, "4 pages; the limit is 3"),
        (docs.blank_pdf(), {}, "no text layer"),
        (b"   \n\t ", {}, "empty"),
        (
            b"<html><body><p hidden>x</p></body></html>",
            {},
            "no visible text",
        ),
    ],
    ids=["encrypted", "truncated", "garbage", "too-many-pages", "scanned", "empty", "only-hidden"],
)
def test_unreadable_documents_are_422(data: bytes, kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(Unprocessable) as err:
        load_document(data, "cv.pdf", **kwargs)
    assert err.value.status_code == 422
    assert message in err.value.detail


def test_pdf_with_empty_user_password_opens() -> None:
    """Owner-password-only PDFs open in every viewer; refusing them would only annoy."""
    doc = load_document(docs.encrypted_pdf(user_password=""))
    assert "Backend developer" in doc.text


def test_windows_1252_text_is_read_with_a_warning() -> None:
    doc = load_document("Café manager, crème brûlée".encode("cp1252"))
    assert doc.text == "Café manager, crème brûlée"
    assert any("Windows-1252" in w for w in doc.warnings)


def test_utf16_text_with_bom_is_read() -> None:
    assert load_document("Jane Doe\nNurse".encode("utf-16")).text == "Jane Doe\nNurse"


def test_invisible_characters_and_ligatures_are_normalised() -> None:
    doc = load_document("Py\u200bthon ef\ufb01cient\r\nteam".encode())
    assert doc.text == "Python efficient\nteam"


def test_a_page_pdfium_cannot_load_is_refused_or_read_never_an_error_of_its_own() -> None:
    # Found by tests/api/test_fuzz.py: pypdf repairs a damaged page tree that pdfium
    # cannot load a page of; pdfium's error was a 500.
    damaged = docs.pdf().replace(b"/Kids [", b"/Kids \x01", 1)
    with pytest.raises(Unprocessable, match="no text layer"):
        load_document(damaged, "cv.pdf")


def test_a_fullwidth_dash_that_lost_its_last_byte_reads_as_a_dash() -> None:
    # "－" (EF BC 8D) read as cp1252, the C1 byte dropped on the way: "ï¼" is left
    text = "Experience\nCase Manager 09/2013 ï¼ Current Northwind Care ï¼ Leeds\n"
    doc = load_document(text.encode("utf-8"), "resume.txt")
    assert "Case Manager 09/2013 - Current Northwind Care - Leeds" in doc.text
    assert load_document("Zoë ï¼x".encode(), "a.txt").text == "Zoë ï¼x"  # not before a word


def test_a_no_break_space_that_lost_its_last_byte_is_a_space() -> None:
    assert load_document("Office Manager.Â\nÂNGELA".encode()).text == "Office Manager.\nÂNGELA"


def _with_damaged_member(archive: bytes, member: str) -> bytes:
    """`archive` with `member`'s compressed bytes replaced by an invalid deflate stream of
    the same length (0xFF opens a block of the reserved type), the directory intact."""
    import io
    import zipfile

    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(member)
    header = info.header_offset
    name_len, extra_len = (
        int.from_bytes(archive[header + at : header + at + 2], "little") for at in (26, 28)
    )
    start = header + 30 + name_len + extra_len
    return archive[:start] + b"\xff" * info.compress_size + archive[start + info.compress_size :]


def test_a_word_file_whose_text_does_not_inflate_is_refused_not_an_error() -> None:
    # Found by bench/fuzz.py: a corrupt deflate stream raised zlib.error, a 500.
    damaged = _with_damaged_member(docs.docx_document(), "word/document.xml")
    with pytest.raises(Unprocessable, match="could not be read as a Word document"):
        load_document(damaged, "cv.docx")
