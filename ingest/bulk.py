"""Read bulk job files (CSV, JSON, JSON Lines) into plain rows with their line numbers.

Only reading and light normalisation happen here (skills lists, booleans, numbers, unknown
fields kept under `extra`); validation against the job schema is the importer's job, so a
bad row is reported with its line and skipped, never half-imported.
"""

from __future__ import annotations

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
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for record in reader:
            # `line_num` is the line where the record ended (a quoted cell may span lines).
            if None in record:
                yield Row(reader.line_num, None, "more cells than header columns")
                continue
            yield Row(reader.line_num, normalise_job(record))


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
