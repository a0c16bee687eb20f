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

import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from core.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType
from core.settings import get_settings

log = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"

# Fill colours at least this light count as white (0 = black, 1 = white).
NEAR_WHITE = 0.92
# Glyphs smaller than this (in points, after all scaling) are unreadable on paper.
MIN_FONT_PT = 2.0
# Horizontal scaling below this percentage squeezes text into an invisible sliver.
MIN_HSCALE_PCT = 10.0
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
        if _HTML_START_RE.match(data[:4096]) or (
            text.lstrip().startswith("<") and len(_HTML_TAG_RE.findall(text[:20_000])) >= 2
        ):
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


def _clean(text: str) -> str:
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

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(io.BytesIO(data))
    except (KeyError, ValueError, XMLSyntaxError, PackageNotFoundError, zipfile.BadZipFile) as exc:
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
                    cells.append(" ".join(t.strip() for t in lines[start:] if t.strip()))
                    del lines[start:]
                lines.append(" | ".join(c for c in cells if c))
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


def _load_pdf(data: bytes, label: str, max_pages: int) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

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
    for number, page in enumerate(reader.pages, start=1):
        try:
            visible_page, hidden_page = _pdf_page_text(page)
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            warnings.append(
                f"page {number} could not be read ({type(exc).__name__}); it was skipped"
            )
            continue
        texts.append(visible_page)
        hidden.extend(hidden_page)
    return LoadedDocument(
        text="\n\n".join(texts), media_type=PDF, pages=count, hidden_text=hidden, warnings=warnings
    )


def _pdf_page_text(page: Any) -> tuple[str, list[str]]:
    """(visible text, hidden fragments) of one page.

    The content stream is walked once, tracking the graphics state that decides whether a
    glyph can be seen; if some text-showing operators draw unseeable text, the page is
    extracted twice by pypdf from rewritten streams: once without them (visible text) and
    once with only them (hidden text). pypdf thus keeps doing the font decoding and the
    layout, and hidden glyphs can never leak into the visible text. (Text inside form
    XObjects is extracted as pypdf finds it; only the page's own stream is inspected.)
    """
    from pypdf.generic import ContentStream, NameObject

    contents = page.get_contents()
    if contents is None:
        return "", []
    operations = contents.operations
    hidden_ops = set(_hidden_text_operations(page, operations))
    if not hidden_ops:
        return page.extract_text() or "", []

    def extract(keep: Callable[[int], bool], keep_forms: bool) -> str:
        ops: list[tuple[list[Any], bytes]] = []
        for k, (operands, operator) in enumerate(operations):
            if operator in _SHOW_TEXT and not keep(k):
                ops.extend(_without_glyphs(operands, operator))
            elif operator == b"Do" and not keep_forms:
                continue
            else:
                ops.append((operands, operator))
        stream = ContentStream(None, page.pdf)
        stream.operations = ops
        original = page.get(NameObject("/Contents"))
        page[NameObject("/Contents")] = stream
        try:
            return page.extract_text() or ""
        finally:
            page[NameObject("/Contents")] = original

    visible = extract(lambda k: k not in hidden_ops, keep_forms=True)
    secret = extract(lambda k: k in hidden_ops, keep_forms=False)
    fragments = [line.strip() for line in secret.split("\n") if line.strip()]
    return visible, fragments


_SHOW_TEXT = frozenset({b"Tj", b"TJ", b"'", b'"'})


def _without_glyphs(operands: list[Any], operator: bytes) -> Iterator[tuple[list[Any], bytes]]:
    """What remains of a text-showing operator once its glyphs are dropped: its moves."""
    if operator == b"'":
        yield [], b"T*"
    elif operator == b'"' and len(operands) >= 2:
        yield [operands[0]], b"Tw"
        yield [operands[1]], b"Tc"
        yield [], b"T*"


