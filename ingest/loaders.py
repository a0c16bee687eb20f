"""Documents in, plain text out: PDF (text layer), DOCX, TXT, Markdown and HTML.

The type is read from the bytes (magic numbers, zip members, markup), never from the file
name: a renamed PNG is refused whatever it is called. Every refusal is a domain error that
says what to do about it.

Hidden text is a known way to game automatic screening (white keywords on a white page,
text in a 1 pt font, invisible render mode). It is returned in `hidden_text`, with a
warning, and left out of `text`, so it never reaches scoring.

Everything here is CPU work and synchronous; async callers use `asyncio.to_thread`.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from pypdfium2 import PdfiumError

from core.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType
from core.settings import get_settings
from ingest.parsing.dates import DATE_PATTERN, NOW_PATTERN
from ingest.pdf_hidden import MIN_FONT_PT, NEAR_WHITE, pdf_page_text
from ingest.pdf_text import may_hide_text, open_pdf, page_text
from ingest.structured import from_html, from_json

log = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
JSON = "application/json"

# Decompressed page content (drawing operators) allowed per page and per document: a
# text page holds tens of KB; beyond this, parsing costs seconds of CPU.
MAX_PAGE_CONTENT = 4_000_000
MAX_PDF_CONTENT = 24_000_000
# word/document.xml of a long resume is a few hundred KB; python-docx takes about a second
# of CPU per 2 MB of it.
MAX_DOCX_BODY = 2_500_000
# A DOCX is a zip; refuse one that inflates beyond this many times the upload limit.
MAX_INFLATION = 20

_OTHER_FORMATS: list[tuple[bytes, str]] = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0", "an old Word (.doc) or other legacy Office file"),
    (b"{\\rtf", "an RTF file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
]
_FIX_FORMAT = "upload a PDF (with selectable text), a Word .docx, or a plain text file"

_HTML_START_RE = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.I | re.S,
)
_HTML_TAG_RE = re.compile(
    r"<(p|div|span|br|h[1-6]|ul|ol|li|table|tr|td|a|b|strong|em|section|article)\b[^>]*>", re.I
)
_MARKDOWN_RE = re.compile(
    r"^(?:#{1,6} |\s*[-*+] |\s*\d+\. |>\s|```)|\*\*[^*\n]+\*\*|\[[^]\n]+\]\([^)\n]+\)", re.M
)
# Ligatures that PDF text layers keep, and invisible characters that split words.
_CLEANUP = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\x00": None,
    }
)


@dataclass
class LoadedDocument:
    text: str
    media_type: str
    pages: int | None
    hidden_text: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_document(
    data: bytes,
    filename: str | None = None,
    *,
    max_bytes: int | None = None,
    max_pages: int | None = None,
) -> LoadedDocument:
    """Read a document's text; the type comes from the content, `filename` only names it
    in messages. Limits default to the upload settings."""
    if max_bytes is None or max_pages is None:  # (a sandboxed reader passes both)
        settings = get_settings()
        max_bytes = settings.upload_max_bytes if max_bytes is None else max_bytes
        max_pages = settings.upload_max_pages if max_pages is None else max_pages
    label = f'"{filename}"' if filename else "the file"
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"{label} is {_size(len(data))}; the limit is {_size(max_bytes)}. "
            "Upload a smaller file (e.g. without images)."
        )
    if not data.strip():
        raise Unprocessable(f"{label} is empty; upload a document that contains your text")

    if b"%PDF-" in data[:1024]:  # the header may follow up to 1 KB of junk
        doc = _load_pdf(data, label, max_pages)
    elif data.startswith(b"PK\x03\x04"):
        doc = _load_docx(data, label, max_bytes)
    else:
        for magic, what in _OTHER_FORMATS:
            if data.startswith(magic):
                raise UnsupportedMediaType(
                    f"{label} is {what}, which is not supported; {_FIX_FORMAT}"
                )
        text, warnings = _decode_text(data, label)
        text = _repair(text)
        is_html = bool(_HTML_START_RE.match(data[:4096])) or (
            text.lstrip().startswith("<") and len(_HTML_TAG_RE.findall(text[:20_000])) >= 2
        )
        structured = (
            from_json(text)
            if text.lstrip().startswith(("{", "["))
            else from_html(text)
            if is_html
            else None
        )
        if structured is not None:
            # JSON Resume, schema.org JobPosting (a file or JSON-LD in a page), JSON
            # Resume job: read as the text of their fields, under the usual headings
            doc = LoadedDocument(text=structured[1], media_type=JSON, pages=None)
        elif is_html:
            doc = _load_html(text)
        else:
            media = MARKDOWN if len(_MARKDOWN_RE.findall(text[:20_000])) >= 2 else TEXT
            doc = LoadedDocument(text=text, media_type=media, pages=None)
        doc.warnings[:0] = warnings

    doc.text = _clean(doc.text)
    doc.hidden_text = [h for h in (_clean(h) for h in doc.hidden_text) if h]
    if doc.hidden_text:
        doc.warnings.append(
            f"{label} contains {len(doc.hidden_text)} piece(s) of hidden text (white, invisible "
            "or tiny); it was left out and does not count towards any match"
        )
        log.info(
            "hidden text flagged",
            extra={"media_type": doc.media_type, "pieces": len(doc.hidden_text)},
        )
    if not doc.text.strip():
        if doc.hidden_text:
            raise Unprocessable(f"{label} contains no visible text; upload a readable copy")
        if doc.media_type == PDF:
            raise Unprocessable(
                f"{label} has no text layer (it looks like a scanned image); export it again "
                "from your word processor as PDF, or upload the .docx"
            )
        raise Unprocessable(f"{label} contains no text; upload a document with your text in it")
    return doc


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


# A fullwidth punctuation mark (U+FF01-FF1F: "－", "：", "／") whose UTF-8 was read as
# cp1252 and whose last byte, a C1 control there, was dropped on the way: "ï¼" is all that
# is left and no repair can tell which mark it was. Resume builders put them between dates
# ("09/2013 ï¼ Current") and between employer and place; a dash reads right in both.
_LOST_FULLWIDTH_RE = re.compile("\u00ef\u00bc(?=[\\s\\d])")


# A no-break space whose second byte was lost the same way ("Manager.Â").
_LOST_NBSP_RE = re.compile("\u00c2(?=\\s|$)", re.M)


def _clean(text: str) -> str:
    text = _LOST_FULLWIDTH_RE.sub("-", text)
    text = _LOST_NBSP_RE.sub(" ", text)
    text = text.translate(_CLEANUP).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\f\v]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- plain text ---------------------------------------------------------------


def _decode_text(data: bytes, label: str) -> tuple[str, list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: list[tuple[str, str | None]] = [("utf-16", None)]
    elif b"\x00" in data[:8192]:
        candidates = []  # binary
    else:
        # Windows editors still save cp1252; accept it when it reads as text.
        candidates = [
            ("utf-8-sig", None),
            ("cp1252", f"{label} is not UTF-8; it was read as Windows-1252"),
        ]
    for encoding, warning in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, [warning] if warning else []
    raise UnsupportedMediaType(f"{label} is not a document type we can read; {_FIX_FORMAT}")


# UTF-8 read as cp1252 or Latin-1: a lead byte's character (Â-ô) followed by a
# continuation byte's (0x80-0xBF, as Latin-1 or as cp1252 shows it). Text without one has
# no mojibake for ftfy to repair, and ftfy costs about 5 ms per page of text.
_MOJIBAKE_HINT_RE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]"
)


def _repair(text: str) -> str:
    """Undo mojibake from a wrong encoding on the way ("â€¢" back to "•"); ftfy only
    changes text that decodes better, so correct text is left as it is."""
    if not _MOJIBAKE_HINT_RE.search(text):
        return text
    import ftfy

    return ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False, fix_line_breaks=False)


def _looks_like_text(text: str) -> bool:
    sample = text[:8192]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return control <= len(sample) * 0.01


# --- HTML ----------------------------------------------------------------------


def _words(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


_BLOCK_TAGS = _words(
    "address article aside blockquote body dd div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody thead "
    "tfoot tr ul br title"
)
_DROP_TAGS = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
_HIDDEN_STYLE_RE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|"
    r"(?:font-size|opacity)\s*:\s*0(?:\.0*)?(?:px|pt|em|rem|%)?\s*(?:;|!|$)",
    re.I,
)


def _load_html(text: str) -> LoadedDocument:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

    tree = LexborHTMLParser(text)
    for node in tree.css(",".join(_DROP_TAGS)):
        node.decompose()
    hidden: list[str] = []
    for node in tree.css("[hidden], [style], [aria-hidden=true]"):
        style = node.attributes.get("style") or ""
        if "hidden" in node.attributes or _HIDDEN_STYLE_RE.search(style):
            content = node.text(separator=" ", strip=True)
            if content:
                hidden.append(content)
            node.decompose()
    root = tree.body or tree.root
    parts: list[str] = []
    # Iterative walk: real pages nest deeply enough to break recursion.
    stack: list[LexborNode | str] = [root] if root is not None else []
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        tag = item.tag or ""
        if tag == "-text":
            parts.append(item.text_content or "")
            continue
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
            stack.append("\n")
        if tag in ("td", "th"):
            stack.append(" | ")
        stack.extend(reversed(list(item.iter(include_text=True))))
    raw = "".join(parts)
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip(" |") for line in raw.split("\n"))
    return LoadedDocument(
        text="\n".join(line for line in lines if line),
        media_type=HTML,
        pages=None,
        hidden_text=hidden,
    )


# --- DOCX ----------------------------------------------------------------------


def _load_docx(data: bytes, label: str, max_bytes: int) -> LoadedDocument:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise Unprocessable(
            f"{label} is a damaged zip/Word file; save it again and re-upload"
        ) from None
    if "word/document.xml" not in names:
        raise UnsupportedMediaType(f"{label} is a zip archive, not a Word document; {_FIX_FORMAT}")
    if "EncryptedPackage" in names:
        raise Unprocessable(f"{label} is password-protected; upload an unprotected copy")
    if inflated > MAX_INFLATION * max(max_bytes, 1_000_000):
        raise Unprocessable(f"{label} expands to {_size(inflated)}; upload a smaller document")
    body_size = archive.getinfo("word/document.xml").file_size
    if body_size > MAX_DOCX_BODY:
        raise Unprocessable(
            f"{label}: its text body expands to {_size(body_size)}; the limit is "
            f"{_size(MAX_DOCX_BODY)}. Save a shorter document (or as PDF) and re-upload"
        )

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml.etree import XMLSyntaxError

    # A member whose deflate stream is corrupt or cut short fails only as it is inflated:
    # zlib.error or EOFError, not BadZipFile.
    unreadable = (KeyError, ValueError, XMLSyntaxError, PackageNotFoundError, zipfile.BadZipFile)
    try:
        document = docx.Document(io.BytesIO(data))
    except (*unreadable, zlib.error, EOFError) as exc:
        raise Unprocessable(
            f"{label} could not be read as a Word document ({type(exc).__name__}); "
            "open it in Word, save it again and re-upload"
        ) from exc

    lines: list[str] = []
    hidden: list[str] = []

    def paragraph(par: Any) -> None:
        visible: list[str] = []
        secret: list[str] = []
        for item in par.iter_inner_content():
            for run in getattr(item, "runs", None) or [item]:
                (secret if _docx_run_hidden(run) else visible).append(run.text)
        lines.append("".join(visible))
        if "".join(secret).strip():
            hidden.append("".join(secret).strip())

    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            for row in Table(child, document).rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    start = len(lines)
                    for par in cell.paragraphs:
                        paragraph(par)
                    cells.append("\n".join(t.strip() for t in lines[start:] if t.strip()))
                    del lines[start:]
                # one line per row when every cell is one line ("2019 - 2021 | Nurse");
                # cells of several paragraphs (a job's title, employer and bullets) keep
                # their lines, in reading order
                filled = [c for c in cells if c]
                if all("\n" not in c for c in filled):
                    lines.append(" | ".join(filled))
                else:
                    lines.extend(filled)
    return LoadedDocument(text="\n".join(lines), media_type=DOCX, pages=None, hidden_text=hidden)


def _docx_run_hidden(run: Any) -> bool:
    font = run.font
    if font.hidden:
        return True
    if font.size is not None and font.size.pt < MIN_FONT_PT:
        return True
    rgb = font.color.rgb if font.color is not None and font.color.type is not None else None
    return rgb is not None and min(rgb[0], rgb[1], rgb[2]) >= NEAR_WHITE * 255


# --- PDF -----------------------------------------------------------------------


# A date range that a table layout split over lines: "March 2014" / "to" / "May 2016".
_SPLIT_RANGE_RE = re.compile(
    rf"^([ \t]*{DATE_PATTERN})[ \t]*\n[ \t]*(?:(to|until|till|-|–|—)[ \t]*\n[ \t]*)?"
    rf"(?=(?:{DATE_PATTERN}|{NOW_PATTERN})\b)",
    re.I | re.M,
)


def join_split_ranges(text: str) -> str:
    """Put a date range split over two or three lines back on one line."""
    return _SPLIT_RANGE_RE.sub(lambda m: f"{m.group(1)} {m.group(2) or 'to'} ", text)


def _open_pdfium(data: bytes) -> Any:
    """pdfium's view of the same file, for its text (None if pdfium cannot open it:
    pypdf's extraction is used then)."""
    try:
        return open_pdf(data)
    except Exception:
        return None


