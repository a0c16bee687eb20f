"""How each tool's result reads in the chat: fixed templates over the result's fields."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from agents.safety import undelimit

Renderer = Callable[[dict[str, Any]], str]


def _names(items: Sequence[Any], limit: int = 6) -> str:
    items = [str(i) for i in items if i]
    if not items:
        return "none"
    extra = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + extra


def _where(item: dict[str, Any]) -> str:
    parts = [
        f"at {item['company']}" if item.get("company") else "",
        f"({item['location']})" if item.get("location") else "",
    ]
    return " ".join(p for p in parts if p)


def jobs(data: dict[str, Any]) -> str:
    matches = data.get("matches", [])
    if not matches:
        return "I found no published job matching your resume yet. Try again later, or upload a fuller resume."
    lines = ["Here are the jobs that match your resume best:"]
    for rank, m in enumerate(matches, 1):
        lines.append(
            f"{rank}. {m.get('title')} {_where(m)} — score {float(m.get('score', 0)):.2f}. "
            f"You have: {_names(m.get('matched_skills', []))}. "
            f"Missing required: {_names(m.get('missing_required', []))}."
        )
    lines.append(
        'Ask me to explain a match (e.g. "explain the first one") or to tailor your resume for one.'
    )
    return "\n".join(lines)


def _gap_advice(missing_required: list[str], missing_preferred: list[str]) -> str:
    if not missing_required and not missing_preferred:
        return "You cover every skill the job lists: make sure your bullets show results with them."
    tips = []
    if missing_required:
        tips.append(
            f"If you have used {_names(missing_required)}, say so in a bullet with what you did; "
            "if not, a short course or a small project that uses them closes the gap."
        )
    if missing_preferred:
        tips.append(f"Nice to have: {_names(missing_preferred)}.")
    return " ".join(tips)


def explain(data: dict[str, Any]) -> str:
    title = f"{data.get('title') or 'This job'} {_where(data)}".strip()
    reasons = data.get("reasons") or []
    return "\n".join(
        [
            f"{title}: score {float(data.get('score', 0)):.2f}.",
            f"Skills you have: {_names(data.get('matched_skills', []), 10)}.",
            f"Required skills you miss: {_names(data.get('missing_required', []), 10)}.",
            f"Preferred skills you miss: {_names(data.get('missing_preferred', []), 10)}.",
            *([f"Why: {'; '.join(str(r) for r in reasons[:4])}."] if reasons else []),
            f"How to close the gap: {_gap_advice(data.get('missing_required', []), data.get('missing_preferred', []))}",
        ]
    )


def critique(data: dict[str, Any]) -> str:
    findings = data.get("findings", [])
    order = {"critical": 0, "warning": 1, "info": 2}
    findings = sorted(findings, key=lambda f: order.get(f.get("severity"), 3))
    lines = [f"Your resume scores {data.get('score')}/100. {data.get('summary', '')}".strip()]
    for f in findings[:5]:
        where = f" (line {f['line']})" if f.get("line") else ""
        lines.append(f"- {f.get('message')}{where} Fix: {f.get('suggestion')}")
    if not findings:
        lines.append("No problems found.")
    return "\n".join(lines)


def resume(data: dict[str, Any]) -> str:
    jobs = [
        f"{e.get('title') or 'a role'}{' at ' + e['employer'] if e.get('employer') else ''}"
        for e in data.get("experience") or []
    ]
    return "\n".join(
        [
            f"Your current resume shows {data.get('years_experience') or 0:g} years of experience.",
            f"Skills: {_names(data.get('skills') or [], 12)}.",
            f"Roles: {_names(jobs, 5)}.",
            *(
                [f"Summary: {undelimit(str(data['summary']))}"]
                if undelimit(str(data.get("summary") or ""))
                else []
            ),
        ]
    )


def rewrite_started(data: dict[str, Any]) -> str:
    return (
        "I've started tailoring your resume for that job. It runs in the background; "
        f"I'll let you know in this chat when it's ready (task {data.get('task_id')})."
    )


def rewrite_diff(data: dict[str, Any]) -> str:
    diff = undelimit(str(data.get("diff", ""))) or "(no changes)"
    return (
        f"Here is the proposed rewrite (version {data.get('version_id')}):\n```diff\n{diff}\n```\n"
        'Say "accept the rewrite" to make it your current resume, or "reject it".'
    )


def candidates(data: dict[str, Any]) -> str:
    job = data.get("job", {})
    matches = data.get("matches", [])
    if not matches:
        return f"No opted-in candidate matches {job.get('title')} yet."
    lines = [f"Top candidates for {job.get('title')} (only candidates who opted in):"]
    for rank, m in enumerate(matches, 1):
        lines.append(
            f"{rank}. Candidate {str(m.get('resume_id'))[:8]} — score {float(m.get('score', 0)):.2f}. "
            f"Has: {_names(m.get('matched_skills', []))}. Missing required: {_names(m.get('missing_required', []))}."
        )
    lines.append('Ask me to compare two of them, e.g. "compare 1 and 2".')
    return "\n".join(lines)


def comparison(data: dict[str, Any]) -> str:
    job = data.get("job", {})
    a, b = data.get("candidates", [{}, {}])
    only_a = sorted(set(a.get("matched_skills", [])) - set(b.get("matched_skills", [])))
    only_b = sorted(set(b.get("matched_skills", [])) - set(a.get("matched_skills", [])))
    leader = a if float(a.get("score", 0)) >= float(b.get("score", 0)) else b

    def line(c: dict[str, Any]) -> str:
        return (
            f"#{c.get('rank')} candidate {str(c.get('resume_id'))[:8]}: score {float(c.get('score', 0)):.2f}, "
            f"missing required: {_names(c.get('missing_required', []))}"
        )

    return "\n".join(
        [
            f"For {job.get('title')}:",
            line(a),
            line(b),
            f"Only #{a.get('rank')} has: {_names(only_a)}. Only #{b.get('rank')} has: {_names(only_b)}.",
            f"On the job's stated requirements, #{leader.get('rank')} is ahead.",
        ]
    )


def funnel(data: dict[str, Any]) -> str:
    f = data.get("funnel", {})
    t = data.get("tasks", {})
    cost = sum(float(d.get("cost_usd", 0)) for d in data.get("llm_per_day", []))
    return (
        f"Over the last {data.get('days')} days: {f.get('resumes_uploaded', 0)} resumes uploaded, "
        f"{f.get('critiqued', 0)} critiqued, {f.get('rewritten', 0)} rewritten, {f.get('matched', 0)} matched. "
        f"Background tasks: {t.get('submitted', 0)} submitted, {t.get('finished', 0)} finished, "
        f"{t.get('failed', 0)} failed. LLM spend: ${cost:.4f}."
    )


def job_saved(verb: str) -> Callable[[dict[str, Any]], str]:
    def render(data: dict[str, Any]) -> str:
        job = data.get("job", {})
        state = "published" if job.get("published") else "not published"
        return (
            f'{verb} "{job.get("title")}" (id {job.get("id")}, {state}). '
            f"Required skills: {_names(job.get('required_skills', []))}; "
            f"preferred: {_names(job.get('preferred_skills', []))}. "
            "Ask me to find candidates for it."
        )

    return render


def job_list(data: dict[str, Any]) -> str:
    jobs = data.get("jobs", [])
    if not jobs:
        return "Your organisation has no jobs yet. Paste a job description and I'll create one."
    lines = [f"Your organisation has {data.get('total', len(jobs))} job(s):"]
    lines += [
        f"{n}. {j.get('title')} {_where(j)} (id {j.get('id')})" for n, j in enumerate(jobs, 1)
    ]
    lines.append('Say which one, e.g. "find candidates for the first job".')
    return "\n".join(lines)


def alerts(data: dict[str, Any]) -> str:
    alerts = data.get("alerts") or {}
    if not alerts.get("enabled"):
        if data.get("status") == "stopped":
            return 'Done: job alerts are off. Say "turn on job alerts" to get them again.'
        return (
            'Job alerts are off. Say e.g. "turn on job alerts for remote jobs above 0.7, '
            'at most 3 a day" and I will tell you here when a new job matches your resume.'
        )
    where = (
        "remote only"
        if alerts.get("remote")
        else "on-site only"
        if alerts.get("remote") is False
        else "remote or not"
    )
    place = f" in {alerts['location']}" if alerts.get("location") else ""
    lead = "Done: job alerts are on" if data.get("status") == "updated" else "Job alerts are on"
    return (
        f"{lead}: new jobs matching your resume at {float(alerts.get('min_score', 0)) * 100:.0f}% "
        f"or more, {where}{place}, at most {alerts.get('max_per_day')} a day. They appear "
        'in this chat, or wait for your next visit. Say "stop job alerts" to turn them off.'
    )


def report(data: dict[str, Any]) -> str:
    kind = data.get("report")
    if data.get("status") == "started":
        return (
            "The report is being prepared in the background; I'll post it in this chat "
            f"when it is ready (task {data.get('task_id')})."
        )
    if kind == "candidate":
        top = data.get("top_matches") or []
        best = (
            f"Your best match is {top[0].get('title')} at {float(top[0].get('score') or 0):.2f}. "
            if top
            else "No published job matches your resume yet. "
        )
        score = data.get("critique_score")
        return (
            "Here is your report (PDF), with the skill-gap chart. "
            + (f"Resume score {score}/100. " if score is not None else "")
            + best
            + f"Skills the best jobs ask for that you miss: {_names(data.get('skills_to_learn') or [])}."
        )
    if kind == "shortlist":
        top = data.get("top") or []
        lead = (
            f"{top[0].get('label')} leads at {float(top[0].get('score') or 0):.2f}. " if top else ""
        )
        return (
            f"Here is the blind shortlist for {data.get('job_title')} (PDF): "
            f"{data.get('candidates', 0)} opted-in candidate(s), shown by pseudonym; "
            f"{data.get('consented', 0)} agreed to be contacted. {lead}".strip()
        )
    funnel = data.get("funnel") or {}
    return (
        "Here is your funnel report (PDF, with charts): "
        f"{funnel.get('resumes_uploaded', 0)} resumes uploaded, {funnel.get('critiqued', 0)} "
        f"critiqued, {funnel.get('rewritten', 0)} rewritten, {funnel.get('matched', 0)} matched."
    )


def contact_requests(data: dict[str, Any]) -> str:
    requests = data.get("requests") or []
    if not requests:
        return (
            "No employer has asked to contact you yet. When one does, I ask you here first: "
            "until you agree they see only your skills and scores, under a pseudonym."
        )
    lines = ["Employers who asked to contact you:"]
    for rank, r in enumerate(requests, 1):
        lines.append(
            f"{rank}. {r.get('company') or 'An employer'}, for {r.get('job_title')}: {r.get('status')}"
        )
    lines.append(
        'Say e.g. "accept the first contact request" or "decline the first contact request".'
    )
    return "\n".join(lines)


def contact_answer(data: dict[str, Any]) -> str:
    request = data.get("request") or {}
    who = request.get("company") or "The employer"
    if request.get("status") == "accepted":
        return f"Done: {who} can now see the e-mail address on your resume. You can withdraw it any time."
    return f"Done: you stay anonymous to {who}."


def contact_asked(data: dict[str, Any]) -> str:
    request = data.get("request") or {}
    who = f"candidate {str(request.get('candidate_id'))[:8]} (#{data.get('rank')})"
    if data.get("status") == "asked":
        return (
            f"Done: I asked {who} whether you may contact them about {request.get('job_title')}. "
            "They answer in their own chat; you will be told here, and if they agree their "
            "e-mail address appears in the job's shortlist."
        )
    return f"You asked {who} before; their answer: {request.get('status')}."


def rewrite_accepted(data: dict[str, Any]) -> str:
    return "Done: the rewritten version is now your current resume."


def rewrite_rejected(data: dict[str, Any]) -> str:
    return "Rejected: your resume stays as it was."


def visibility(data: dict[str, Any]) -> str:
    if data.get("open_to_employers"):
        return "Done: employers can now find you for their jobs."
    return "Done: you are hidden from employer searches."


def data_deleted(data: dict[str, Any]) -> str:
    return "Done: your profile, resumes and matches have been deleted."


HELP = {
    "candidate": "I can read and critique your resume, find jobs that match it (with reasons), "
    "explain a match and how to close the gap, tailor your resume for a job, show/accept/reject "
    "a rewrite, send you alerts about new matching jobs, give you your report as a PDF, set "
    "whether employers can find you, answer employers who ask to contact you, and delete your "
    "data. What would you like?",
    "employer": "I can create or update a job from a description you paste, list your jobs, find "
    "opted-in candidates for a job, compare two candidates, ask a candidate whether you may "
    "contact them, show your hiring funnel, and give you a blind shortlist or a funnel report "
    "as a PDF. What would you like?",
}