@dataclass
class _GState:
    ctm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    fill: float | None = 0.0  # lightness 0..1 of the fill colour; None = unknown (pattern)
    stroke: float | None = 0.0
    fill_space: str = "gray"  # gray | rgb | cmyk | "" (lightness unknown)
    stroke_space: str = "gray"
    render_mode: int = 0
    font_size: float = 0.0
    hscale: float = 100.0
    fill_alpha: float = 1.0

    def copy(self) -> _GState:
        return _GState(**self.__dict__)


def _mult(a: Iterable[float], b: Iterable[float]) -> tuple[float, ...]:
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (
        a0 * b0 + a1 * b2,
        a0 * b1 + a1 * b3,
        a2 * b0 + a3 * b2,
        a2 * b1 + a3 * b3,
        a4 * b0 + a5 * b2 + b4,
        a4 * b1 + a5 * b3 + b5,
    )


_SPACE_KINDS = {
    "/DeviceGray": "gray",
    "/G": "gray",
    "/CalGray": "gray",
    "/DeviceRGB": "rgb",
    "/RGB": "rgb",
    "/CalRGB": "rgb",
    "/DeviceCMYK": "cmyk",
    "/CMYK": "cmyk",
}


def _space_kind(name: Any, colour_spaces: Any) -> str:
    """gray | rgb | cmyk for a colour space operand, resolving named page resources;
    "" for spaces whose values do not say how light the ink is (Separation: 1 is full
    ink; Indexed, Pattern, DeviceN, Lab)."""
    kind = _SPACE_KINDS.get(str(name))
    if kind is not None:
        return kind
    definition = colour_spaces.get(name) if colour_spaces is not None else None
    if definition is None:
        return ""
    definition = definition.get_object()
    if isinstance(definition, list) and definition:
        family = str(definition[0])
        if family == "/ICCBased" and len(definition) > 1:
            components = int(definition[1].get_object().get("/N", 0))
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(components, "")
        return _SPACE_KINDS.get(family, "")
    return _SPACE_KINDS.get(str(definition), "")


def _lightness(kind: str, values: list[Any]) -> float | None:
    """0 (black) .. 1 (white); None when it cannot be told."""
    try:
        nums = [float(v) for v in values]
    except (TypeError, ValueError):
        return None
    if kind == "gray" and len(nums) == 1:
        return nums[0]
    if kind == "rgb" and len(nums) == 3:
        return min(nums)
    if kind == "cmyk" and len(nums) == 4:
        return 1.0 - max(nums)
    return None


