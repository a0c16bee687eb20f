"""Read bulk job files (CSV, JSON, JSON Lines) into plain rows with their line numbers.

Only reading and light normalisation happen here (skills lists, booleans, numbers, unknown
fields kept under `extra`); validation against the job schema is the importer's job, so a
bad row is reported with its line and skipped, never half-imported.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JOB_FIELDS = {
    "external_id",
    "title",
    "description",
    "company",
    "location",
    "remote",
    "employment_type",
    "salary_min",
    "salary_max",
    "currency",
    "required_skills",
    "preferred_skills",
    "min_years",
    "url",
    "posted_at",
    "published",
}
_LIST_FIELDS = {"required_skills", "preferred_skills"}
_BOOL_FIELDS = {"remote", "published"}
# Only free text may span lines in a CSV cell; a line break elsewhere means a quote was left open.
_MULTILINE_FIELDS = {"description"}
_TRUE = {"true", "yes", "y", "1", "remote"}
_FALSE = {"false", "no", "n", "0", "", "onsite", "on-site"}


@dataclass(frozen=True)
class Row:
    line: int
    data: dict[str, Any] | None
    error: str | None = None


class UnreadableFile(ValueError):
    """The whole file cannot be read (unknown format, broken JSON array)."""


def _split_list(value: Any) -> Any:
    # CSV cells carry lists as "Python; SQL" or "Python, SQL".
    if isinstance(value, str):
        separator = ";" if ";" in value else ","
        return [part.strip() for part in value.split(separator) if part.strip()]
    return value


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return value


def normalise_job(raw: dict[str, Any]) -> dict[str, Any]:
    """Known fields cleaned up (empty CSV cells dropped); unknown ones kept in `extra`."""
    row: dict[str, Any] = {}
    extra: dict[str, Any] = dict(raw.get("extra") or {})
    for key, value in raw.items():
        name = str(key).strip().lower()
        if name == "extra":
            continue
        if name not in JOB_FIELDS:
            extra[str(key)] = value
            continue
        if isinstance(value, str) and not value.strip() and name not in _BOOL_FIELDS:
            continue
        if name in _LIST_FIELDS:
            value = _split_list(value)
        elif name in _BOOL_FIELDS:
            value = _bool(value)
        elif name == "external_id" and isinstance(value, int | float):
            value = str(value)
        row[name] = value
    if extra:
        row["extra"] = extra
    return row


def read_job_rows(path: Path) -> Iterator[Row]:
    """Rows of a job file, by extension: .csv, .json (an array), .jsonl / .ndjson."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_rows(path)
    elif suffix in (".jsonl", ".ndjson"):
        yield from _jsonl_rows(path)
    elif suffix == ".json":
        yield from _json_rows(path)
    else:
        raise UnreadableFile(f"{path.name}: use a .csv, .json or .jsonl file")


def _csv_rows(path: Path) -> Iterator[Row]:
    """CSV rows, strictly: a malformed record is reported at its first line and skipped.

    The file is decoded line by line, so one line in another encoding is reported instead
    of failing the file, and parsing restarts on the line after a record that cannot be
    right (an unterminated quote would otherwise swallow the rows after it into one cell).
    """
    raw_lines = path.read_bytes().splitlines(keepends=True)
    if raw_lines[:1] and raw_lines[0].startswith(codecs.BOM_UTF8):
        raw_lines[0] = raw_lines[0][len(codecs.BOM_UTF8) :]
    lines: list[str] = []
    undecodable: dict[int, str] = {}  # line number -> what is wrong with it
    for number, raw in enumerate(raw_lines, start=1):
        if b"\x00" in raw:  # valid UTF-8, but a sign of UTF-16 or binary; databases refuse it
            undecodable[number] = "contains a NUL byte: save the file as UTF-8 text"
            lines.append(raw.decode("utf-8", errors="replace"))
            continue
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            undecodable[number] = (
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} "
                "of the line): save the file as UTF-8"
            )
            # Invalid bytes are all >= 0x80, so replacing them keeps quotes and commas
            # where they were and the record around them is parsed (then skipped) as usual.
            lines.append(raw.decode("utf-8", errors="replace"))
    if not lines:
        return
    try:
        header = next(csv.reader(lines[:1], strict=True))
    except csv.Error as exc:
        raise UnreadableFile(f"{path.name}: the header line is not valid CSV: {exc}") from None
    if 1 in undecodable:
        raise UnreadableFile(f"{path.name}: the header line: {undecodable[1]}")
    if not any(name.strip() for name in header):
        raise UnreadableFile(f"{path.name}: the first line must name the columns")
    start = 1  # index in `lines` where the next record begins
    while start < len(lines):
        # A generator, not a slice: re-reading after each bad record stays linear.
        reader = csv.reader((lines[i] for i in range(start, len(lines))), strict=True)
        first = start  # index of the current record's first line
        try:
            for cells in reader:
                end = start + reader.line_num  # index after the record's last line
                row, resync = _csv_row(header, cells, first + 1, end, undecodable)
                if row is not None:
                    yield row
                if resync:
                    break
                first = end
            else:
                return
        except csv.Error as exc:
            read = "".join(lines[first : start + reader.line_num])
            unterminated = read.count('"') % 2 == 1
            yield Row(first + 1, None, _malformed(str(exc), unterminated))
        # The record starting at `first` swallowed lines that may be rows of their own.
        start = first + 1


