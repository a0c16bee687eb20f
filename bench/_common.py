"""Shared helpers of the matching benchmarks: the rjdb development file (read here only,
never at test or run time) and small timing/reporting utilities."""

from __future__ import annotations

import json
import os
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

# ../shared/data beside the checkout, or wherever CLEARVIEW_BENCH_DATA says (a worktree
# lives one level deeper than a plain clone).
SHARED_DATA = Path(
    os.environ.get("CLEARVIEW_BENCH_DATA")
    or Path(__file__).resolve().parents[2] / "shared" / "data"
)
RJDB = SHARED_DATA / "rjdb" / "rjdb_dev.jsonl"


@dataclass(frozen=True)
class RjdbRow:
    job: str
    matched: str
    unmatched: str
    skills: list[str]


def load_rjdb(path: Path = RJDB, limit: int | None = None) -> list[RjdbRow]:
    """rjdb rows (Megagon Labs, CC BY-SA 4.0): a job, its matching and near-miss resume."""
    if not path.exists():
        sys.exit(f"{path} not found; the benchmarks read ../shared/data/rjdb/rjdb_dev.jsonl")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            rows.append(
                RjdbRow(
                    job=raw["Job-Description"].strip(),
                    matched=raw["Resume-matched"].strip(),
                    unmatched=raw["Resume-unmatched"].strip(),
                    skills=list(raw.get("Skills") or []),
                )
            )
    return rows[:limit] if limit else rows


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain Markdown table (pastes into the README as is)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join([line, rule, *body])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (Linux /proc; a process
    gone meanwhile counts 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            # Fields after the command name (which may hold spaces): utime, stime are 14, 15.
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def pids_named(*names: str) -> list[int]:
    """Processes whose command name is one of `names` (e.g. every PostgreSQL backend)."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() in names:
                found.append(int(comm.parent.name))
        except OSError:
            continue  # exited meanwhile
    return found
