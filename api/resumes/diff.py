"""Unified diffs between two resume texts, in the format `patch` and `git apply` read.

Lines are cut at "\\n" only (not at every character `str.splitlines` treats as a break,
such as form feeds from PDF page breaks), so the diff's line numbers are the ones an
editor shows, and applying the diff to the old text gives back the new text exactly.
"""

from __future__ import annotations

import difflib

# GNU diff's marker for a last line without a newline; without it the old text's last
# line and the next diff line would run together.
NO_NEWLINE = "\\ No newline at end of file\n"


def split_lines(text: str) -> list[str]:
    """`text` as lines that keep their "\\n"; only the last may lack one."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def unified_diff(old: str, new: str, old_label: str, new_label: str, context: int = 3) -> str:
    """The unified diff turning `old` into `new`; "" when they are equal."""
    out: list[str] = []
    for line in difflib.unified_diff(
        split_lines(old), split_lines(new), old_label, new_label, n=context
    ):
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n")
            out.append(NO_NEWLINE)
    return "".join(out)