def _csv_row(
    header: list[str], cells: list[str], first: int, last: int, undecodable: dict[int, str]
) -> tuple[Row | None, bool]:
    """The record on lines `first`..`last` (None if blank), and whether to re-read from
    the line after `first` because the record cannot be right."""
    if not cells:
        return None, False
    broken_cell = any(
        "\n" in cell or "\r" in cell
        for name, cell in zip(header, cells, strict=False)
        if name.strip().lower() not in _MULTILINE_FIELDS
    )
    if last > first and (broken_cell or len(cells) != len(header)):
        return Row(first, None, _malformed("a cell runs into the next lines", True)), True
    if len(cells) != len(header):
        message = (
            f"{len(cells)} cells but the header has {len(header)} columns: "
            'put a cell that contains commas in double quotes ("a, b")'
        )
        return Row(first, None, message), False
    for number in range(first, last + 1):
        if number in undecodable:
            return Row(number, None, undecodable[number]), False
    # A good row carries the line where it ends, as before.
    return Row(last, normalise_job(dict(zip(header, cells, strict=True)))), False


def _malformed(detail: str, unterminated: bool) -> str:
    if unterminated:
        return (
            f"unterminated quote ({detail}): close the quoted cell that starts on this "
            'line, and write a quote inside a cell as two ("")'
        )
    return f"malformed CSV ({detail}): quote cells that contain commas or quotes"


def _jsonl_rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Row(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            except RecursionError:  # json's parser recurses per nesting level
                yield Row(number, None, "invalid JSON: nested too deep")
                continue
            if not isinstance(value, dict):
                yield Row(number, None, "expected a JSON object")
                continue
            yield Row(number, normalise_job(value))


def _json_rows(path: Path) -> Iterator[Row]:
    text = path.read_text(encoding="utf-8")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"{path.name}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:  # json's parser recurses per nesting level
        raise UnreadableFile(f"{path.name}: invalid JSON: nested too deep") from None
    if isinstance(value, dict) and isinstance(value.get("jobs"), list):
        value = value["jobs"]
    if not isinstance(value, list):
        raise UnreadableFile(f"{path.name}: expected a JSON array of jobs (or {{'jobs': [...]}})")
    lines = _array_item_lines(text, len(value))
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            yield Row(lines[index], None, "expected a JSON object")
            continue
        yield Row(lines[index], normalise_job(item))


def _array_item_lines(text: str, count: int) -> list[int]:
    """The line where each top-level array item starts, so errors point into the file."""
    decoder = json.JSONDecoder()
    start = text.index("[", text.index("jobs") if text.lstrip().startswith("{") else 0) + 1
    lines: list[int] = []
    position = start
    for _ in range(count):
        while text[position] in " \t\r\n,":
            position += 1
        lines.append(text.count("\n", 0, position) + 1)
        _, position = decoder.raw_decode(text, position)
    return lines


def resume_files(path: Path) -> list[Path]:
    """A single document, or every document in a folder (recursively), sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise UnreadableFile(f"{path}: no such file or folder")
    suffixes = {".pdf", ".docx", ".txt", ".md"}
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
