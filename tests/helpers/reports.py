"""What the report tests check every report for."""

from __future__ import annotations

import re

CANDIDATE_SECTIONS = ("Resume critique", "Top job matches", "Skill gap", "Rewrite history")
OUTSIDE = re.compile(r"<(script|link|img|iframe)\b|@import|url\(|https?://", re.I)
