"""Resume and job parsing: sections, dated experience, contact details, skills.

Rule-based and deterministic on purpose: the same text always parses the same way, it
runs in well under a millisecond per page, and every field can be traced to the line it
came from. Input is the plain text of `ingest.loaders` (Markdown headings allowed).

Modules: `sections` (heading tables, cutting text at headings), `dates` (employment date
ranges, years covered), `contacts` (personal details, masking), `resume` and `job`.
"""

from ingest.parsing.contacts import Span, blank_spans, find_contacts, mask_personal_data, restore
from ingest.parsing.dates import DateRange, find_date_ranges, total_years
from ingest.parsing.job import ParsedJob, parse_job
from ingest.parsing.resume import ExperienceEntry, ParsedResume, parse_resume
from ingest.parsing.sections import (
    JOB_INDEX,
    RESUME_INDEX,
    Section,
    job_sections,
    list_items,
    split_sections,
)

__all__ = [
    "JOB_INDEX",
    "RESUME_INDEX",
    "DateRange",
    "ExperienceEntry",
    "ParsedJob",
    "ParsedResume",
    "Section",
    "Span",
    "blank_spans",
    "find_contacts",
    "find_date_ranges",
    "job_sections",
    "list_items",
    "mask_personal_data",
    "parse_job",
    "parse_resume",
    "restore",
    "split_sections",
    "total_years",
]