def _hidden_text_operations(page: Any, operations: list[tuple[list[Any], bytes]]) -> Iterator[int]:
    """Indexes of text-showing operators whose glyphs a reader cannot see: white or
    near-white fill (unless drawn over a dark box), invisible render mode, fully
    transparent, a font under MIN_FONT_PT, squeezed flat, or placed off the page."""
    gs = _GState()
    stack: list[_GState] = []
    tm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    tlm = tm
    leading = 0.0
    path: list[tuple[float, float, float, float]] = []
    dark_boxes: list[tuple[float, float, float, float]] = []
    ext_gstates = _resource(page, "/ExtGState")
    colour_spaces = _resource(page, "/ColorSpace")
    box = [float(v) for v in page.mediabox]
    x_min, y_min, x_max, y_max = (
        min(box[0], box[2]),
        min(box[1], box[3]),
        max(box[0], box[2]),
        max(box[1], box[3]),
    )

    for k, (operands, op) in enumerate(operations):
        if op == b"q":
            stack.append(gs.copy())
        elif op == b"Q":
            gs = stack.pop() if stack else _GState()
        elif op == b"cm" and len(operands) == 6:
            gs.ctm = _mult([float(v) for v in operands], gs.ctm)
        elif op == b"gs" and operands:
            params = ext_gstates.get(operands[0]) if ext_gstates else None
            if params is not None and "/ca" in params.get_object():
                gs.fill_alpha = float(params.get_object()["/ca"])
        # colours: fill (g rg k sc scn cs) and stroke (G RG K SC SCN CS)
        elif op in (b"g", b"rg", b"k"):
            gs.fill_space = {b"g": "gray", b"rg": "rgb", b"k": "cmyk"}[op]
            gs.fill = _lightness(gs.fill_space, operands)
        elif op in (b"G", b"RG", b"K"):
            gs.stroke_space = {b"G": "gray", b"RG": "rgb", b"K": "cmyk"}[op]
            gs.stroke = _lightness(gs.stroke_space, operands)
        elif op == b"cs" and operands:
            gs.fill_space = _space_kind(operands[0], colour_spaces)
            gs.fill = 0.0 if gs.fill_space else None
        elif op == b"CS" and operands:
            gs.stroke_space = _space_kind(operands[0], colour_spaces)
            gs.stroke = 0.0 if gs.stroke_space else None
        elif op in (b"sc", b"scn"):
            gs.fill = _lightness(gs.fill_space, operands)
        elif op in (b"SC", b"SCN"):
            gs.stroke = _lightness(gs.stroke_space, operands)
        # paths: remember filled dark rectangles, under which white text is legitimate
        elif op == b"re" and len(operands) == 4:
            x, y, w, h = (float(v) for v in operands)
            path.append((x, y, x + w, y + h))
        elif op in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"):
            if gs.fill is not None and gs.fill < 0.6 and gs.fill_alpha > 0.5:
                for rect in path:
                    dark_boxes.append(_device_box(rect, gs.ctm))
            path = []
        elif op in (b"n", b"S", b"s"):
            path = []
        # text state and position
        elif op == b"BT":
            tm = tlm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        elif op == b"Tf" and len(operands) == 2:
            gs.font_size = float(operands[1])
        elif op == b"Tr" and operands:
            gs.render_mode = int(operands[0])
        elif op == b"Tz" and operands:
            gs.hscale = float(operands[0])
        elif op == b"TL" and operands:
            leading = float(operands[0])
        elif op == b"Tm" and len(operands) == 6:
            tm = tlm = tuple(float(v) for v in operands)
        elif op in (b"Td", b"TD") and len(operands) == 2:
            tx, ty = float(operands[0]), float(operands[1])
            if op == b"TD":
                leading = -ty
            tm = tlm = _mult((1, 0, 0, 1, tx, ty), tlm)
        elif op in (b"T*", b"'", b'"'):
            tm = tlm = _mult((1, 0, 0, 1, 0, -leading), tlm)

        if op in _SHOW_TEXT:
            trm = _mult(tm, gs.ctm)
            size = abs(gs.font_size) * (trm[2] ** 2 + trm[3] ** 2) ** 0.5
            x, y = trm[4], trm[5]
            if _glyphs_hidden(gs, size, x, y, dark_boxes, (x_min, y_min, x_max, y_max)):
                yield k


def _glyphs_hidden(
    gs: _GState,
    size: float,
    x: float,
    y: float,
    dark_boxes: list[tuple[float, float, float, float]],
    page_box: tuple[float, float, float, float],
) -> bool:
    if gs.render_mode in (3, 7) or gs.fill_alpha <= 0.05:
        return True
    if size < MIN_FONT_PT or abs(gs.hscale) < MIN_HSCALE_PCT:
        return True
    margin = 2 * max(size, 10.0)
    if not (
        page_box[0] - margin <= x <= page_box[2] + margin
        and page_box[1] - margin <= y <= page_box[3] + margin
    ):
        return True
    # fill modes (0, 2, 4, 6) show the fill colour; stroke-only modes (1, 5) the stroke
    colour = gs.stroke if gs.render_mode in (1, 5) else gs.fill
    if colour is None or colour < NEAR_WHITE:
        return False
    return not any(bx0 <= x <= bx1 and by0 <= y <= by1 for bx0, by0, bx1, by1 in dark_boxes)


def _device_box(
    rect: tuple[float, float, float, float], ctm: tuple[float, ...]
) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = rect
    corners = [
        _mult((1, 0, 0, 1, x, y), ctm)[4:] for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1))
    ]
    xs = [c[0] for c in corners]
    ys = [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _resource(page: Any, name: str) -> Any:
    resources = page.get("/Resources")
    if resources is None:
        return None
    entry = resources.get_object().get(name)
    return entry.get_object() if entry is not None else None