def _pdfium_page(document: Any, index: int) -> Any:
    """pdfium's page `index`, or None where pdfium cannot load a page pypdf can (a damaged
    file is read differently by the two): pypdf's extraction is used for that page."""
    if document is None:
        return None
    try:
        return document[index]
    except (PdfiumError, IndexError):
        return None


def _load_pdf(data: bytes, label: str, max_pages: int) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import (
        DependencyError,
        FileNotDecryptedError,
        LimitReachedError,
        PdfReadError,
    )

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # An empty user password opens in every viewer (owner-only restrictions).
            try:
                opened = bool(reader.decrypt(""))
            except (DependencyError, NotImplementedError):
                opened = False
            if not opened:
                raise Unprocessable(
                    f"{label}: the PDF is password-protected; upload an unprotected copy"
                )
        count = len(reader.pages)
    except (PdfReadError, FileNotDecryptedError, ValueError, KeyError, TypeError) as exc:
        raise Unprocessable(
            f"{label}: the PDF is damaged and cannot be read; export or print it to PDF again"
        ) from exc
    if count > max_pages:
        raise Unprocessable(
            f"{label} has {count} pages; the limit is {max_pages}. Upload a shorter document"
        )
    if count == 0:
        raise Unprocessable(f"{label}: the PDF has no pages; export it again")

    texts: list[str] = []
    hidden: list[str] = []
    warnings: list[str] = []
    inflated = 0
    for number, page in enumerate(reader.pages, start=1):
        # Content streams are checked before anything parses them: a few KB of deflate
        # can inflate to hundreds of MB of drawing operators.
        try:
            contents = page.get_contents()
            size = len(contents.get_data()) if contents is not None else 0
        except LimitReachedError as exc:
            raise Unprocessable(
                f"{label}: page {number}'s content inflates beyond the reader's limit; "
                "export or print it to PDF again"
            ) from exc
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Unprocessable(
                f"{label}: the PDF is damaged and cannot be read; export or print it to PDF again"
            ) from exc
        inflated += size
        if size > MAX_PAGE_CONTENT or inflated > MAX_PDF_CONTENT:
            over, limit = (
                (size, f"{_size(MAX_PAGE_CONTENT)} per page")
                if size > MAX_PAGE_CONTENT
                else (inflated, f"{_size(MAX_PDF_CONTENT)} for the document")
            )
            raise Unprocessable(
                f"{label}: its drawing content inflates to {_size(over)} by page {number}; the "
                f"limit is {limit}. Export or print it to PDF again (without embedded scans)"
            )

    pdfium = _open_pdfium(data)
    for number, page in enumerate(reader.pages, start=1):
        plain = may_hide = None
        pdfium_page = _pdfium_page(pdfium, number - 1)
        if pdfium_page is not None:
            plain = functools.partial(page_text, pdfium_page)
            may_hide = functools.partial(
                may_hide_text, pdfium_page, near_white=NEAR_WHITE, min_font_pt=MIN_FONT_PT
            )
        try:
            visible_page, hidden_page = pdf_page_text(page, plain, may_hide)
        except (
            PdfReadError,
            PdfiumError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            IndexError,
        ) as exc:
            warnings.append(
                f"page {number} could not be read ({type(exc).__name__}); it was skipped"
            )
            continue
        texts.append(visible_page)
        hidden.extend(hidden_page)
    return LoadedDocument(
        text=join_split_ranges(_repair("\n\n".join(texts))),
        media_type=PDF,
        pages=count,
        hidden_text=hidden,
        warnings=warnings,
    )
