"""From a report's data to the bytes served: JSON, standalone HTML, PDF, or the charts
alone as one SVG image (what the chat shows inline).

`render(report, fmt)` is pure and CPU-bound (call it through `asyncio.to_thread`); the
report worker (`api.reports.work`) calls it too, for reports generated in the background.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.reports.document import Bar, BarChart, Block, Document, Paragraph, Section, Table
from api.reports.html import chart_svg, render_html
from api.reports.pdf import render_pdf
from api.reports.schemas import (
    CandidateReport,
    FunnelReport,
    Report,
    ReportFormat,
    ShortlistReport,
)
from core.errors import NotFound

MEDIA_TYPES = {
    ReportFormat.json: "application/json",
    ReportFormat.html: "text/html; charset=utf-8",
    ReportFormat.pdf: "application/pdf",
    ReportFormat.svg: "image/svg+xml",
}


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    media_type: str
    filename: str


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _names(items: list[str]) -> str:
    return ", ".join(items) if items else "-"


def _percent(score: float) -> str:
    return f"{score * 100:.0f}%"


def candidate_document(report: CandidateReport) -> Document:
    sections: list[Section] = []
    if report.resume_id is None:
        sections.append(
            Section("Your resume", [Paragraph("No resume yet: upload one to get your report.")])
        )
        return Document(
            "Candidate report",
            f"Generated {_when(report.generated_at)}",
            sections,
            f"candidate-report-{report.candidate_id}",
        )
    resume: list[Block] = [Paragraph(f"Skills found in your resume: {_names(report.skills)}")]
    if report.critique is not None:
        c = report.critique
        resume.append(
            Paragraph(f"Critique score {c.score}/100 - {c.words} words, {c.pages:g} pages.")
        )
        resume.append(Paragraph(c.summary))
        if c.findings:
            resume.append(
                Table(
                    ["Severity", "Line", "Finding", "Suggestion"],
                    [
                        [f.severity, str(f.line) if f.line else "-", f.message, f.suggestion]
                        for f in c.findings
                    ],
                )
            )
    sections.append(Section("Resume critique", resume))

    if report.matches:
        matches: list[Block] = [
            Table(
                ["Job", "Score", "Matched skills", "Missing skills"],
                [
                    [
                        " - ".join(x for x in (m.title, m.company) if x) or (m.job_id or "-"),
                        _percent(m.score),
                        _names(m.matched_skills),
                        _names([*m.missing_required, *m.missing_preferred]),
                    ]
                    for m in report.matches
                ],
            )
        ]
    else:
        matches = [Paragraph("No published job matches your resume yet.", muted=True)]
    sections.append(Section("Top job matches", matches))

    gap: list[Block] = (
        [
            BarChart(
                f"Skills asked for by your top {len(report.matches)} job matches",
                [Bar(s.skill, s.jobs, highlight=s.has) for s in report.skill_gap],
                legend=("you have it", "missing"),
            )
        ]
        if report.skill_gap
        else [Paragraph("The matching jobs name no skills to compare yet.", muted=True)]
    )
    sections.append(Section("Skill gap", gap))

    history: list[Block] = (
        [
            Table(
                ["Version", "Date", "Target job", "Accepted", "Lines added", "Lines removed"],
                [
                    [
                        f"v{r.version}",
                        _when(r.created_at),
                        r.target_job_title or r.target_job_id or "-",
                        {True: "yes", False: "no", None: "pending"}[r.accepted],
                        f"+{r.lines_added}",
                        f"-{r.lines_removed}",
                    ]
                    for r in report.rewrites
                ],
            )
        ]
        if report.rewrites
        else [Paragraph("No rewrites yet.", muted=True)]
    )
    sections.append(Section("Rewrite history", history))
    return Document(
        "Candidate report",
        f"Resume version {report.version} - generated {_when(report.generated_at)}",
        sections,
        f"candidate-report-{report.candidate_id}",
    )


def shortlist_document(report: ShortlistReport) -> Document:
    note = Paragraph(
        "Blind shortlist: candidates are shown by pseudonym, without name, photo or other "
        "personal detail. A contact appears only for candidates who agreed to be contacted.",
        muted=True,
    )
    if not report.candidates:
        blocks: list[Block] = [note, Paragraph("No opted-in candidate matches this job yet.")]
    else:
        blocks = [
            note,
            BarChart(
                "Match score",
                [
                    Bar(c.label, round(c.score * 100), highlight=c.contact_consent)
                    for c in report.candidates
                ],
                legend=("agreed to be contacted", "not yet"),
                value_format="{:g}%",
            ),
            Table(
                ["Rank", "Candidate", "Score", "Why", "Gaps", "Contact"],
                [
                    [
                        str(c.rank),
                        f"{c.label} ({c.candidate_id})",
                        _percent(c.score),
                        "; ".join(c.reasons) or "-",
                        _names([*c.missing_required, *c.missing_preferred]),
                        c.contact_email or ("consented" if c.contact_consent else "blind"),
                    ]
                    for c in report.candidates
                ],
            ),
        ]
    return Document(
        f"Shortlist: {report.job_title}",
        f"Generated {_when(report.generated_at)}",
        [Section("Ranked candidates", blocks)],
        f"shortlist-{report.job_id}",
    )


def funnel_document(report: FunnelReport) -> Document:
    s = report.summary
    funnel = BarChart(
        "Candidates at each step",
        [
            Bar("Resumes uploaded", s.funnel.resumes_uploaded),
            Bar("Critiqued", s.funnel.critiqued),
            Bar("Rewritten", s.funnel.rewritten),
            Bar("Matched", s.funnel.matched),
        ],
    )
    tasks = BarChart(
        "Background tasks",
        [
            Bar("Submitted", s.tasks.submitted),
            Bar("Finished", s.tasks.finished),
            Bar("Failed", s.tasks.failed),
        ],
    )

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:g} ms"

    latency = Table(
        ["Task latency", "p50", "p95"],
        [["Finished tasks", ms(s.tasks.latency_ms_p50), ms(s.tasks.latency_ms_p95)]],
    )
    llm: Block = (
        Table(
            ["Day", "LLM calls", "Tokens in", "Tokens out", "Cost (USD)"],
            [
                [d.day, str(d.calls), str(d.tokens_in), str(d.tokens_out), f"{d.cost_usd:.4f}"]
                for d in s.llm_per_day
            ],
        )
        if s.llm_per_day
        else Paragraph("No LLM calls in this period.", muted=True)
    )
    return Document(
        "Funnel report",
        f"{_when(s.since)} to {_when(s.until)}",
        [
            Section("Funnel", [funnel]),
            Section("Task latency", [tasks, latency]),
            Section("LLM usage", [llm]),
        ],
        "funnel-report",
    )


def document(report: Report) -> Document:
    if isinstance(report, CandidateReport):
        return candidate_document(report)
    if isinstance(report, ShortlistReport):
        return shortlist_document(report)
    return funnel_document(report)


def render(report: Report, fmt: ReportFormat) -> Rendered:
    """The report as bytes of the asked format, with its media type and download name."""
    doc = document(report)
    if fmt is ReportFormat.json:
        body = report.model_dump_json().encode()
    elif fmt is ReportFormat.html:
        body = render_html(doc).encode()
    elif fmt is ReportFormat.svg:
        svg = chart_svg(doc)
        if svg is None:
            raise NotFound("this report has no chart yet: it has no data to draw")
        body = svg.encode()
    else:
        body = render_pdf(doc)
    return Rendered(body, MEDIA_TYPES[fmt], f"{doc.filename}.{fmt.value}")
