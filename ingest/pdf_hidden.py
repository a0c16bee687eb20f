"""Which text of a PDF page a reader can see: an interpreter of the page's content stream.

Hidden text is a known way to game automatic screening (white keywords on a white page,
text in a 1 pt font, invisible render mode, text squeezed flat or placed off the page).
The graphics state that decides whether a glyph can be seen is tracked operator by
operator; `pdf_page_text` returns the visible text and the hidden fragments apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

# Fill colours at least this light count as white (0 = black, 1 = white).
NEAR_WHITE = 0.92
# Glyphs smaller than this (in points, after all scaling) are unreadable on paper.
MIN_FONT_PT = 2.0
# Horizontal scaling below this percentage squeezes text into an invisible sliver.
MIN_HSCALE_PCT = 10.0


def pdf_page_text(
    page: Any,
    plain_text: Callable[[], str] | None = None,
    may_hide: Callable[[], bool] | None = None,
) -> tuple[str, list[str]]:
    """(visible text, hidden fragments) of one page; `plain_text` extracts the page
    when nothing on it is hidden (pypdf's extraction otherwise); a page that `may_hide`
    clears is not interpreted at all (parsing the content stream is the costly part).

    The content stream is walked once, tracking the graphics state that decides whether a
    glyph can be seen; if some text-showing operators draw unseeable text, the page is
    extracted twice by pypdf from rewritten streams: once without them (visible text) and
    once with only them (hidden text). pypdf thus keeps doing the font decoding and the
    layout, and hidden glyphs can never leak into the visible text. (Text inside form
    XObjects is extracted as pypdf finds it; only the page's own stream is inspected.)
    """
    from pypdf.generic import ContentStream, NameObject

    if plain_text is not None and may_hide is not None and not may_hide():
        return plain_text() or "", []
    contents = page.get_contents()
    if contents is None:
        return "", []
    operations = contents.operations
    hidden_ops = set(_hidden_text_operations(page, operations))
    if not hidden_ops:
        return (plain_text() if plain_text else page.extract_text()) or "", []

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
